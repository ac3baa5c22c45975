"""The plan and the runtime: one lowering of the checked program, the evaluator generated from it, and `explain`."""
