"""The lifecycle tools: test files (``testing``), the impact of a change (``diff``),
reading a version of a definition from a file or a git revision (``versions``), and
learning from history (``history``, ``backtest``, ``observe``, ``meeting`` with ``svg``,
``suggest``).

They use the public API, the runtime and ``io``; nothing below imports them.
"""
