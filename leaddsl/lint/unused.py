"""W106, W107, I108, I109: declarations nothing uses.

A declaration is used when a definition, a `let`, a metric or a `where` filter
names it (a field named only in a `where` filter counts; a `let` used only by an
unused `let` counts too, the outer one is reported). Only declarations in the
file that was checked are reported, not those of an included file: a shared
schema declares every column of the CRM export, and each program uses a part.
A file with no `lead` and no `let` (a schema or library file) reports nothing.

Severity: an unused `let` or `metric` is a *warning*: it is a condition
somebody wrote and then forgot to apply, the classic "we agreed on engagement
but the MQL never checks it". An unused `field` or `event` is *information*:
declaring the columns of an export is documentation, not a mistake.

W106 unused-let (warning)
-------------------------
What it finds: A `let` that no definition, `let` or metric uses.

Why it matters: A named condition that nothing applies is usually one the team
agreed on and then forgot to put in the definition; the file reads as if the
condition were in force.

Example::

    field revenue: number
    let big = revenue >= 300M
    lead mql when revenue >= 100M

Fix: Use it where it was meant (`lead mql when big and ...`), or remove it.

W107 unused-metric (warning)
----------------------------
What it finds: A `metric` that no definition or `let` uses.

Why it matters: Like an unused `let`: a behaviour the team meant to measure
plays no part in any definition.

Example::

    event page_view(page_category: text)
    metric visits = count(page_view)
    lead x when page_view(30d) >= 3

Fix: Use it (`visits(30d) >= 3`), or remove it.

I108 unused-field (info)
------------------------
What it finds: A `field` declared in the checked file that nothing reads.

Why it matters: Often harmless (the file documents a column), but it can also
be the trace of a condition that was dropped, or of a misspelled declaration
next to the one actually used.

Example::

    field revenue: number
    field employees: number
    lead big when revenue >= 300M

Fix: Remove it, or move the schema to a shared file that programs `include`.

I109 unused-event (info)
------------------------
What it finds: An `event` declared in the checked file that no metric, count or
sequence uses.

Why it matters: As for fields: documentation, or the trace of a behaviour that
the definitions were meant to look at.

Example::

    event page_view(page_category: text)
    event download(asset: text)
    lead x when page_view(30d) >= 3

Fix: Remove it, or move the schema to a shared file that programs `include`.
"""
from __future__ import annotations

from . import rule
from .docs import register_doc

register_doc(__doc__)


@rule
def unused_declarations(ctx, diags):
    scope = ctx.scope
    used = ctx.analysis.used
    if not scope.leads and not scope.lets:
        return
    for name, decl in scope.lets.items():
        if ("let", name) not in used and ctx.in_root_file(decl.name_span):
            diags.add("W106", decl.name_span, f"let `{name}` is never used",
                      f"use it in a definition (`lead ... when {name} and ...`) or remove it")
    for name, decl in scope.metrics.items():
        if ("metric", name) not in used and ctx.in_root_file(decl.name_span):
            diags.add("W107", decl.name_span, f"metric `{name}` is never used",
                      f"use it in a condition (`{name}(30d) >= 1`) or remove it")
    for name, info in scope.fields.items():
        if ("field", name) not in used and info.decl is not None and ctx.in_root_file(info.decl.name_span):
            diags.add("I108", info.decl.name_span, f"field `{name}` is never used",
                      "remove it, or keep the schema in a shared file that programs include")
    for name, info in scope.events.items():
        if info.declared and ("event", name) not in used and info.decl is not None \
                and ctx.in_root_file(info.decl.name_span):
            diags.add("I109", info.decl.name_span, f"event `{name}` is never used",
                      "remove it, or keep the schema in a shared file that programs include")
