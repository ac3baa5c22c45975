"""The lifecycle tools: test files (``testing``), the impact of a change (``diff``),
and reading a version of a definition from a file or a git revision (``versions``).

They use the public API, the runtime and ``io``; nothing below imports them.
"""
