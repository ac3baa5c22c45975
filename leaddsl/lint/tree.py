"""Walking the AST: the child nodes of a node, every node below it, and the
conditions directly below ``and``, ``or`` and ``not``.

The context, the solver and the rules all walk the tree; this module imports
nothing of the linter, so they all import it and none imports another for it.
"""
from __future__ import annotations

import dataclasses

from ..front import nodes as n

_FIELDS: dict[type, tuple[str, ...]] = {}


def children(node) -> list:
    """The child nodes of an AST node (like ``Node.children``, with the field
    names looked up once per class: the linter walks every node several times)."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = _FIELDS[type(node)] = tuple(f.name for f in dataclasses.fields(node) if f.name != "span")
    out = []
    for name in names:
        v = getattr(node, name)
        if isinstance(v, n.Node):
            out.append(v)
        elif isinstance(v, tuple):
            out.extend(x for x in v if isinstance(x, n.Node))
    return out


def walk(node):
    """Every node below ``node`` (included), parents first."""
    stack = [node]
    while stack:
        x = stack.pop()
        yield x
        stack.extend(reversed(children(x)))


def bool_children(node) -> list:
    """The conditions directly below ``and``, ``or`` and ``not``."""
    if isinstance(node, n.BoolOp):
        return list(node.operands)
    if isinstance(node, n.Not):
        return [node.operand]
    return []
