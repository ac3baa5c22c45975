"""``leaddsl report DEFS DATA -o report.html``: one page a sales meeting can read.

One pass over the leads (each judged as of its own time, as ``backtest`` does) collects:
the funnel (how many leads reach each stage), each definition's top-level clauses (how
many leads each one lets through, and for how many it is the only clause that stops
them), field coverage (the share of missing and bad values of each field the outputs
read), the distribution of each score and band, the backtest when an outcome is given,
and a few sample leads with their explanations. The page is one HTML file with its
charts as inline SVG and its style inline: no script, nothing fetched, fit to print.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from html import escape

from ..values import format_value
from . import svg
from .backtest import NONE, Tally, finish
from .history import History
from .observe import Observer


@dataclass
class ClauseCount:
    definition: str
    text: str
    true: int = 0
    false: int = 0
    unknown: int = 0
    only_blocker: int = 0  # leads for which this is the one clause that is not true

    @property
    def stopped(self) -> int:
        return self.false + self.unknown


@dataclass
class Report:
    title: str
    definitions: str
    data: str
    as_of: str
    leads: int = 0
    evaluated: int = 0
    errors: int = 0  # leads with at least one output that erred
    counts: dict = field(default_factory=dict)  # definition -> leads for which it holds
    stages: list = field(default_factory=list)  # (stage, at it or beyond, exactly at it)
    no_stage: int = 0
    clauses: list = field(default_factory=list)
    coverage: list = field(default_factory=list)  # (field, present, missing, bad)
    scores: dict = field(default_factory=dict)  # name -> list of values
    bands: dict = field(default_factory=dict)  # name -> Counter
    backtest: object = None
    samples: list = field(default_factory=list)  # (id, stage, explanation)
    skipped: list = field(default_factory=list)
    skipped_count: int = 0
    warnings: list = field(default_factory=list)


def build(program, history: History, *, name: str = "DEFS", sample: int = 5, confidence: float = 0.95) -> Report:
    """Evaluate ``program`` on every lead of ``history`` and collect what the page shows."""
    observer = Observer(program)
    agreement = program.agreement
    title = agreement.title if agreement is not None and getattr(agreement, "title", None) else name
    out = Report(title, name, history.data, history.describe_as_of())
    counts = {d: 0 for d in program.definitions}
    stage_counts = Counter()
    clauses = {(c.definition, c.index): ClauseCount(c.definition, c.text) for c in observer.clauses}
    coverage = {s.label: [0, 0] for s in observer.slots}
    scores = {s: [] for s in program.scores}
    bands = {b: Counter() for b in program.bands}
    tally = Tally(program) if history.outcome is not None else None
    picked: dict = {}
    for lead in history:
        seen = observer.observe(lead.record, lead.as_of, lead.events)
        r = seen.result
        out.evaluated += 1
        out.errors += bool(r.errors)
        for d in program.definitions:
            counts[d] += r.get(d) is True
        if program.stages:
            stage_counts[r.get("stage") or (NONE if not r.errors else "error")] += 1
        for d, values in seen.clauses.items():
            if r.get(d) is None:  # the definition errs for this lead (a bad value): left out, as the page says
                continue
            not_true = [i for i, v in enumerate(values) if v is not True]
            for i, v in enumerate(values):
                c = clauses[(d, i)]
                c.true += v is True
                c.false += v is False
                c.unknown += v is None
            if len(not_true) == 1:
                clauses[(d, not_true[0])].only_blocker += 1
        for label in seen.missing:
            coverage[label][0] += 1
        for label in seen.bad:
            coverage[label][1] += 1
        for s in program.scores:
            if isinstance(r.get(s), (int, float)):
                scores[s].append(float(r[s]))
        for b in program.bands:
            bands[b][r.get(b) if r.get(b) is not None else (NONE if not r.errors else "error")] += 1
        if tally is not None:
            tally.add(r, lead.reached)
        key = r.get("stage") if program.stages else None
        if sample and len(picked) < sample and (key not in {k for k, _ in picked.values()}
                                                or out.evaluated > 50 * sample):
            picked[lead.number] = (key, lead)
    out.leads, out.counts = history.leads, counts
    if program.stages:
        beyond = 0
        for s in reversed(program.stages):
            beyond += stage_counts[s]
            out.stages.insert(0, (s, beyond, stage_counts[s]))
        out.no_stage = stage_counts[NONE]
    out.clauses = list(clauses.values())
    out.coverage = [(label, out.evaluated - m - b, m, b) for label, (m, b) in coverage.items()]
    out.scores, out.bands = scores, bands
    if tally is not None:
        out.backtest = finish(name, history, tally, confidence)
    for number, (stage, lead) in sorted(picked.items()):
        out.samples.append((lead.id, stage, program.explain(lead.record, lead.as_of, events=lead.events)))
    out.skipped, out.skipped_count, out.warnings = list(history.skipped), history.skipped_count, list(history.warnings)
    return out


# ---------------------------------------------------------------------- HTML
STYLE = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a1a1a;
       max-width: 980px; margin: 24px auto; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; } h2 { font-size: 18px; border-bottom: 2px solid #ddd;
     padding-bottom: 4px; margin-top: 32px; } h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: #555; } .big { font-size: 22px; font-weight: 600; }
table { border-collapse: collapse; margin: 8px 0; } th, td { padding: 3px 10px; text-align: right;
     border-bottom: 1px solid #e5e5e5; } th:first-child, td:first-child { text-align: left; }
th { background: #f3f3f3; } .worst td { font-weight: 600; }
svg text { font: 12px system-ui, sans-serif; fill: #1a1a1a; } svg.chart, svg.legend { display: block; }
pre { background: #f7f7f7; border: 1px solid #e3e3e3; padding: 8px; overflow-x: auto; font-size: 12px;
      white-space: pre-wrap; }
section { break-inside: avoid-page; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } pre { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; } }
"""


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def _table(head: list[str], rows: list[list[str]], marked: set[int] = frozenset()) -> str:
    out = ["<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head) + "</tr></thead><tbody>"]
    for i, row in enumerate(rows):
        out.append(f'<tr{" class=worst" if i in marked else ""}>' + "".join(f"<td>{escape(str(c))}</td>" for c in row)
                   + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def to_html(r: Report) -> str:
    h = [f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(r.title)}: lead report</title>'
         f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{STYLE}</style></head><body>',
         f"<h1>{escape(r.title)}</h1>",
         f'<p class="meta">{escape(r.definitions)} on {escape(r.data)}: <b id="leads">{r.leads:,}</b> lead(s), '
         f"{escape(r.as_of)}. Made by leaddsl on {dt.date.today().isoformat()}.</p>"]
    if r.skipped_count:
        h.append(f"<p>{r.skipped_count:,} row(s) could not be used (first: "
                 + escape("; ".join(f"line {n}: {why}" for n, _, why in r.skipped[:3])) + ").</p>")
    if r.errors:
        h.append(f"<p>{r.errors:,} lead(s) have a value that cannot be read; the outputs that need it are left "
                 "out of the counts below (see <i>Field coverage</i>).</p>")
    h.extend(f"<p>warning: {escape(w)}</p>" for w in r.warnings)
    h.append(_funnel(r))
    h.append(_clauses(r))
    h.append(_coverage(r))
    h.append(_distributions(r))
    if r.backtest is not None:
        h.append(_backtest(r.backtest))
    h.append(_samples(r))
    h.append("</body></html>")
    return "\n".join(h)


def _funnel(r: Report) -> str:
    out = ['<section id="funnel"><h2>Funnel</h2>']
    if r.stages:
        rows = [(s, beyond, f"{beyond:,} ({_pct(beyond, r.evaluated)})") for s, beyond, _ in r.stages]
        out.append("<p>Leads at each stage or beyond it, of the "
                   f"{r.evaluated:,} evaluated; {r.no_stage:,} reach no stage.</p>")
        out.append(svg.bars(rows, "funnel: leads at each stage or beyond"))
        out.append(_table(["stage", "at it or beyond", "exactly at it", "share"],
                          [[s, f"{b:,}", f"{e:,}", _pct(b, r.evaluated)] for s, b, e in r.stages]
                          + [["(no stage)", "", f"{r.no_stage:,}", _pct(r.no_stage, r.evaluated)]]))
    rows = [[d, f"{n:,}", _pct(n, r.evaluated)] for d, n in r.counts.items()]
    out.append("<h3>Definitions</h3>" + _table(["definition", "leads", "share"], rows) + "</section>")
    return "".join(out)


def _clauses(r: Report) -> str:
    out = ['<section id="clauses"><h2>Which clause loses the most leads</h2>',
           "<p>Each top-level clause of each definition: how many leads it lets through (true), stops (false) "
           "or cannot decide (unknown: a value it needs is missing). <i>Only blocker</i>: the leads for which it is "
           "the one clause that is not true.</p>", svg.legend(["true", "false", "unknown"])]
    by_def: dict[str, list[ClauseCount]] = {}
    for c in r.clauses:
        by_def.setdefault(c.definition, []).append(c)
    for d, items in by_def.items():
        worst = max(range(len(items)), key=lambda i: items[i].stopped)
        out.append(f"<h3>{escape(d)}</h3>")
        out.append(svg.stacked([(c.text, [("true", c.true), ("false", c.false), ("unknown", c.unknown)],
                                 f"{_pct(c.true, c.true + c.stopped)} pass") for c in items],
                               f"clauses of {d}: true, false, unknown"))
        out.append(_table(["clause", "true", "false", "unknown", "pass rate", "only blocker"],
                          [[c.text, f"{c.true:,}", f"{c.false:,}", f"{c.unknown:,}", _pct(c.true, c.true + c.stopped),
                            f"{c.only_blocker:,}"] for c in items], {worst} if len(items) > 1 else set()))
    out.append("</section>")
    return "".join(out)


def _coverage(r: Report) -> str:
    out = ['<section id="coverage"><h2>Field coverage</h2>',
           "<p>The fields the outputs read: the share of leads where each is present, missing or cannot be read "
           "(bad).</p>", svg.legend(["present", "missing", "bad"])]
    if r.coverage:
        out.append(svg.stacked([(f, [("present", p), ("missing", m), ("bad", b)],
                                 f"{_pct(m, r.evaluated)} missing, {_pct(b, r.evaluated)} bad")
                                for f, p, m, b in r.coverage], "field coverage: present, missing, bad"))
        out.append(_table(["field", "present", "missing", "bad"],
                          [[f, f"{p:,}", f"{m:,} ({_pct(m, r.evaluated)})", f"{b:,} ({_pct(b, r.evaluated)})"]
                           for f, p, m, b in r.coverage]))
    else:
        out.append("<p>The outputs read no field.</p>")
    out.append("</section>")
    return "".join(out)


def _histogram(values: list[float], bins: int = 10) -> list[tuple[str, float, str]]:
    lo, hi = min(values), max(values)
    if hi == lo:
        return [(_num(lo), len(values), f"{len(values):,}")]
    width = (hi - lo) / bins
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - lo) / width))] += 1
    return [(f"{_num(lo + i * width)} to {_num(lo + (i + 1) * width)}", c, f"{c:,}") for i, c in enumerate(counts)]


def _num(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 10 else f"{x:.1f}"


def _distributions(r: Report) -> str:
    if not r.scores and not r.bands:
        return ""
    out = ['<section id="distributions"><h2>Scores and bands</h2>']
    for name, values in r.scores.items():
        out.append(f"<h3>score {escape(name)}</h3>")
        if values:
            mean = sum(values) / len(values)
            out.append(f"<p>{len(values):,} lead(s); mean {mean:.1f}, lowest {_num(min(values))}, highest "
                       f"{_num(max(values))}.</p>" + svg.bars(_histogram(values), f"distribution of {name}"))
        else:
            out.append("<p>No lead has a value.</p>")
    for name, counter in r.bands.items():
        total = sum(counter.values())
        out.append(f"<h3>band {escape(name)}</h3>")
        out.append(svg.bars([(m, c, f"{c:,} ({_pct(c, total)})") for m, c in counter.items()], f"band {name}"))
    out.append("</section>")
    return "".join(out)


def _backtest(b) -> str:
    out = ['<section id="backtest"><h2>Backtest</h2>',
           f"<p>Outcome: <b>{escape(b.outcome)}</b>" + (f" within {escape(b.horizon)}" if b.horizon else "")
           + f". {b.reached:,} of {b.evaluated:,} leads reached it (base rate "
           f"{_pct(b.reached, b.evaluated)}). Precision: of the leads a group selected, the share that reached it; "
           f"recall: of all that reached it, the share the group selected; lift: precision over the base rate. "
           f"Brackets: {b.confidence:.0%} Wilson intervals.</p>"]
    rows, chart = [], []
    for g in b.groups:
        m = g.measures(b.confidence)
        p, rc, lift = m["precision"], m["recall"], m["lift"]
        rows.append([g.label, f"{g.selected:,}", f"{g.reached:,}", _interval(p), _interval(rc),
                     "-" if lift["value"] is None else f"{lift['value']:.2f}x [{lift['low']:.2f}, {lift['high']:.2f}]"])
        if p["value"] is not None:
            chart.append((g.label, p["value"], f"{100 * p['value']:.1f}%"))
    out.append(svg.bars(chart, "precision of each group"))
    out.append(_table(["group", "selected", "reached", "precision", "recall", "lift"], rows))
    out.append("</section>")
    return "".join(out)


def _interval(m: dict) -> str:
    if m["value"] is None:
        return "-"
    return f"{100 * m['value']:.1f}% [{100 * m['low']:.1f}, {100 * m['high']:.1f}]"


def _samples(r: Report) -> str:
    out = ['<section id="samples"><h2>Sample leads</h2>', "<p>A few leads (one per stage first) with the "
           "explanation of every output: each clause with its value and the values it read.</p>"]
    for lead_id, stage, text in r.samples:
        out.append(f"<h3>{escape(format_value(lead_id))}" + (f": {escape(stage)}" if stage else "") + "</h3>")
        out.append(f"<pre>{escape(text)}</pre>")
    out.append("</section>")
    return "".join(out)


__all__ = ["Report", "build", "to_html"]
