#!/usr/bin/env python3
"""Instruction counts under valgrind's callgrind: a deterministic second opinion on bench.py.

Wall-clock ratios on a shared 2-core virtual machine move by +-30% from run to run. Instructions
executed do not: the same binary, data and seed give the same count. This script counts the
instructions of the hand-written baselines and of ``Program.evaluate_many`` on the same fixed-seed
leads (bench.py's generator), subtracting a run that only loads the data and compiles the rules.

    python tests/benchmarks/instructions.py [--n 5000]

Needs ``valgrind`` on the PATH (Debian: apt-get install valgrind). Instructions are not time
(cache misses and allocation differ), so read this beside bench.py's table, not instead of it.
"""
from __future__ import annotations

import argparse
import os
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

WORKER = r'''
import gc, pickle, sys
sys.path.insert(0, {here!r}); sys.path.insert(0, {repo!r})
import bench, leaddsl
recs = pickle.load(open({data!r}, "rb"))
gc.freeze()
fit = leaddsl.compile(bench.FIT_PROGRAM); fit._build()
hot = leaddsl.compile(bench.HOT_PROGRAM); hot._build()
hot_hand = bench.make_hot_handwritten(bench.AS_OF)
tens = {{k: leaddsl.compile(t) for k, t in (("score", bench.SCORE_PROGRAM), ("and", bench.CLAUSES_AND_PROGRAM),
                                             ("or", bench.CLAUSES_OR_PROGRAM))}}
for p in tens.values():
    p._build()
mode = sys.argv[1]
if mode == "hand fit":
    x = [bench.fit_handwritten(r) for r in recs]
elif mode == "leaddsl fit":
    x = list(fit.evaluate_many(recs, as_of=bench.AS_OF))
elif mode == "hand hot":
    x = [hot_hand(r) for r in recs]
elif mode == "leaddsl hot":
    x = list(hot.evaluate_many(recs, as_of=bench.AS_OF))
elif mode.startswith("ten "):  # a score of 10 rules, or the 10 conditions as clauses of one definition
    x = list(tens[mode[4:]].evaluate_many(recs, as_of=bench.AS_OF))
'''


def count(script: str, mode: str, out: str) -> int:
    env = dict(os.environ, PYTHONHASHSEED="0")  # string hashing, and so dict layouts, the same every run
    r = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, script, mode],
                       capture_output=True, text=True, env=env)
    m = re.search(r"Collected : (\d+)", r.stderr)
    if not m:
        raise SystemExit(f"callgrind failed for {mode}:\n{r.stderr[-2000:]}")
    return int(m.group(1))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    args = ap.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed; this measurement needs it")
    sys.path.insert(0, str(HERE))
    import bench
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "leads.pkl")
        with open(data, "wb") as f:
            pickle.dump(bench.generate(args.n), f)
        script = os.path.join(tmp, "worker.py")
        Path(script).write_text(WORKER.format(here=str(HERE), repo=str(HERE.parents[1]), data=data))
        base = count(script, "none", os.path.join(tmp, "cg.none"))
        rows = {}
        for mode in ("hand fit", "leaddsl fit", "hand hot", "leaddsl hot", "ten score", "ten and", "ten or"):
            rows[mode] = (count(script, mode, os.path.join(tmp, "cg." + mode.replace(" ", "_"))) - base) / args.n
    print(f"instructions per lead (callgrind, N={args.n:,}, seed {bench.SEED})")
    print(f"{'engine':<10} | {'rule':<4} | {'instructions/lead':>17} | ratio to hand-written (speed)")
    for rule in ("fit", "hot"):
        hand = rows[f"hand {rule}"]
        ours = rows[f"leaddsl {rule}"]
        print(f"{'hand':<10} | {rule:<4} | {hand:>17,.0f} | -")
        print(f"{'leaddsl':<10} | {rule:<4} | {ours:>17,.0f} | {hand / ours:.3f}x")
    print("a score of 10 rules and the same 10 conditions as the clauses of one definition:")
    for kind in ("score", "and", "or"):
        print(f"  {kind:<6} {rows['ten ' + kind]:>12,.0f} instructions/lead")
    for kind in ("and", "or"):
        print(f"  score / `{kind}` definition: {rows['ten score'] / rows['ten ' + kind]:.3f}")


if __name__ == "__main__":
    main()
