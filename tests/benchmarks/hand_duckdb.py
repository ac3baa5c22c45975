"""The benchmark's two hand-written DuckDB queries for the fit and hot rules of bench.py, and the
messy probe files that tell them apart.

``HAND_LAX_QUERY`` is what a person writes for clean data: ``lower(trim())`` of three white space
characters, a bare cast of the time, a few number suffixes; it has no ``error`` column and
answers the benchmark's clean-but-messy data right, but reads a bad value as missing or as
something else. ``hand_exact_query()`` is written by hand to the language reference's reading
rules, as a person who needs leaddsl's answers on every input would write it for DuckDB alone:
every Unicode white space, the missing markers, the number grammar (signs, ``$``, other
currencies refused, thousands groups, exponents, suffixes and words), members in any case
(with the characters whose folding is ASCII), event types by their key, the ISO 8601 grammar
of ``ts``, and a bad value erring exactly the outputs that read it. Its SQL is written for
this one program and one engine (DuckDB's ``trim`` with a character set, ``TRY``, one pattern
per time), which the generated query, built for five dialects and any program, cannot assume.

``write_probes`` writes leads and events whose cells cover the spellings of each rule, the
bad ones included, so that a query's answers can be compared with leaddsl's on them, cell by
cell, before its speed is compared with the generated query's.
"""
from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

# The two rules as an analyst would write them for these files: trim and lower-case the text
# cells, strip `$` and commas and multiply by the suffix, CAST the times, a window for `any 1d`, a
# count for 30d. It reads no text that the benchmark data does not hold (no error column, no
# Unicode folding beyond lower()), and gives the same answers on that data (checked).
HAND_LAX_QUERY = """
WITH leads AS (
  SELECT row_number() OVER () AS rn, id,
         lower(trim(industry, ' ' || chr(9) || chr(160))) AS industry,
         replace(replace(lower(trim(revenue, ' ' || chr(9) || chr(160))), '$', ''), ',', '') AS rev,
         lower(trim(hq_country, ' ' || chr(9) || chr(160))) AS country,
         lower(trim(seniority, ' ' || chr(9) || chr(160))) AS seniority,
         lower(trim(source, ' ' || chr(9) || chr(160))) AS source
  FROM read_csv($leads, all_varchar = true, header = true)
), fit AS (
  SELECT rn, id,
         industry = 'life_science'
         AND TRY_CAST(regexp_extract(rev, '^([0-9.e+-]+)', 1) AS DOUBLE)
             * CASE regexp_extract(rev, '([a-z]*)$', 1)
                 WHEN '' THEN 1 WHEN 'k' THEN 1e3 WHEN 'm' THEN 1e6 WHEN 'mm' THEN 1e6
                 WHEN 'b' THEN 1e9 WHEN 'bn' THEN 1e9 WHEN 't' THEN 1e12 END >= 300000000
         AND country IN ('us', 'ca')
         AND seniority IN ('vp', 'c_level')
         AND source IN ('price_request', 'webinar', 'white_paper', 'referral') AS fit
  FROM leads
), ev AS (
  SELECT lead_id, type, CAST(ts AS TIMESTAMPTZ) AS ts,
         lower(trim(page_category, ' ' || chr(9) || chr(160))) AS page_category,
         lower(trim(asset_value, ' ' || chr(9) || chr(160))) AS asset_value
  FROM read_csv($events, all_varchar = true, header = true)
  WHERE type IN ('page_view', 'download')
), views AS (
  SELECT lead_id, count(*) OVER (PARTITION BY lead_id ORDER BY ts
           RANGE BETWEEN INTERVAL '86399999999 microseconds' PRECEDING AND CURRENT ROW) AS n
  FROM ev WHERE type = 'page_view' AND page_category = 'product' AND ts <= CAST($as_of AS TIMESTAMPTZ)
), downloads AS (
  SELECT lead_id, count(*) AS n FROM ev
  WHERE type = 'download' AND asset_value = 'high'
    AND ts > CAST($as_of AS TIMESTAMPTZ) - INTERVAL 30 DAY AND ts <= CAST($as_of AS TIMESTAMPTZ)
  GROUP BY lead_id
), hot AS (
  SELECT lead_id, max(n) AS n FROM views GROUP BY lead_id
)
SELECT fit.id, COALESCE(fit.fit, FALSE) AS fit, COALESCE(hot.n >= 5 OR downloads.n >= 2, FALSE) AS hot
FROM fit LEFT JOIN hot ON hot.lead_id = fit.id LEFT JOIN downloads ON downloads.lead_id = fit.id
ORDER BY fit.rn
"""

# --------------------------------------------------------------------------------------------
# The exact hand-written query
# --------------------------------------------------------------------------------------------

# Python's str.strip() strips the characters for which isspace() holds (RE2's \s is ASCII only)
WS_CHARS = "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace())
# The characters beyond ASCII whose NFC and case folding is ASCII: the only ones a text can hold and
# still equal an ASCII member or word after folding (as leaddsl.sql.readers lists them; its tests derive
# the table from Python's Unicode data)
ASCII_FOLDS = {"\u00df": "ss", "\u017f": "s", "\u037e": ";", "\u1e9e": "ss", "\u1fef": "`", "\u212a": "k",
               "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
               "\ufb05": "st", "\ufb06": "st"}
MARKERS = ("", "n/a", "na", "null", "-")


def _sql_text(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


_WS_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WS_CHARS) + "]"


def _strip(x: str) -> str:
    """``x`` without surrounding white space; a text whose first and last characters are visible
    ASCII (most cells) needs no look at the white space characters (DuckDB's ``trim`` with a
    set of 29 characters costs 20 times this on 2 million cells)."""
    return (f"CASE WHEN ord({x}) BETWEEN 33 AND 126 AND ord({x}[-1]) BETWEEN 33 AND 126 THEN {x} "
            f"ELSE regexp_replace({x}, '^{_WS_CLASS}+|{_WS_CLASS}+$', '', 'g') END")


def _key(x: str, words=()) -> str:
    """The comparison key of a cell compared only with ASCII words: stripped, lower case; a cell
    beyond ASCII has the characters whose folding is ASCII replaced first, and stays as it is
    (equal to no ASCII word) when it still holds another one (``LOWER`` folds some of those
    to ASCII where ``casefold()`` does not: ``İ``). ``words`` written exactly so are their own key."""
    folded = f"regexp_replace({x}, '^{_WS_CLASS}+|{_WS_CLASS}+$', '', 'g')"
    for c, f in ASCII_FOLDS.items():
        folded = f"replace({folded}, {_sql_text(c)}, {_sql_text(f)})"
    quick = f"WHEN {x} IN ({', '.join(map(_sql_text, words))}) THEN {x} " if words else ""
    return (f"CASE {quick}WHEN strlen({x}) = length({x}) THEN lower({_strip(x)}) "
            f"WHEN strlen({folded}) = length({folded}) THEN lower({folded}) ELSE {folded} END")


def _member(x: str, members: list[str], rank: bool) -> str:
    """An enum (the member) or ordinal (its rank) read from its key ``x``; missing markers are
    NULL; anything else is NULL too and :func:`_bad_member` says so."""
    whens = " ".join(f"WHEN {_sql_text(m)} THEN {i if rank else _sql_text(m)}" for i, m in enumerate(members))
    return f"CASE {x} {whens} END"


def _bad_member(x: str, members: list[str]) -> str:
    return f"({x} NOT IN ({', '.join(map(_sql_text, members + list(MARKERS)))}))"


_CURRENCY = r"(?:[A-Z]{1,3}\$|[$€£¥₹₩]|[A-Za-z]{3})"
_NUMBER = ("(?i)^([+-])?" + _WS_CLASS + "*(?:(" + _CURRENCY + ")" + _WS_CLASS + "*)?([+-])?"
           r"([0-9][0-9,_]*(?:\.[0-9]*)?|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?" + _WS_CLASS
           + "*(thousand|million|billion|trillion|mln|bln|k|mm|mn|m|bn|b|tn|t)?" + _WS_CLASS
           + "*(" + _CURRENCY + ")?$")
_POWER = {"k": 3, "thousand": 3, "m": 6, "mm": 6, "mn": 6, "mln": 6, "million": 6, "b": 9, "bn": 9,
          "bln": 9, "billion": 9, "t": 12, "tn": 12, "trillion": 12}
_POWER_CASE = ("CASE lower(n.g6) " + " ".join(f"WHEN '{k}' THEN {v}" for k, v in _POWER.items())
               + " ELSE 0 END")

# the ISO 8601 forms the reference lists: the common one by a pattern and a cast, the rest by the
# general pattern and the parts' arithmetic
_COMMON_TS = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z$"
_GENERAL_TS = (r"^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[Tt ]([0-9]{2})(?::?([0-9]{2})(?::?([0-9]{2})"
               r"(?:[.,]([0-9]+))?)?)?)?(?: ?(Z|z|([+-])([0-9]{2})(?::?([0-9]{2}))?))?$")


def hand_exact_query() -> str:
    """The fit and hot rules with leaddsl's reading of every cell, written by hand for DuckDB:
    ``id``, ``fit``, ``hot`` (NULL where a value they read is bad) and ``error``, one row per lead
    in file order. Parameters: ``$leads`` and ``$events`` (CSV paths) and ``$as_of``."""
    industries = ["life_science", "energy", "food", "software", "retail"]
    seniorities = ["individual", "manager", "director", "vp", "c_level"]
    sources = ["price_request", "webinar", "white_paper", "referral", "paid_search", "trade_show"]
    markers = ", ".join(map(_sql_text, MARKERS))
    return f"""
WITH raw AS (
  SELECT row_number() OVER () AS rn, {_strip('id')} AS id,
         {_key('industry', industries)} AS ind, {_key('hq_country')} AS country,
         {_key('seniority', seniorities)} AS sen, {_key('source', sources)} AS src, {_strip('revenue')} AS rev
  FROM read_csv($leads, all_varchar = true, header = true)
), num AS (
  SELECT *, rev IS NULL OR lower(rev) IN ({markers}) AS rev_missing,
         CASE WHEN length(rev) <= 400 THEN regexp_extract(rev, {_sql_text(_NUMBER)},
              ['g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7']) END AS n
  FROM raw
), val AS (
  SELECT *,
         CASE WHEN rev_missing OR n IS NULL OR n.g4 = '' OR (n.g1 <> '' AND n.g3 <> '')
                   OR n.g2 NOT IN ('', '$') OR n.g7 NOT IN ('', '$')
                   OR (n.g5 <> '' AND TRY_CAST(n.g5 AS BIGINT) IS NULL)
                   OR (contains(n.g4, ',') AND NOT regexp_full_match(n.g4, '[0-9]{{1,3}}(,[0-9]{{3}})+(\\.[0-9]*)?'))
              THEN NULL
              ELSE (CASE WHEN n.g1 = '-' OR n.g3 = '-' THEN -1 ELSE 1 END)
                   * TRY_CAST(replace(replace(n.g4, ',', ''), '_', '') || 'e'
                              || (COALESCE(TRY_CAST(NULLIF(n.g5, '') AS BIGINT), 0) + {_POWER_CASE}) AS DOUBLE)
         END AS revenue
  FROM num
), rd AS (
  SELECT rn, id,
         {_member('ind', industries, False)} AS industry,
         revenue,
         CASE WHEN country IN ({markers}) THEN NULL ELSE country END AS country,
         {_member('sen', seniorities, True)} AS seniority,
         {_member('src', sources, False)} AS source,
         concat_ws('; ',
           CASE WHEN {_bad_member('ind', industries)} THEN 'industry: cannot read ' || ind END,
           CASE WHEN NOT rev_missing AND (revenue IS NULL OR isinf(revenue)) THEN 'revenue: cannot read ' || rev END,
           CASE WHEN {_bad_member('sen', seniorities)} THEN 'seniority: cannot read ' || sen END,
           CASE WHEN {_bad_member('src', sources)} THEN 'source: cannot read ' || src END) AS fit_error
  FROM val
), ev AS (
  SELECT lead_id, ts, page_category, asset_value,
         CASE WHEN type IN ('page_view', 'download') THEN type ELSE regexp_replace(regexp_replace(
              {_key('type')}, '(?:{_WS_CLASS}|[_-])+', '_', 'g'), '^_+|_+$', '', 'g') END AS t
  FROM read_csv($events, all_varchar = true, header = true)
), evs AS (
  SELECT {_strip('lead_id')} AS lid, t, {_strip('ts')} AS ts,
         CASE WHEN t = 'page_view' THEN {_key('page_category', ['product'])} END AS cat,
         CASE WHEN t = 'download' THEN {_key('asset_value', ['high'])} END AS asset
  FROM ev WHERE t IN ('page_view', 'download')
), evc AS (
  SELECT *, regexp_matches(ts, {_sql_text(_COMMON_TS)}) AS common FROM evs
), evg AS (
  SELECT *, CASE WHEN NOT common THEN regexp_extract(ts, {_sql_text(_GENERAL_TS)},
                      ['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'z', 'sg', 'oh', 'om']) END AS g
  FROM evc
), evt AS (
  SELECT lid, t, ts, cat, asset,
         CASE WHEN common THEN epoch_us(TRY_CAST(ts AS TIMESTAMPTZ))
              WHEN g.y <> '' AND COALESCE(TRY_CAST(NULLIF(g.h, '') AS INT), 0) < 24
                   AND COALESCE(TRY_CAST(NULLIF(g.mi, '') AS INT), 0) < 60
                   AND COALESCE(TRY_CAST(NULLIF(g.s, '') AS INT), 0) < 60
                   AND (g.sg = '' OR (g.oh::INT < 24 AND COALESCE(TRY_CAST(NULLIF(g.om, '') AS INT), 0) < 60))
              THEN epoch_us(TRY(make_timestamp(g.y::BIGINT, g.mo::BIGINT, g.d::BIGINT,
                                               COALESCE(TRY_CAST(NULLIF(g.h, '') AS BIGINT), 0),
                                               COALESCE(TRY_CAST(NULLIF(g.mi, '') AS BIGINT), 0),
                                               COALESCE(TRY_CAST(NULLIF(g.s, '') AS BIGINT), 0))))
                   + COALESCE(TRY_CAST(rpad(left(g.f, 6), 6, '0') AS BIGINT), 0)
                   - CASE WHEN g.sg = '' THEN 0 ELSE (CASE g.sg WHEN '-' THEN -1 ELSE 1 END)
                          * (g.oh::BIGINT * 3600 + COALESCE(TRY_CAST(NULLIF(g.om, '') AS BIGINT), 0) * 60)
                          * 1000000 END
         END AS us
  FROM evg
), evv AS (  -- after the year 9999 is after every as-of time: not bad
  SELECT *, us IS NULL OR us < -62135596800000000 AS bad FROM evt
), now_us AS (
  SELECT epoch_us(CAST($as_of AS TIMESTAMPTZ)) AS now
), w AS (  -- the largest number of product views in a day, over every lead's events at once
  SELECT lid, bad, ts, t, asset, us, now, NOT bad AND t = 'page_view' AND cat = 'product' AND us <= now AS view,
         count(*) FILTER (WHERE NOT bad AND t = 'page_view' AND cat = 'product' AND us <= now)
           OVER (PARTITION BY lid ORDER BY us RANGE BETWEEN 86399999999 PRECEDING AND CURRENT ROW) AS n
  FROM evv, now_us
), agg AS (
  SELECT lid, bool_or(bad) AS bad, min(CASE WHEN bad THEN ts END) AS bad_ts,
         count(*) FILTER (WHERE NOT bad AND t = 'download' AND asset = 'high'
                          AND us > now - 2592000000000 AND us <= now) AS downloads,
         max(n) FILTER (WHERE view) AS n
  FROM w GROUP BY lid
)
SELECT rd.id,
       CASE WHEN rd.fit_error <> '' THEN NULL ELSE COALESCE(rd.industry = 'life_science' AND rd.revenue >= 300000000
            AND rd.country IN ('us', 'ca') AND rd.seniority >= 3
            AND rd.source IN ('price_request', 'webinar', 'white_paper', 'referral'), FALSE) END AS fit,
       CASE WHEN agg.bad THEN NULL ELSE COALESCE(agg.n >= 5 OR agg.downloads >= 2, FALSE) END AS hot,
       NULLIF(concat_ws('; ', NULLIF(rd.fit_error, ''),
                        CASE WHEN agg.bad THEN 'event ts: cannot read ' || COALESCE(agg.bad_ts, '(missing)') END), '')
         AS error
FROM rd LEFT JOIN agg ON agg.lid = rd.id
ORDER BY rd.rn
"""


# --------------------------------------------------------------------------------------------
# Probe files: the spellings of each rule's cells, good and bad
# --------------------------------------------------------------------------------------------

_WS_SAMPLE = [" ", "\t", "\u00a0", "\u3000", "\u2003", "\u205f", "\u1680", "\x1c"]
INDUSTRY_CELLS = ["life_science", "Life_Science", " LIFE_SCIENCE ", "life_\u017fcience", "energy", "Software",
                  "\u017foftware", "retail", "food", "life science", "lifescience", "biotech", "Ret\u0130l", "",
                  "N/A", " null ", "-", "NA", "n/a"]
REVENUE_CELLS = ["300M", "300m", "$300,000,000", "300,000,000", "3e8", "3E+08", "0.3B", "0.3b", "299,999,999",
                 "299999999.99999999999", "300 million", "300 MILLION", "1.2 billion", "$ 300M", "-$5", "$-5",
                 "+300M", "-300M", "- 300M", "300MM", "300mn", "300mln", "0.3bln", "300000k", "300 thousand",
                 "1e400", "1e-400", "12,34", "1,2345", "1 200", "USD 300M", "300M USD", "\u20ac300M", "300M$",
                 "US$300M", "abc", "true", ".5B", "5.B", "1_000_000_000", "1__000", "1,000_000", "0x10", "3e+8m",
                 "1.5e308k", "3e8\u00a0", "\u2003300M", "4.5K", "2bn", "1.2T", "300 Million $", "$+5", "+$5",
                 "1" * 401, "1e99999999999999999999", "", " ", "N/A", "null", "-", "NA", "1.234e+08", "450M",
                 "$1,200,000", "1.2B", "5tn", "2 trillion", "3 bln"]
COUNTRY_CELLS = ["US", " us ", "Us", "CA\u00a0", "ca", "United States", "\u00dcS", "DE", "", "N/A", "u\u017f"]
SENIORITY_CELLS = ["VP", "vp ", "Vp", "C_Level", "c_level", "c-level", "director", "manager", "individual", "v p",
                   "", "N/A", "executive"]
SOURCE_CELLS = ["webinar", "WEBINAR", " Price_Request ", "white_paper", "referral", "paid_search", "trade_show",
                "Webinar!", "", "NA", "white paper"]
TYPE_CELLS = ["page_view", "Page View", "PAGE-VIEW", "page__view", " page_view ", "Page_View\u00a0", "pageview",
              "download", "DOWNLOAD", "Download", "down load", "email_open", "", "\u3000download"]
CATEGORY_CELLS = ["product", "Product", " PRODUCT ", "product\u00a0", "pr\u00f6duct", "blog", "", "N/A",
                  "\u017fproduct"]
ASSET_CELLS = ["high", "HIGH", " High ", "h\u0131gh", "high\u3000", "low", "", "null"]
BAD_TS = ["2026-02-30T10:00:00Z", "2026-11-21T24:00:00Z", "2026-11-21T23:60:00Z", "2026-11-21T23:59:60Z",
          "20261121T100000Z", "2026-W47-6", "2026-11-21_10:00", "2026-11-21T10:00:00+01:90",
          "2026-11-21T10:00:00+24:00", "2026-11-21T10:00:00+01:00:00", "", "yesterday",
          "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-02:00", "2026-1-21",
          "2026-11-21T1:00", " 026-11-21T10:00:00Z"]


def _ts_text(rng: random.Random, t) -> str:
    """A valid spelling of the UTC datetime ``t`` (whole seconds, or with microseconds)."""
    from datetime import timedelta
    form = rng.randrange(12)
    if form == 0:
        return t.strftime("%Y-%m-%dT%H:%M:%S") + ("Z" if t.microsecond == 0 else f".{t.microsecond:06d}Z")
    if form == 1:
        return t.strftime("%Y-%m-%dt%H:%M:%S") + "z"
    if form == 2:
        return t.strftime("%Y-%m-%d %H:%M:%S")
    if form in (3, 4, 5):
        off = rng.choice([2 * 60, -5 * 60, 5 * 60 + 30, -(9 * 60 + 45), 23 * 60 + 59])
        loc = t + timedelta(minutes=off)
        sign, a = ("+" if off >= 0 else "-"), abs(off)
        zone = [f"{sign}{a // 60:02d}:{a % 60:02d}", f"{sign}{a // 60:02d}{a % 60:02d}",
                f" {sign}{a // 60:02d}:{a % 60:02d}"][form - 3]
        if a % 60 == 0 and rng.random() < 0.5:
            zone = f"{sign}{a // 60:02d}"
        return loc.strftime("%Y-%m-%dT%H:%M:%S") + zone
    if form == 6:
        return t.strftime("%Y-%m-%dT%H%M%S") + "Z"
    if form == 7 and t.second == 0 and t.microsecond == 0:
        return t.strftime("%Y-%m-%dT%H:%M") + rng.choice(["Z", "", "+00:00"])
    if form == 8 and t.microsecond:
        return t.strftime("%Y-%m-%dT%H:%M:%S") + f",{t.microsecond:06d}789Z"
    if form == 9:
        return rng.choice(_WS_SAMPLE) + t.strftime("%Y-%m-%dT%H:%M:%SZ") + rng.choice(_WS_SAMPLE)
    if form == 10 and t.hour == t.minute == t.second == t.microsecond == 0:
        return t.strftime("%Y-%m-%d")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ("+00:00" if t.microsecond == 0 else f".{t.microsecond:06d}+00:00")


def _mess(rng: random.Random, cell: str) -> str:
    if cell and rng.random() < 0.2:
        return rng.choice(_WS_SAMPLE) + cell + rng.choice(["", *_WS_SAMPLE])
    return cell


def write_probes(d: Path, n: int, seed: int, as_of) -> None:
    """``leads.csv`` and ``events.csv`` in ``d``: ``n`` leads whose cells are drawn from the
    spellings above (a few bad ones among them), and events around the window edges of the
    as-of time (one day, thirty days, the as-of time itself), with some bad times."""
    from datetime import timedelta
    rng = random.Random(seed)
    day, us = timedelta(days=1), timedelta(microseconds=1)
    with open(d / "leads.csv", "w", newline="", encoding="utf-8") as fl, \
            open(d / "events.csv", "w", newline="", encoding="utf-8") as fe:
        wl, we = csv.writer(fl), csv.writer(fe)
        wl.writerow(["id", "industry", "revenue", "hq_country", "seniority", "source"])
        we.writerow(["lead_id", "type", "ts", "page_category", "asset_value"])
        for i in range(n):
            lid = f"P{i}"
            good = rng.random() < 0.5  # half the leads near a true fit, so that every clause decides some
            wl.writerow([lid if rng.random() < 0.9 else f" {lid}\u00a0",
                         _mess(rng, "life_science" if good else rng.choice(INDUSTRY_CELLS)),
                         rng.choice(REVENUE_CELLS),
                         _mess(rng, "US" if good and rng.random() < 0.5 else rng.choice(COUNTRY_CELLS)),
                         _mess(rng, "vp" if good and rng.random() < 0.5 else rng.choice(SENIORITY_CELLS)),
                         _mess(rng, "webinar" if good and rng.random() < 0.5 else rng.choice(SOURCE_CELLS))])
            burst = as_of - rng.choice([0, 1, 2, 29, 30, 31]) * day + rng.choice([-us, 0 * us, us])
            for _ in range(rng.randrange(0, 14)):
                kind = rng.random()
                if kind < 0.5:  # a burst of views: some exactly a day apart, some a microsecond inside
                    t = burst - rng.choice([0, 1, 2]) * rng.choice([day / 4, day / 2, day, day - us, day + us])
                elif kind < 0.8:  # downloads around the thirty days
                    t = as_of - rng.choice([0, 29, 30, 31]) * day + rng.choice([-us, 0 * us, us, timedelta(hours=3)])
                else:
                    t = as_of - timedelta(seconds=rng.randrange(-86400, 40 * 86400))
                ts = rng.choice(BAD_TS) if rng.random() < 0.015 else _ts_text(rng, t)
                etype = (rng.choice(["page_view", "download"]) if rng.random() < 0.7
                         else rng.choice(TYPE_CELLS))
                we.writerow([lid if rng.random() < 0.95 else f"\u3000{lid} ", etype, ts,
                             _mess(rng, "product" if rng.random() < 0.6 else rng.choice(CATEGORY_CELLS)),
                             _mess(rng, "high" if rng.random() < 0.6 else rng.choice(ASSET_CELLS))])


def mismatches(program, query: str, d: Path, as_of_iso: str, limit: int = 10) -> tuple[int, list[str]]:
    """How many probe leads (``write_probes`` in ``d``) the query answers otherwise than leaddsl's
    Python engine, comparing ``fit`` and ``hot`` (NULL where leaddsl errs them), and the first few."""
    import duckdb
    import leaddsl
    expected = list(leaddsl.evaluate_files(program, str(d / "leads.csv"), str(d / "events.csv"), as_of_iso))
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    params = {"leads": str(d / "leads.csv"), "events": str(d / "events.csv"), "as_of": as_of_iso}
    rows = con.execute(query, {k: v for k, v in params.items() if f"${k}" in query}).fetchall()
    bad, shown = 0, []
    if len(rows) != len(expected):
        return len(expected), [f"{len(rows)} rows, leaddsl {len(expected)}"]
    for row, want in zip(rows, expected):
        if (row[1], row[2]) != (want["fit"], want["hot"]):
            bad += 1
            if len(shown) < limit:
                shown.append(f"{want['id']!r}: query fit={row[1]} hot={row[2]}, leaddsl fit={want['fit']} "
                             f"hot={want['hot']} ({want.get('error')})")
    return bad, shown
