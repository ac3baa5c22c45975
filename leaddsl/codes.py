"""Every diagnostic code: its id, slug, severity and documentation.

Codes are stable: never renumber or reuse one. ``E0xx`` syntax, ``E1xx``
literals, ``E2xx`` names and includes, ``E3xx`` types, ``W1xx``/``I1xx`` lint.
Each entry documents what it finds, why it matters, an example that triggers
it (a test checks that it really does) and the fix. Lint rules (W/I) live in
``leaddsl/lint/`` and register themselves here.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    slug: str
    severity: str
    summary: str
    why: str
    example: str
    fix: str

    def render(self) -> str:
        ex = "\n".join("    " + line for line in self.example.strip("\n").splitlines())
        return (
            f"{self.code} ({self.slug}) — {self.severity}\n\n"
            f"What it finds: {self.summary}\n\n"
            f"Why it matters: {self.why}\n\n"
            f"Example:\n{ex}\n\n"
            f"Fix: {self.fix}\n"
        )


CODES: dict[str, Code] = {}


def register(code: str, slug: str, severity: str, summary: str, why: str, example: str, fix: str) -> Code:
    c = Code(code, slug, severity, summary, why, example, fix)
    CODES[code] = c
    return c


_E = "error"

# ---- E0xx: syntax -------------------------------------------------------------
register("E001", "syntax-error", _E,
         "The parser met a token it cannot use here; among others a value of several words written "
         "without quotes (`industry = Life Sciences`), as CRM filters allow.",
         "The file cannot be read at all until the statement is written correctly.",
         "lead mql revenue >= 300M",
         "Write the statement as the message says is expected (here: `lead mql when revenue >= 300M`). "
         "Quote a value of several words: `industry = \"Life Sciences\"` (an enum member is one word: "
         "`life_sciences`).")
register("E002", "unexpected-character", _E,
         "A character that is not part of the language (`&&`, `!`, `'`, `@` ...).",
         "leaddsl spells its operators as words; a stray character usually means another language's habit.",
         "lead mql when a = 1 && b = 2",
         "Use `and`, `or`, `not`, double-quoted text and the operators of the language.")
register("E003", "unterminated-text", _E,
         "A text literal whose closing double quote is missing on the same line.",
         "Everything after the quote would be read as text.",
         'lead mql when title = "Vice President',
         "Close the text with `\"` on the same line.")
register("E004", "nesting-too-deep", _E,
         "An expression whose operators nest more deeply than the limit (200 levels).",
         "No reviewer can read such an expression, and evaluating it would exhaust the stack.",
         "lead x when " + "not " * 300 + "a = 1",
         "Split the expression into named `let` conditions.")
register("E005", "unexpected-end", _E,
         "The file ends in the middle of a statement.",
         "The last statement is incomplete and cannot be evaluated.",
         "lead mql when revenue >=",
         "Finish the statement.")
register("E006", "reserved-word", _E,
         "A reserved word used as a name.",
         "Reserved words (`and`, `in`, `missing`, ...) shape the grammar; a name spelled like one is ambiguous.",
         "field missing: bool",
         "Pick another name, or write it in backticks: `` `missing` ``.")
register("E007", "unreadable-file", _E,
         "A definition file that cannot be read (missing, a folder, a device or pipe, a path with a NUL "
         "character, too long or a loop of symbolic links), is larger than 8 MiB, or is not UTF-8 text.",
         "Nothing in it can be checked.",
         "(a file saved as Latin-1 with an accented character)",
         "Save the file as UTF-8.")
register("E008", "wrong-operator", _E,
         "An operator from another language, or mistyped: `==` or `<>`, `=<` or `=>`; SQL's `like` (also "
         "`not like`); `not contains` "
         "(or `not starts with` ...) after the left side; keywords in capitals (`AND`, `OR`, `NOT`, `IS MISSING`).",
         "leaddsl compares with `=` and `!=`, spells its keywords in lower case and puts `not` before a "
         "condition; accepting several spellings would make reviews harder.",
         "lead mql when revenue == 300M",
         "Write `=` for equality and `!=` for inequality; `title like \"%VP%\"` is `title contains \"VP\"` "
         "(`\"VP%\"`: `starts with`, `\"%VP\"`: `ends with`, other patterns: `matches`); "
         "`x not contains \"a\"` is `not (x contains \"a\")`; `AND` is `and`.")

# ---- E1xx: literals -------------------------------------------------------------
register("E101", "bad-number", _E,
         "A number literal with a suffix or sign the language does not know (`300m`, `$300M`, `3e8`, `12x`).",
         "`300m` could mean million or milli; money signs and scientific notation hide typos. "
         "Definitions are strict so that a reviewer reads the same number the interpreter does.",
         "lead big when revenue >= 300m",
         "Write the number with a suffix `k`, `M`, `B` or `T` (upper-case M: `300M`) or in full (`300000000`).")
register("E102", "bad-duration", _E,
         "A duration that is zero, or a duration where a number is expected, or a number where a duration is expected.",
         "Windows and `within` need a positive length of time; `30` alone says nothing of the unit.",
         "lead hot when page_view(0d) >= 1",
         "Write a positive duration with a unit: `30min`, `12h`, `1d`, `2w`.")
register("E103", "bad-date", _E,
         "A date or datetime literal that is not a real calendar date or time, or a date written with a "
         "one-digit month or day (`2026-1-31`, which would otherwise be the subtraction 2026 - 1 - 31).",
         "A date that does not exist can never be compared meaningfully; a date read as arithmetic compares "
         "with the number 1994 and silently answers the wrong question.",
         "lead x when created_at > 2026-02-30",
         "Write a valid ISO 8601 date (`2026-02-28`) or datetime (`2026-02-28T09:30:00Z`).")
register("E104", "bad-escape", _E,
         "A backslash escape in text other than `\\\"`, `\\\\` and `\\n`.",
         "Unknown escapes are usually a mistyped pattern.",
         'lead x when title = "a\\q"',
         "Use only `\\\"`, `\\\\` and `\\n`; write a literal backslash as `\\\\`.")
register("E105", "bad-regex", _E,
         "A `matches` pattern that RE2 rejects.",
         "The pattern would fail on every record; RE2 (linear time) is also what the SQL backends use.",
         'lead x when email matches "(unclosed"',
         "Fix the regular expression (RE2 syntax: no back-references or look-arounds).")
register("E106", "bad-set", _E,
         "A set member that is not a literal or a symbol (`{United States, Canada}`: a bare member of several "
         "words), a set whose members mix types, or a list in SQL's parentheses: `x in (\"a\", \"b\")`.",
         "Sets are written constants; an expression inside one cannot be reviewed as a list of values.",
         "lead x when hq_country in {US, 1 + 2}",
         "Write each member as a literal (`\"Canada\"`, `5`) or a bare symbol (`US`); quote members of several "
         "words (`{\"United States\", \"Canada\"}`); write sets in braces: `x in {\"a\", \"b\"}`.")
register("E110", "bad-date-format", _E,
         "A `format` of a date or datetime field that cannot be read: a letter that is no part of the pattern "
         "language (`YYY`, `dd`), no year, month or day, `hh` without `AM` (or the reverse), minutes without hours.",
         "Every value of the field is read through the format; a mistyped one would make every value a bad value, "
         "or read days as months.",
         'field created: datetime format "MM/DD/YYY hh:mm AM"\nlead x when created is present',
         "Write the pattern with YYYY, YY, MM, M, MMM, MMMM, DD, D, HH, H, hh, h, mm, ss, AM, Z and T; every "
         "other character stands for itself: `format \"MM/DD/YYYY hh:mm AM\"`.")

# ---- E2xx: names and includes ----------------------------------------------------
register("E201", "unknown-name", _E,
         "A name that is not a let, lead, metric, event or declared field.",
         "Once a program declares fields, every attribute must be declared, so a typo cannot silently read nothing.",
         "field revenue: number\nlead big when revenu >= 300M",
         "Fix the spelling (the hint suggests the closest name) or declare the field.")
register("E202", "duplicate-name", _E,
         "Two declarations with the same name; also a property declared twice in one event, `ts`, "
         "`type` or `lead_id` as a property, and an output (definition, score, band, route) named "
         "`stage` or `error`, the names of two columns of every output row.",
         "Only one of them could be meant; leaddsl does not guess which. An output named `error` "
         "would share its column with the row's error message.",
         "let big = true\nlet big = false\nlead x when big",
         "Rename or remove one of them.")
register("E203", "unknown-event", _E,
         "An aggregate or sequence over an event type that is not declared.",
         "The aggregate would count nothing.",
         "event page_view(page_category: text)\nmetric m = count(page_veiw)\nlead x when m >= 1",
         "Fix the spelling or declare the event with `event NAME(...)`.")
register("E204", "unknown-property", _E,
         "A property of an event that its declaration does not list.",
         "The condition would read nothing and the event would never be counted.",
         "event download(asset: text)\nmetric m = count(download where assett = whitepaper)\nlead x when m >= 1",
         "Fix the spelling or add the property to the event declaration.")
register("E205", "include-not-found", _E,
         "An `include` whose file does not exist or cannot be read: a folder, a device or pipe, a path "
         "with a NUL character, too long for the operating system, or a loop of symbolic links.",
         "The statements it should bring are missing.",
         'include "common/nowhere.lead"',
         "Fix the path; it is relative to the including file.")
register("E206", "include-outside-root", _E,
         "An `include` with an absolute path or one that leaves the directory of the first file loaded.",
         "Definition files are reviewed as one folder; reading files from elsewhere would escape that review.",
         'include "../../etc/passwd"',
         "Move the file under the definitions folder and include it with a relative path.")
register("E207", "include-cycle", _E,
         "Files that include each other.",
         "The program would have no end.",
         'include "self.lead"   # in self.lead',
         "Remove one of the includes.")
register("E208", "definition-cycle", _E,
         "A let, lead or metric whose definition refers back to itself; also a chain of more than 50 named "
         "conditions each naming the next (`let l0 = l1 or ...`, ..., `let l51 = ...`), which no reader can follow.",
         "Its value would depend on itself and has no meaning; a chain that long is as hard to review as a cycle "
         "(and would exhaust the evaluator's stack).",
         "let a = b\nlet b = a\nlead x when a",
         "Break the cycle by writing one of the conditions in full.")
register("E209", "bad-stage", _E,
         "A `stages` entry that is not a lead definition, a stage listed twice, or a second `stages` statement.",
         "The funnel could not give each lead a stage.",
         "lead mql when true\nstages mql < sql",
         "List each lead definition at most once, in one `stages` statement.")
register("E210", "bad-window", _E,
         "A window `(7d)` on something that is not an event type or metric, or `any` on an aggregate where it has no meaning (min, max, first, last).",
         "Only event counts and metrics vary over time; `max` over the best window is just `max`.",
         "field revenue: number\nlead x when revenue(7d) >= 1",
         "Put the window on an event or metric; drop `any` for min, max, first and last.")
register("E211", "unknown-aggregate", _E,
         "A metric whose aggregate is not count, sum, min, max, days, first or last, or one that needs a property "
         "and has none (or the reverse); an aggregate written in a condition (`lead x when count(purchase) >= 2`) "
         "rather than as a metric.",
         "The metric has no defined value; an aggregate is named once, as a metric, so that every definition "
         "counts the same events.",
         "event purchase(amount: number)\nmetric m = average(purchase.amount)\nlead x when m > 5",
         "Use one of count, sum, min, max, days, first, last; sum/min/max take `event.property`.")
register("E212", "unknown-type", _E,
         "A field or property type that is not number, text, bool, date, datetime, enum(...), ordinal(...) or list(...).",
         "Values could not be read from the data.",
         "field revenue: integer",
         "Use one of the types (the hint suggests the closest).")
register("E213", "bad-members", _E,
         "An enum or ordinal with a repeated member (members ignore case) or without members.",
         "Values could not be read unambiguously.",
         "field tier: enum(gold, Gold)",
         "List each member once.")
register("E214", "unknown-member", _E,
         "A symbol compared with an enum or ordinal field that is not one of its members.",
         "The comparison could never be true; it is almost always a typo.",
         "field industry: enum(life_science, energy)\nlead x when industry = life_sciense",
         "Use one of the members (the hint suggests the closest), or add the member to the field's type.")
register("E215", "bad-sequence", _E,
         "A side of `then` that is not an event type, a count metric or `(event where ...)`, or `(event where ...)` used outside `then`.",
         "A sequence relates the times of two events.",
         "field revenue: number\nlead x when revenue then page_view within 2d",
         "Write `EVENT then EVENT within DURATION`, with `(EVENT where CONDITION)` on either side.")
register("E216", "where-reads-aggregate", _E,
         "A `where` filter that names a lead definition, a metric or an event count (directly or through a let).",
         "A `where` looks at one event at a time: its properties and the lead's fields. A lead or a metric is a "
         "value of the whole lead, computed from all its events, so it has no meaning per event.",
         "event page_view(page_category: text)\nmetric views = count(page_view)\n"
         "metric busy_views = count(page_view where views > 10)\nlead x when busy_views >= 1",
         "Move the condition out of the filter, next to the metric: `metric product_views = count(page_view "
         "where page_category = product)` and `lead x when views > 10 and product_views >= 1`.")
register("E217", "bad-definition-header", _E,
         "A wrong entry in a `definition \"...\" { ... }` header: an unknown key, a key given twice, a value "
         "of the wrong kind (`effective` takes a date, `review` a duration or a date, `owner` texts, "
         "`agreed_by` a side and a person), `review: 90d` without an `effective` date, or a second header.",
         "The header records the agreement (who owns the definition, who agreed, from when it is in force, "
         "when it is due for review); `eval --stamp`, `diff` and the review warning read it, so a misspelt "
         "key would silently record nothing.",
         'definition "Acme MQL" { owner: "Marketing Ops"; efective: 2026-12-01 }\nlead mql when x = 1',
         "Use the entries `version`, `owner`, `agreed_by`, `effective`, `review`, `description`, each once, "
         "with a value of its kind: `effective: 2026-12-01`, `review: 90d`, "
         "`agreed_by: marketing \"Dana Diaz\", sales \"Sam Lee\"`.")
register("E230", "alias-conflict", _E,
         "One spelling claimed by two members of an enum or ordinal: an alias of two members, an alias that is "
         "another member's name (ignoring case and white space), or a `missing` marker that is also a member "
         "or an alias.",
         "A value written that way in the input could be either member; leaddsl would have to pick one silently.",
         'field industry: enum(life_science ("Biotech"), biotech)\nlead x when industry = life_science',
         "Keep the spelling on the one member it stands for, and remove it from the other.")
register("E231", "unknown-zone", _E,
         "A `zone` that is not an IANA time zone name.",
         "Zone-less times of the field would be read in a zone that does not exist.",
         'field created: datetime zone "America/NewYork"\nlead x when created is present',
         "Name the zone as the IANA database does: `zone \"America/New_York\"`, `\"Europe/Berlin\"`, `\"UTC\"` "
         "(the hint suggests the closest name).")
register("E232", "unknown-currency", _E,
         "A `currency` that is not an ISO 4217 code (upper-case, three letters).",
         "Amounts are checked against the declared currency; an unknown code would make every amount that names "
         "its currency a bad value.",
         "field revenue: number currency usd\nlead x when revenue >= 300M",
         "Write the ISO 4217 code in capitals: `currency USD`, `currency EUR`.")
register("E233", "duplicate-option", _E,
         "A reading option (`missing`, `format`, `zone`, `currency`, `bad as ...`, `from`) given twice for one "
         "field or property.",
         "Two options would disagree on how the value is written; leaddsl does not pick one silently.",
         'field created: datetime zone "UTC" zone "Europe/Berlin"\nlead x when created is present',
         "Give each option once; list several markers or formats in one option: `missing \"#N/A\", \"TBD\"`.")

# ---- E3xx: types -------------------------------------------------------------------
register("E301", "type-mismatch", _E,
         "Two sides of a comparison whose types cannot be compared (a number with text, a date with a number ...); "
         "a text operator (`contains`, `starts with`, `ends with`, `matches`) given a set.",
         "Such a comparison is a mistake; leaddsl does not convert silently.",
         'field revenue: number\nlead big when revenue >= "300M"',
         "Compare values of the same type: `revenue >= 300M`. For several texts join the tests with `or`: "
         "`title contains \"VP\" or title contains \"Chief\"` (or `title matches \"VP|Chief\"`).")
register("E302", "unsupported-operator", _E,
         "An operator the operand's type does not have (`<` on text, `contains` on a number, `has` on a non-list ...).",
         "The operator has no meaning for that type (SPEC section 3 lists each type's operators).",
         'field title: text\nlead x when title > "m"',
         "Use an operator of the type: `=`, `in`, `contains`, `starts with`, `matches` for text.")
register("E303", "not-a-condition", _E,
         "A lead definition, `not`, `and` or `or` whose operand is a value, not a condition.",
         "A number or text on its own is neither true nor false.",
         "field revenue: number\nlead x when revenue",
         "Compare the value: `revenue >= 300M`.")
register("E304", "bad-arithmetic", _E,
         "`+ - * /` on something that is not a number.",
         "Arithmetic is only defined on numbers.",
         'field title: text\nlead x when title + 1 > 2',
         "Only use arithmetic on number fields and metrics.")
register("E305", "bad-collection", _E,
         "The right side of `in`, `has any` or `has all` is not a set.",
         "Membership needs a set of values.",
         "field country: text\nlead x when country in US",
         "Write a set: `country in {US, CA}`.")

# ---- E4xx: scores, bands and routes ------------------------------------------------
register("E401", "bad-score-rule", _E,
         "A score rule that cannot give points as written: points written as a duration, a `max` that is not "
         "a positive number, a `max` on a condition rule (only `each` rules are capped), or `each` on something "
         "that is not a count of events (or on an `any` window).",
         "A score adds up points; a rule whose points or cap cannot be read, or whose `each` has no events to "
         "count, would give a number nobody agreed to.",
         "event visit\nmetric latest = last(visit)\nscore engagement {\n    each latest +2\n}",
         "Write the points as a signed number against the condition (`+10`, `-5`); give `max` a positive number "
         "of points; use `each` with an event type or a `count(...)` metric over a plain window: "
         "`each visit(30d) +2 max 20`.")
register("E402", "bad-decay", _E,
         "`decay half_life D` on a rule whose points cannot decay: a condition that reads no events, a condition "
         "with an `any` window, or a half-life that is not a duration.",
         "Decay is computed from the age of the events that gave the points; without events (or with a window "
         "whose events change with every new one) there is no age to decay by.",
         "field industry: text\nscore fit {\n    industry = \"Biotech\" +20 decay half_life 30d\n}",
         "Remove `decay` from rules about fields, or decay a rule that counts events over a plain window: "
         "`webinar_attend(90d) >= 1 +15 decay half_life 30d`.")
register("E403", "bad-band", _E,
         "A band statement whose ranges do not cover the score exactly once: a threshold written `< 20 <` "
         "(20 in no band) or `<= 20 <=` (in two), thresholds that do not increase, a band named twice, or a "
         "band on a value that is not a number.",
         "Each score must fall in exactly one band, or reports and routing disagree about the same lead.",
         "score fit { industry = \"Biotech\" +20 }\nband grade on fit { C < 10 < B < 5 <= A }",
         "Write the bands from the lowest score to the highest, each threshold between `<` and `<=`: "
         "`band grade on fit { C < 10 <= B < 20 <= A }`.")
register("E404", "bad-route", _E,
         "A route `for` a name that is not a lead definition.",
         "A route assigns the leads of one definition; without that definition nothing says which leads to route.",
         "route owner for mqls { emea_team when true; else inbound_queue }",
         "Name a lead definition: `route owner for mql { ... }`.")
# ---- E5xx: SQL ----------------------------------------------------------------------
register("E501", "not-expressible-in-sql", _E,
         "A construct that `leaddsl sql`, `Program.to_sql` or `eval --engine duckdb|spark` cannot translate into the "
         "chosen SQL dialect so that it answers exactly as the Python evaluator does: a schemaless value (a name "
         "no `field` declares) that no comparison gives a type (one compared with a number, a text, a set or a "
         "date is read by that type and translated), a comparison of two schemaless values, a `format` or "
         "`zone` reading option (where "
         "the dialect cannot read it exactly), `matches` outside duckdb and bigquery (whose regular "
         "expressions are RE2), a list used other than in `has`, `is empty` or `is missing`.",
         "A query that answers differently from the interpreter would be wrong in silence; leaddsl refuses to "
         "write it and says which construct and where, before any SQL runs.",
         "lead x when company_name matches \"^acme\"   # sql --dialect postgres",
         "Declare the fields the definitions read (`field company_name: text`), choose a dialect that can "
         "express the construct (`--dialect duckdb`), or evaluate these definitions with the Python engine.")
register("E310", "option-not-for-type", _E,
         "A reading option on a type it does not fit: `format` on a field that is not a date or datetime, `zone` "
         "on a field that is not a datetime, `currency` on a field that is not a number, `from` on an event "
         "property, a `ts` declared with a type other than datetime, an empty `missing` marker.",
         "The option would be ignored, so the file would say something about the data that is not applied.",
         'field title: text currency USD\nlead x when title is present',
         "Remove the option, or declare the field with the type the option is for (`field revenue: number "
         "currency USD`).")
