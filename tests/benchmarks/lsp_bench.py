"""How long the language server takes to show diagnostics for a large file.

Starts `python -m leaddsl lsp`, opens a generated file of N definitions (the
generator of lint_bench.py), then makes edits as a person types (a number in a
definition in the middle of the file changed, a line added at the top, a
half-typed condition) and times each edit from the change sent to the first
diagnostics published (the front end: syntax, names, types) and to the last
(the linter, which runs after them with its time budget). The times include the
server's pause after a keystroke (LEADDSL_LSP_DEBOUNCE, 0.15 s).

    python tests/benchmarks/lsp_bench.py            # 1,000 definitions, 5 edits of each kind
    python tests/benchmarks/lsp_bench.py --n 5000
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from lint_bench import generate  # noqa: E402
from lsp.test_lsp_server import Session  # noqa: E402


async def bench(n: int, edits: int) -> None:
    text = generate(n)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.lead"
        path.write_text(text)
        s = Session()
        await s.start(Path(tmp))
        stamps: list[float] = []
        original = s.client.protocol.fm.features.get("textDocument/publishDiagnostics")

        def published(params):
            stamps.append(time.perf_counter())
            original(params)
        s.client.protocol.fm.features["textDocument/publishDiagnostics"] = published
        try:
            t0 = time.perf_counter()
            uri = s.open(path, text)
            await s.diagnostics_for(uri, timeout=120)
            print(f"{n:,} definitions, {len(text):,} characters: first diagnostics after opening "
                  f"{stamps[0] - t0:.2f} s")
            await asyncio.sleep(8)  # let the first lint finish
            lines = text.split("\n")
            middle = next(k for k in range(len(lines) // 2, len(lines)) if lines[k].startswith("lead "))
            kinds = {
                "change a definition in the middle": lambda k: "\n".join(
                    lines[:middle] + [lines[middle] + f" or x{k} >= {k}"] + lines[middle + 1:]),
                "add a line at the top": lambda k: "\n".join([f"# note {k}"] * (k + 1) + lines),
                "half-typed condition": lambda k: "\n".join(lines[:middle] + ["lead typing when revenue >= "]
                                                            + lines[middle:]),
            }
            for label, make in kinds.items():
                first, last = [], []
                for k in range(edits):
                    stamps.clear()
                    t0 = time.perf_counter()
                    s.edit(uri, make(k))
                    await s.diagnostics_for(uri, timeout=60)
                    await asyncio.sleep(7)  # the lint's budget is 5 s
                    first.append(stamps[0] - t0)
                    last.append(stamps[-1] - t0)
                print(f"  {label}: diagnostics in {statistics.median(first):.2f} s median, {max(first):.2f} s max; "
                      f"with the lint {statistics.median(last):.2f} s median")
        finally:
            await s.stop()


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=1000, help="definitions in the generated file (default 1000)")
    ap.add_argument("--edits", type=int, default=5, help="edits of each kind (default 5)")
    args = ap.parse_args(argv)
    asyncio.run(bench(args.n, args.edits))


if __name__ == "__main__":
    main()
