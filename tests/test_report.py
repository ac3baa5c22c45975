"""`leaddsl report`: one self-contained HTML page, checked as a person sees it, in headless
Chromium (Debian's `chromium`; .ci/run installs it): the funnel's numbers are on the page,
every chart is drawn with a size, nothing is fetched, the console stays quiet, and a
screenshot is kept beside the test's output."""
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import leaddsl
from leaddsl.cli import main

ROOT = Path(__file__).resolve().parent.parent
DEFS = ROOT / "definitions"
LEADS = DEFS / "data" / "history_leads.csv"
EVENTS = DEFS / "data" / "history_events.csv"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

MEASURE = """<script>
var charts = Array.from(document.querySelectorAll('svg.chart')).map(function (s) {
  var r = s.getBoundingClientRect(); return [r.width, r.height, s.querySelectorAll('rect').length]; });
document.body.setAttribute('data-measured', JSON.stringify(charts));
</script></body>"""


def chromium(*args, cwd):
    assert CHROMIUM, "headless Chromium is needed: apt-get install chromium (.ci/run installs it)"
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                           "--no-first-run", "--disable-background-networking", "--disable-component-update",
                           "--disable-sync", "--enable-logging=stderr", "--v=0",
                           f"--user-data-dir={cwd / 'chromium-profile'}", *args],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    target = out / "report.html"
    r = subprocess.run([sys.executable, "-m", "leaddsl", "report", DEFS / "acme_instruments.lead", LEADS,
                        "--events", EVENTS, "--outcome", "closed_won", "-o", target], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return out, target


def test_the_page_needs_nothing_from_the_network(page):
    _, target = page
    text = target.read_text()
    assert "<script" not in text and "<link" not in text and "src=" not in text and "@import" not in text
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert urls <= {"http://www.w3.org/2000/svg"}  # the SVG namespace only, never fetched


def test_chromium_shows_the_funnel_and_draws_every_chart(page):
    out, target = page
    measured = out / "measured.html"
    measured.write_text(target.read_text().replace("</body>", MEASURE))
    done = chromium("--dump-dom", measured.as_uri(), cwd=out)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    shown = html.unescape(re.sub(r"<[^>]+>", " ", dom))
    shown = re.sub(r"\s+", " ", shown)
    # the numbers of the funnel, as the backtest (another path through the evaluator) counts them
    b = leaddsl.backtest(DEFS / "acme_instruments.lead", LEADS, outcome="closed_won", events=EVENTS)
    exact = {g.value: g.selected for g in b.groups if g.kind == "stage"}
    beyond = 0
    for stage in ("sql", "mql", "lead"):
        beyond += exact[stage]
        assert f"{stage} {beyond:,} {exact[stage]:,}" in shown  # a row of the funnel table
    assert f"(no stage) {exact['(none)']:,}" in shown
    assert "Which clause loses the most leads" in shown and "ideal_customer" in shown
    for section in ("Funnel", "Field coverage", "Scores and bands", "Backtest", "Sample leads"):
        assert section in shown
    charts = json.loads(html.unescape(re.search(r'data-measured="([^"]*)"', dom).group(1)))
    assert len(charts) >= 8
    assert all(w > 100 and h > 10 and rects > 0 for w, h, rects in charts), charts
    console = [line for line in done.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line
               or "Failed to load" in line or "net::ERR" in line]
    assert console == []


def test_chromium_screenshot_is_kept(page):
    out, target = page
    shot = out / "report.png"
    done = chromium("--window-size=1100,2400", f"--screenshot={shot}", target.as_uri(), cwd=out)
    assert done.returncode == 0, done.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000  # a page with content, not a blank one


def test_report_without_outcome_and_usage_errors(runner, tmp_path):
    target = tmp_path / "r.html"
    r = runner.invoke(main, ["report", str(DEFS / "acme_instruments.lead"), str(DEFS / "data" / "acme_leads.csv"),
                             "--events", str(DEFS / "data" / "acme_events.csv"), "--as-of", "2026-11-22T00:00:00Z",
                             "-o", str(target)])
    assert r.exit_code == 0, r.output
    text = target.read_text()
    assert "Backtest" not in text and "Funnel" in text
    # the sample's three bad rows show as bad values in field coverage
    assert re.search(r"<td>revenue</td><td>[\d,]+</td><td>[\d,]+ \([\d.]+%\)</td><td>1 \(", text)
    r = runner.invoke(main, ["report", str(DEFS / "acme_instruments.lead"), str(DEFS / "data" / "acme_leads.csv"),
                             "-o", str(DEFS / "data" / "acme_leads.csv"), "--as-of", "2026-11-22"])
    assert r.exit_code == 2


def test_the_clause_counts_leave_out_the_leads_whose_definition_errs(tmp_path):
    # the page says a lead with a bad value its output needs is left out of the clause counts:
    # it was counted as `unknown` (and as the only blocker), and a definition reading an erring
    # one counted it as false
    from leaddsl.tools.history import History
    from leaddsl.tools.meeting import build
    (tmp_path / "d.csv").write_text("id,x,y\n1,5,5\n2,bad,5\n3,bad,0\n4,0,5\n")
    program = leaddsl.compile("field x: number\nfield y: number\nlead a when x > 1\nlead b when a and y > 1\n")
    report = build(program, History(str(tmp_path / "d.csv"), as_of="2026-11-22T00:00:00Z"))
    got = {(c.definition, c.text): (c.true, c.false, c.unknown, c.only_blocker) for c in report.clauses}
    assert got == {("a", "x > 1"): (1, 1, 0, 1), ("b", "a"): (1, 1, 0, 1), ("b", "y > 1"): (2, 0, 0, 0)}
    assert report.errors == 2
