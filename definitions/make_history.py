"""Generate the history sample: leads with their outcome, and their activity events.

    python definitions/make_history.py            # writes definitions/data/history_*.csv

The data is made with a fixed seed and a PLANTED TRUE RULE, so that `leaddsl backtest`
and `leaddsl suggest` can be checked against a known answer (definitions/README.md):

    a lead closes won, within 5 to 85 days of its `created_at`, with probability 0.55 when
        industry = life_science and revenue >= 300M
        and at least 3 product page views in the 30 days up to `created_at`
    and with probability 0.04 otherwise.

(`history_planted.lead` writes the rule in the language.) Everything else is noise: the
country, seniority and lead source, downloads, webinars, blog visits and contact requests
before `created_at`. After `created_at` the leads that will close get a burst of contact
requests and product page views: a trap for any evaluation that lets a later event leak
into the as-of time (it would find them a perfect predictor).
"""
from __future__ import annotations

import csv
import math
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

SEED = 15
WIN_IF_RULE = 0.55
WIN_OTHERWISE = 0.04
INDUSTRIES = ["life_science", "clinical_diagnostics", "chemicals", "food_and_beverage", "academic", "other"]
INDUSTRY_WEIGHTS = [40, 15, 15, 12, 10, 8]
COUNTRIES = ["US", "CA", "UK", "DE", "FR", "JP"]
SENIORITY = ["individual", "manager", "director", "vp", "c_level"]
SOURCES = ["price_request", "webinar", "white_paper", "referral", "trade_show", "website", "purchased_list"]
START = datetime(2025, 1, 1, tzinfo=timezone.utc)
DAY = 86400


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _revenue(rng: random.Random) -> float:
    return math.exp(rng.uniform(math.log(20e6), math.log(3e9)))  # log-uniform 20M .. 3B


def _revenue_text(x: float, rng: random.Random) -> str:
    """As a CRM export writes it: plain, with thousands separators, or in millions."""
    style = rng.randrange(3)
    if style == 0:
        return str(int(x))
    if style == 1:
        return f"${int(x):,}"
    return f"{x / 1e6:.0f}M"


def generate(n: int = 2000, seed: int = SEED):
    """(leads, events): lists of dicts, and for each lead whether the planted rule holds
    (``lead["_rule"]``, not written to the CSV)."""
    rng = random.Random(seed)
    leads, events = [], []
    for i in range(n):
        lead_id = f"H-{10001 + i}"
        created = START + timedelta(seconds=rng.randrange(0, 540 * DAY))
        industry = rng.choices(INDUSTRIES, INDUSTRY_WEIGHTS)[0]
        revenue = _revenue(rng)
        own: list[tuple[datetime, str, dict]] = []
        # before created_at: product page views over the 60 days up to it, and noise
        for _ in range(_poisson(rng, 5.0)):
            own.append((created - timedelta(seconds=rng.randrange(1, 60 * DAY)), "page_view",
                        {"page_category": "product"}))
        for kind, props, mean in (("page_view", {"page_category": "blog"}, 3.0),
                                  ("page_view", {"page_category": "careers"}, 1.0),
                                  ("download", {"asset_value": "high"}, 0.6),
                                  ("download", {"asset_value": "standard"}, 1.0),
                                  ("webinar_attend", {"minutes": "45"}, 0.4),
                                  ("contact_request", {"channel": "form"}, 0.15)):
            for _ in range(_poisson(rng, mean)):
                own.append((created - timedelta(seconds=rng.randrange(1, 120 * DAY)), kind, dict(props)))
        views_30d = sum(1 for t, k, p in own if k == "page_view" and p.get("page_category") == "product"
                        and created - timedelta(days=30) < t <= created)
        rule = industry == "life_science" and revenue >= 300e6 and views_30d >= 3
        won = rng.random() < (WIN_IF_RULE if rule else WIN_OTHERWISE)
        closed = created + timedelta(seconds=rng.randrange(5 * DAY, 85 * DAY)) if won else None
        # after created_at: what happens next (never visible at the as-of time)
        for _ in range(_poisson(rng, 4.0 if won else 0.2)):
            own.append((created + timedelta(seconds=rng.randrange(1, 60 * DAY)), "contact_request",
                        {"channel": "phone"}))
        for _ in range(_poisson(rng, 6.0 if won else 1.0)):
            own.append((created + timedelta(seconds=rng.randrange(1, 60 * DAY)), "page_view",
                        {"page_category": "product"}))
        leads.append({
            "id": lead_id,
            "Company": f"Company {i + 1}",
            "Industry": industry,
            "Annual Revenue": _revenue_text(revenue, rng),
            "HQ Country": rng.choice(COUNTRIES),
            "Seniority": rng.choice(SENIORITY),
            "Lead Source": rng.choice(SOURCES),
            "created_at": _iso(created),
            "closed_won": "true" if won else "false",
            "closed_at": _iso(closed) if closed else "",
            "_rule": rule,
        })
        for t, kind, props in sorted(own, key=lambda e: e[0]):
            events.append({"lead_id": lead_id, "type": kind, "ts": _iso(t), **props})
    return leads, events


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


LEAD_COLUMNS = ["id", "Company", "Industry", "Annual Revenue", "HQ Country", "Seniority", "Lead Source",
                "created_at", "closed_won", "closed_at"]
EVENT_COLUMNS = ["lead_id", "type", "ts", "page_category", "asset_value", "minutes", "channel"]


def write(folder: Path, n: int = 2000, seed: int = SEED) -> tuple[Path, Path]:
    leads, events = generate(n, seed)
    folder.mkdir(parents=True, exist_ok=True)
    leads_path, events_path = folder / "history_leads.csv", folder / "history_events.csv"
    with open(leads_path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, LEAD_COLUMNS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(leads)
    with open(events_path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, EVENT_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(events)
    return leads_path, events_path


if __name__ == "__main__":
    for p in write(Path(__file__).parent / "data"):
        print(p)
