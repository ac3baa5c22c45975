"""Room for recursion: the compiler's passes and sqlglot walk a definition by recursion, a
few frames per level, so a definition nested as deep as the parser takes (200 levels) needs
thousands of frames, more than Python's default limit (1,000) leaves once the caller's own
frames (a web framework, a test runner) are counted. :func:`deep` runs such work on a thread
with a large stack and a recursion limit to match."""
from __future__ import annotations

import sys
import threading

STACK_BYTES = 512 * 2 ** 20  # virtual: the pages a run does not touch are never allocated
RECURSION = 200_000
_NAME = "leaddsl-deep"
_LOCK = threading.Lock()  # (the recursion limit and the stack size of new threads are the process's)


def deep(work):
    """``work()``, on a thread with room for deep recursion (at once when this is one); its
    exception, if any, is raised here."""
    if threading.current_thread().name == _NAME:
        return work()
    out: dict = {}

    def run():
        try:
            out["value"] = work()
        except BaseException as e:  # noqa: BLE001 - raised again on the caller's thread
            out["error"] = e
    with _LOCK:
        before = sys.getrecursionlimit()
        try:
            old = threading.stack_size(STACK_BYTES)
        except (ValueError, RuntimeError):  # a platform that refuses the size: the default stack
            old = threading.stack_size()
        try:
            thread = threading.Thread(target=run, name=_NAME, daemon=True)  # (Ctrl-C: the process still ends)
            sys.setrecursionlimit(max(before, RECURSION))
            thread.start()
        finally:
            threading.stack_size(old)
        try:
            thread.join()
        finally:
            sys.setrecursionlimit(before)
    if "error" in out:
        raise out["error"]
    return out["value"]
