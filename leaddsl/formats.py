"""How input values are written: date patterns, time zones and currencies.

Shared by the front end (which checks a field's ``format``, ``zone`` and
``currency``) and the value readers (which apply them).

Date patterns are written as spreadsheets and CRM settings show them
(``MM/DD/YYYY hh:mm AM``), not as ``strptime`` codes: a sales-ops person reads
the first in the export settings of Salesforce or Excel; ``%m/%d/%Y %I:%M %p``
is a programmer's spelling, and ``%b``/``%p`` depend on the machine's locale.

===========  =========================================  ===========
token        meaning                                    example
===========  =========================================  ===========
``YYYY``     year, four digits                          2026
``YY``       year, two digits (00-68: 2000s, 69-99)     26
``MMMM``     month name (English, any case)             November
``MMM``      month name, three letters                  Nov
``MM``/``M`` month, one or two digits                   11, 3
``DD``/``D`` day, one or two digits                     20, 5
``HH``/``H`` hour 0-23, one or two digits               14
``hh``/``h`` hour 1-12, one or two digits (with AM)     2
``mm``       minutes, two digits                        05
``ss``       seconds, two digits, optional fraction     09, 09.250
``AM``       AM or PM (any case, ``a.m.`` too)          PM
``Z``        a zone offset: ``Z``, ``+02:00``, ``-0500``
``T``        the letter T (ISO's date-time separator)
===========  =========================================  ===========

Any other letter is an error (so ``YYY`` or ``DD/MM/YYY`` is caught when the
file is checked); every other character stands for itself, and a space stands
for one or more spaces.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from dataclasses import dataclass

UTC = dt.timezone.utc

# ISO 4217 codes of the currencies in use (and a few kept by old exports)
CURRENCIES = frozenset("""
AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD
GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT
LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR
NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP
STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XOF
XPF YER ZAR ZMW ZWL
""".split())

# a currency sign names a family; a field's declared currency must be one of it
SIGNS = {"$": frozenset({"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD"}),
         "€": frozenset({"EUR"}), "£": frozenset({"GBP"}), "¥": frozenset({"JPY", "CNY"}),
         "₹": frozenset({"INR"}), "₩": frozenset({"KRW"}), "CHF": frozenset({"CHF"}),
         "US$": frozenset({"USD"}), "C$": frozenset({"CAD"}), "CA$": frozenset({"CAD"}),
         "A$": frozenset({"AUD"}), "AU$": frozenset({"AUD"}), "NZ$": frozenset({"NZD"}),
         "S$": frozenset({"SGD"}), "HK$": frozenset({"HKD"}), "R$": frozenset({"BRL"})}
SIGN_NAMES = {"$": "dollars", "€": "EUR", "£": "GBP", "¥": "yen or yuan (JPY/CNY)", "₹": "INR", "₩": "KRW"}


def sign_name(sign: str) -> str:
    """How a message names the currency a sign or code stands for."""
    if sign in SIGN_NAMES:
        return SIGN_NAMES[sign]
    family = SIGNS.get(sign)
    return next(iter(family)) if family and len(family) == 1 else sign


# ------------------------------------------------------------------ zones ----
@functools.lru_cache(maxsize=None)
def zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@functools.lru_cache(maxsize=256)
def get_zone(name: str):
    """The zone of an IANA name (``America/New_York``, ``UTC``), or None when unknown."""
    if name in ("UTC", "Z"):
        return UTC
    if name not in zone_names():
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def localize(value: dt.datetime, zone) -> dt.datetime:
    """A zone-less time as a time of ``zone``. Raises ValueError for a local time that the
    zone skips or repeats (the hour when clocks change): it names two instants or none."""
    if zone is UTC:
        return value.replace(tzinfo=UTC)
    first, second = value.replace(tzinfo=zone, fold=0), value.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == value.replace(fold=0)
        raise ValueError(f"{value.strftime('%Y-%m-%d %H:%M')} happens twice in {zone.key}: the clocks go back"
                         if back else f"{value.strftime('%Y-%m-%d %H:%M')} does not exist in {zone.key}: "
                         "the clocks go forward")
    return first


# ------------------------------------------------------------ date formats ----
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"]
_TOKENS = [  # longest first
    ("YYYY", r"(?P<Y>[0-9]{4})"), ("YY", r"(?P<y>[0-9]{2})"),
    ("MMMM", r"(?P<B>[A-Za-z]+)"), ("MMM", r"(?P<b>[A-Za-z]{3})\.?"), ("MM", r"(?P<M>[0-9]{1,2})"),
    ("M", r"(?P<M>[0-9]{1,2})"), ("DD", r"(?P<D>[0-9]{1,2})"), ("D", r"(?P<D>[0-9]{1,2})"),
    ("HH", r"(?P<H>[0-9]{1,2})"), ("H", r"(?P<H>[0-9]{1,2})"), ("hh", r"(?P<h>[0-9]{1,2})"),
    ("h", r"(?P<h>[0-9]{1,2})"), ("mm", r"(?P<m>[0-9]{2})"), ("ss", r"(?P<s>[0-9]{2})(?:[.,](?P<f>[0-9]{1,6}))?"),
    ("AM", r"(?P<p>[AaPp]\.?[Mm]\.?)"), ("PM", r"(?P<p>[AaPp]\.?[Mm]\.?)"),
    ("Z", r"(?P<z>[Zz]|[+-][0-9]{2}(?::?[0-9]{2})?)"), ("T", "[Tt]"),
]
TOKEN_HINT = ("a format is written with YYYY, YY, MM, M, MMM, MMMM, DD, D, HH, H, hh, h, mm, ss, AM, Z and T; "
              "other characters stand for themselves, e.g. \"MM/DD/YYYY hh:mm AM\"")


class FormatError(ValueError):
    """A date format that cannot be used: ``column`` is the offending position (0-based)."""

    def __init__(self, message: str, column: int = 0):
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class DateFormat:
    pattern: str
    regex: re.Pattern
    has_time: bool

    def parse(self, text: str):
        """(a naive or aware datetime) when ``text`` is written in this format, else None;
        ValueError when it is, but names no real date or time (``02/30/2026``)."""
        m = self.regex.fullmatch(text)
        if m is None:
            return None
        g = m.groupdict()
        year = int(g["Y"]) if g.get("Y") else (2000 + int(g["y"]) if int(g["y"]) < 69 else 1900 + int(g["y"]))
        if g.get("B") or g.get("b"):
            name = (g.get("B") or g.get("b")).lower()
            months = [i for i, mo in enumerate(_MONTHS, 1) if mo == name or (len(name) == 3 and mo.startswith(name))]
            if not months:
                return None
            month = months[0]
        else:
            month = int(g["M"])
        hour = int(g["H"]) if g.get("H") else 0
        if g.get("h"):
            hour = int(g["h"])
            if not 1 <= hour <= 12:
                raise ValueError(f"hour {hour} with AM/PM")
            hour = hour % 12 + (12 if g["p"][0] in "Pp" else 0)
        frac = (g.get("f") or "").ljust(6, "0")
        value = dt.datetime(year, month, int(g["D"]), hour, int(g.get("m") or 0), int(g.get("s") or 0),
                            int(frac or 0))
        z = g.get("z")
        if z:
            if z in ("Z", "z"):
                return value.replace(tzinfo=UTC)
            digits = z[1:].replace(":", "")
            offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:] or 0))
            return value.replace(tzinfo=dt.timezone(offset if z[0] == "+" else -offset))
        return value


@functools.lru_cache(maxsize=256)
def compile_format(pattern: str) -> DateFormat:
    """The :class:`DateFormat` of a pattern; FormatError when it cannot be used."""
    out, seen, i = [], set(), 0
    while i < len(pattern):
        ch = pattern[i]
        if ch.isalpha():
            tok = next((t for t in _TOKENS if pattern.startswith(t[0], i)), None)
            if tok is None:
                run = re.match(r"[A-Za-z]+", pattern[i:])
                word = run.group(0) if run else ch
                raise FormatError(f"`{word}` is not part of a date format", i)
            name, rx = tok
            key = {"YYYY": "Y", "YY": "Y", "MMMM": "M", "MMM": "M", "MM": "M", "M": "M", "DD": "D", "D": "D",
                   "HH": "H", "H": "H", "hh": "H", "h": "H", "mm": "m", "ss": "s", "AM": "p", "PM": "p",
                   "Z": "z", "T": "T"}[name]
            if key in seen and key != "T":
                raise FormatError(f"the format gives the {_WHAT[key]} twice", i)
            seen.add(key)
            if name in ("hh", "h"):
                seen.add("12h")
            out.append(rx)
            i += len(name)
        elif ch.isspace():
            while i < len(pattern) and pattern[i].isspace():
                i += 1
            out.append(r"\s+")
        else:
            out.append(re.escape(ch))
            i += 1
    for key in ("Y", "M", "D"):
        if key not in seen:
            raise FormatError(f"the format has no {_WHAT[key]} ({ {'Y': 'YYYY', 'M': 'MM', 'D': 'DD'}[key]})")
    if ("12h" in seen) != ("p" in seen):
        raise FormatError("hh (1-12) needs AM, and AM needs hh: write `hh:mm AM`, or HH for 0-23"
                          if "12h" in seen else "AM needs an hour from 1 to 12 (hh)")
    if ("m" in seen or "s" in seen) and "H" not in seen:
        raise FormatError("minutes or seconds without an hour")
    if "s" in seen and "m" not in seen:
        raise FormatError("seconds without minutes")
    return DateFormat(pattern, re.compile("".join(out)), "H" in seen)


_WHAT = {"Y": "year", "M": "month", "D": "day", "H": "hour", "m": "minutes", "s": "seconds", "p": "AM/PM",
         "z": "zone offset"}
