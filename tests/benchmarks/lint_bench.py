"""How long `leaddsl check` takes on large generated programs: parse, check and lint.

    python tests/benchmarks/lint_bench.py                 # 1k, 10k and 100k definitions
    python tests/benchmarks/lint_bench.py --sizes 1000 5000 --budget 30
    python tests/benchmarks/lint_bench.py --sizes 1000 --write big.lead

A script, not a timed test (pytest does not collect it): the figures depend on
the machine and on what else runs on it. The program is built from a fixed
seed and looks like a real one (a CRM schema, events, metrics, lets,
definitions that build on each other, a funnel; the `scored` family adds
scores, bands and a route), with a few deliberate
mistakes (a contradiction, a redundant threshold, an unguarded `!=`, a
definition written twice) so that the rules that find something do their full
work. A second family, `threshold`, is the worst case of the issue: n
definitions `lead dN when x > N` over one field, which all read the same value.

The lint runs under its time budget (default: the linter's, 5 s); the table
says whether it finished (`complete`) or stopped at the budget.
"""
from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

SCHEMA = """\
field industry: enum(life_science, clinical_diagnostics, chemicals, food_and_beverage, academic, government, other)
field revenue: number
field employees: number
field hq_country: enum(US, CA, UK, DE, FR, CH, NL, JP, CN, IN, BR)
field seniority: ordinal(individual < manager < director < vp < c_level)
field source: enum(price_request, webinar, white_paper, referral, trade_show, website, purchased_list)
field status: enum(open, working, nurture, customer, lost_customer, disqualified)
field title: text
field email: text
field interests: list(text)
field created_at: datetime
field budget_confirmed: bool

event page_view(page_category: enum(product, pricing, application_note, blog, careers, support))
event download(asset_value: enum(high, standard))
event webinar_attend(minutes: number)
event trade_show_meeting(show: text)
event contact_request(channel: enum(form, email, phone, chat))

metric product_visits = count(page_view where page_category = product)
metric pricing_visits = count(page_view where page_category = pricing)
metric high_value_downloads = count(download where asset_value = high)
metric visit_days = days(page_view)
metric webinars_attended = count(webinar_attend where minutes >= 20)
metric webinar_minutes = sum(webinar_attend.minutes)
metric last_contact = last(contact_request)
"""

INDUSTRIES = ["life_science", "clinical_diagnostics", "chemicals", "food_and_beverage", "academic",
              "government", "other"]
COUNTRIES = ["US", "CA", "UK", "DE", "FR", "CH", "NL", "JP", "CN", "IN", "BR"]
RANKS = ["individual", "manager", "director", "vp", "c_level"]
SOURCES = ["price_request", "webinar", "white_paper", "referral", "trade_show", "website", "purchased_list"]
MONEY = ["10M", "25M", "50M", "100M", "250M", "300M", "500M", "1B", "2B"]
HEADS = ["50", "200", "500", "1k", "5k", "10k", "50k"]
INTERESTS = ['"lims"', '"chromatography"', '"mass spectrometry"', '"lab automation"', '"sample prep"']
WINDOWS = ["7d", "30d", "90d", "any 1d", "any 7d"]
FIELDS = [[0, 1], [2, 3], [4], [5], [6], [7], [8], [9], [10], [11], [12], [13]]  # clause kinds by attribute


def _subset(rng, items, lo=2, hi=4):
    return "{" + ", ".join(rng.sample(items, rng.randint(lo, min(hi, len(items))))) + "}"


def _clause(rng, kind=None) -> str:
    kind = rng.randrange(14) if kind is None else kind
    if kind == 0:
        return f"industry = {rng.choice(INDUSTRIES)}"
    if kind == 1:
        return f"industry in {_subset(rng, INDUSTRIES)}"
    if kind == 2:
        return f"revenue >= {rng.choice(MONEY)}"
    if kind == 3:
        a, b = sorted(rng.sample(range(len(MONEY)), 2))
        return f"revenue between {MONEY[a]} and {MONEY[b]}"
    if kind == 4:
        return f"hq_country in {_subset(rng, COUNTRIES)}"
    if kind == 5:
        return f"seniority >= {rng.choice(RANKS[1:])}"
    if kind == 6:
        return f"source in {_subset(rng, SOURCES)}"
    if kind == 7:
        return f"employees >= {rng.choice(HEADS)}"
    if kind == 8:
        m = rng.choice(["product_visits", "pricing_visits", "high_value_downloads", "visit_days"])
        return f"{m}({rng.choice(WINDOWS)}) >= {rng.randint(1, 6)}"
    if kind == 9:
        closed = _subset(rng, ["customer", "lost_customer", "disqualified"], 1, 3)
        return f"(status is missing or status not in {closed})"
    if kind == 10:
        return f"interests has any {_subset(rng, INTERESTS, 1, 3)}"
    if kind == 11:
        return f"created_at within {rng.choice(['30d', '90d', '365d'])}"
    if kind == 12:
        return f'title matches "\\\\b({rng.choice(["vp", "director", "head", "chief"])}|manager)\\\\b"'
    return (f"(webinars_attended({rng.choice(['30d', '90d'])}) >= 1 or "
            f"product_visits(any 1d) >= {rng.randint(3, 6)} or budget_confirmed)")


def generate(n: int = 500, seed: int = 7) -> str:
    """A program with n lead definitions (and n // 10 lets).

    Like a real file, a definition constrains each attribute once, and builds on
    a `let` or an earlier definition about *other* attributes (`sql when mql and
    ...`). A few definitions carry a deliberate mistake (see the module doc).
    """
    rng = random.Random(seed)
    out = [SCHEMA, "stages lead_0 < lead_1 < lead_2 < lead_3\n"]
    attrs: dict[str, set[int]] = {}  # name -> the attribute groups it constrains
    lets = []
    for i in range(max(1, n // 10)):
        groups = rng.sample(range(len(FIELDS)), rng.randint(2, 3))
        parts = [_clause(rng, rng.choice(FIELDS[g])) for g in groups]
        op = " and " if rng.random() < 0.7 else " or "
        name = f"cond_{i}"
        out.append(f"let {name} = {op.join(parts)}")
        attrs[name] = set(groups)
        lets.append(name)
    previous: list[str] = []
    for i in range(n):
        name = f"lead_{i}"
        used: set[int] = set()
        refs = []
        if i and rng.random() < 0.3:
            refs.append(f"lead_{rng.randrange(i)}")
        if rng.random() < 0.5:
            refs.append(rng.choice(lets))
        for r in refs:
            used |= attrs[r]
        free = [g for g in range(len(FIELDS)) if g not in used]
        if len(free) < 2:  # the references already say it all: start afresh
            refs, used, free = [], set(), list(range(len(FIELDS)))
        groups = rng.sample(free, min(len(free), rng.randint(2, 5)))
        parts = refs + [_clause(rng, rng.choice(FIELDS[g])) for g in groups]
        if rng.random() < 0.2 and len(parts) > len(refs):
            k = rng.randrange(len(refs), len(parts))
            parts[k] = f"({parts[k]} or {_clause(rng)})"
        if i % 97 == 13:  # a deliberate contradiction
            parts.append("revenue < 5M and revenue >= 10M")
        if i % 89 == 7:  # a deliberate redundant threshold
            parts += ["employees >= 500", "employees >= 200"]
        if i % 53 == 5:  # a CRM habit: "is not" that drops blank statuses
            parts.append("status != customer")
        if i % 101 == 50:  # the previous definition again, clauses reordered
            parts = list(reversed(previous))
        previous = parts
        attrs[name] = used | set(groups)
        out.append(f"lead {name} when " + "\n    and ".join(parts))
    return "\n".join(out) + "\n"


def scored(n: int = 500, seed: int = 7) -> str:
    """``generate(n)`` with scores, bands and a route over it: four scores of
    n // 40 condition rules each (random points, some negative) and an `each`
    rule, a band on each, definitions that compare them, and a route of n // 50
    rules for the first definition."""
    rng = random.Random(seed + 1)
    out = [generate(n, seed)]
    for s in range(4):
        rules = [f"    {_clause(rng)} {rng.choice('+-')}{rng.randint(1, 30)}" for _ in range(max(2, n // 40))]
        rules.append("    each product_visits(30d) +2 max 20")
        out.append(f"score s{s} max 200 {{\n" + "\n".join(rules) + "\n}")
        out.append(f"band b{s} on s{s} {{ cold < 20 <= warm < 60 <= hot }}")
        out.append(f"lead scored_{s} when s{s} >= {rng.randint(20, 80)} and b{s} >= warm")
    targets = [f"    team_{i} when {_clause(rng)}" for i in range(max(2, n // 50))]
    out.append("route owner for lead_0 {\n" + "\n".join(targets) + "\n    else inbound_queue\n}")
    return "\n".join(out) + "\n"


def threshold(n: int) -> str:
    """n definitions over one number field: `lead dN when x > N`."""
    return "field x: number\n" + "".join(f"lead d{i} when x > {i}\n" for i in range(n))


FAMILIES = {"generated": generate, "scored": scored, "threshold": lambda n, seed: threshold(n)}


def measure(text: str, budget: float | None) -> dict:
    """Wall clock of compile (parse + check) and of the lint pass, in one process."""
    import leaddsl
    from leaddsl.lint import lint_program

    t0 = time.perf_counter()
    program = leaddsl.compile(text, filename="generated.lead")
    t1 = time.perf_counter()
    found = lint_program(program, budget=budget)
    t2 = time.perf_counter()
    return {"compile": t1 - t0, "lint": t2 - t1, "complete": found.note is None,
            "findings": len([d for d in found if d.code[0] in "WI"])}


def main(argv=None):
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))  # benchmark the checkout, not an installed copy
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000],
                    help="numbers of lead definitions (default 1000 10000 100000)")
    ap.add_argument("--family", choices=sorted(FAMILIES), nargs="+", default=sorted(FAMILIES))
    ap.add_argument("--budget", type=float, default=None, help="lint budget in seconds (default: the linter's)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--write", metavar="FILE", help="also write the (last) generated program here")
    args = ap.parse_args(argv)

    rows = []
    print(f"{'family':<10} {'definitions':>11} {'lines':>8} {'compile s':>9} {'lint s':>7} {'total s':>8} "
          f"{'lint':<9} findings")
    for family in args.family:
        for n in args.sizes:
            text = FAMILIES[family](n, args.seed)
            if args.write:
                with open(args.write, "w", encoding="utf-8") as f:
                    f.write(text)
            r = measure(text, args.budget)
            r.update(family=family, n=n)
            rows.append(r)
            print(f"{family:<10} {n:>11,} {text.count(chr(10)):>8,} {r['compile']:>9.2f} {r['lint']:>7.2f} "
                  f"{r['compile'] + r['lint']:>8.2f} {'complete' if r['complete'] else 'budget':<9} "
                  f"{r['findings']}", flush=True)
    return rows


if __name__ == "__main__":  # pragma: no cover
    main()
