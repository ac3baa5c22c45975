"""Files and includes: containment, cycles, every file read once."""
from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from . import nodes as n
from .builder import build
from ..diagnostics import Diagnostics
from .parser import parse, tree_depth_ok
from ..source import Source, Span

MAX_FILE_BYTES = 8 * 1024 * 1024


@dataclass
class Loaded:
    modules: list[n.Module] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)
    syntax_errors: bool = False
    broken: set[str] = field(default_factory=set)  # names declared by statements that did not parse

    @property
    def statements(self) -> list:
        return [s for m in self.modules for s in m.body if not isinstance(s, n.Include)]


def _display(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
        return rel if not rel.startswith("..") else str(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


def compile_text(text: str, filename: str, diags: Diagnostics, root: Path | None = None) -> Loaded:
    loaded = Loaded()
    size = len(text) if len(text) * 4 <= MAX_FILE_BYTES else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_FILE_BYTES:
        diags.add("E007", Span(filename, 1, 1, 1, 2), f"the text is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                  "split the definitions into several files")
        return loaded
    base = Path(filename)
    path = _resolve(base)[0] if base.name else None  # a filename that is no path is only a label
    if root is None:  # the file's folder; the working folder for "<string>"
        root = (_resolve(base.parent)[0] if base.parent != Path("") else None) or Path.cwd().resolve()
    _load_text(text, filename, path, root, loaded, diags, [])
    return loaded


def load_file(path: str | os.PathLike, diags: Diagnostics) -> Loaded:
    loaded = Loaded()
    p = Path(path)
    name = _display(p)
    target, problem = _resolve(p)
    if problem is not None:
        diags.add("E007", Span(_shown(name), 1, 1, 1, 1), f"`{_shown(name)}` {problem}", _PATH_HINT)
        return loaded
    text = _read(target, name, None, diags, f"`{_shown(name)}`")
    if text is not None:
        _load_text(text, name, target, target.parent, loaded, diags, [])
    return loaded


_PATH_HINT = "give the path of a .lead file"
_INCLUDE_HINT = "include a .lead file by its path relative to the including file"


def _shown(path: str) -> str:
    """A path for a message: control characters (a NUL ...) escaped, long paths cut."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in path)
    return text if len(text) <= 120 else text[:60] + "..." + text[-40:]


def _resolve(path: Path) -> tuple[Path | None, str | None]:
    """``path.resolve()``, or why it has none: a message such as "holds a NUL character"."""
    try:
        return path.resolve(), None
    except ValueError:  # "embedded null byte"
        return None, "holds a NUL character and cannot be a file name"
    except RuntimeError:  # Python before 3.13: "Symlink loop from ..."
        return None, "is a loop of symbolic links"
    except OSError as e:
        return None, _os_problem(e)


def _os_problem(e: OSError) -> str:
    if e.errno == errno.ELOOP:
        return "is a loop of symbolic links"
    if e.errno == errno.ENAMETOOLONG:
        return "is too long a path for the operating system"
    return f"cannot be read: {e.strerror or e}"


def _read(path: Path, name: str, span: Span | None, diags: Diagnostics, what: str) -> str | None:
    """The text of a definition file, or None after a diagnostic. Only regular files
    are read (a folder, device, pipe or socket is refused without reading, so that
    neither /dev/zero nor a FIFO can hang or exhaust memory), and at most
    MAX_FILE_BYTES + 1 bytes of them. ``what`` names the file in messages; ``span``
    is the `include` that asked for it (E205), or None for the file given to load (E007)."""
    where = span or Span(name, 1, 1, 1, 1)
    code, hint = ("E205", _INCLUDE_HINT) if span else ("E007", _PATH_HINT)
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just below
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        diags.add(code, where, f"{what} does not exist" + (f" (looked for {name})" if span else ""), hint)
        return None
    except IsADirectoryError:  # Windows
        diags.add(code, where, f"{what} is a folder, not a .lead file", hint)
        return None
    except OSError as e:
        diags.add(code, where, f"{what} {_os_problem(e)}", hint)
        return None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        kind = "a folder, not a .lead file" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, pipe or socket)"
        diags.add(code, where, f"{what} is {kind}", hint)
        return None
    with os.fdopen(fd, "rb") as f:
        try:
            data = f.read(MAX_FILE_BYTES + 1)
        except OSError as e:
            diags.add(code, where, f"{what} {_os_problem(e)}")
            return None
    if len(data) > MAX_FILE_BYTES:
        size = max(info.st_size, len(data))
        diags.add("E007", where, f"{what} is {size:,} bytes; the limit is {MAX_FILE_BYTES:,}",
                  "split the definitions into several files")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        diags.add("E007", Span(name, line, 1, line, 2), f"`{name}` is not UTF-8 text (byte {e.start})",
                  "save the file as UTF-8")
        return None
    if "\0" in text:
        diags.add("E007", Span(name, 1, 1, 1, 2), f"`{name}` holds NUL bytes and is not a text file")
        return None
    return text


def _load_text(text: str, name: str, path: Path | None, root: Path, loaded: Loaded,
               diags: Diagnostics, stack: list[Path]) -> None:
    source = Source(name, text)
    loaded.sources[name] = source
    before = len(diags)
    tree = parse(source, diags, loaded.broken)
    if len(diags) > before:
        loaded.syntax_errors = True
    if tree is None or not tree_depth_ok(tree, source, diags):
        loaded.syntax_errors = True
        return
    module = build(tree, name, diags)
    loaded.modules.append(module)
    here = path.parent if path is not None else root
    for stmt in module.body:
        if isinstance(stmt, n.Include):
            _include(stmt, here, root, loaded, diags, stack + ([path] if path else []))


def _include(stmt: n.Include, here: Path, root: Path, loaded: Loaded, diags: Diagnostics,
             stack: list[Path]) -> None:
    raw = stmt.path
    shown = _shown(raw)
    if not raw.strip():
        diags.add("E205", stmt.span, "`include` needs a file path")
        return
    if os.path.isabs(raw) or raw.startswith(("/", "\\")) or (len(raw) > 1 and raw[1] == ":"):
        diags.add("E206", stmt.span, f"`{shown}` is an absolute path",
                  "include files with a path relative to this file, inside the definitions folder")
        return
    target, problem = _resolve(here / raw)
    if problem is not None:
        diags.add("E205", stmt.span, f"`{shown}` {problem}", _INCLUDE_HINT)
        return
    try:
        target.relative_to(root)
    except ValueError:
        diags.add("E206", stmt.span, f"`{shown}` is outside the folder of the first file loaded ({_display(root)})",
                  "move the file under that folder and include it with a relative path")
        return
    if target in stack:
        chain = " -> ".join(_display(p) for p in stack[stack.index(target):] + [target])
        diags.add("E207", stmt.span, f"include cycle: {chain}", "remove one of these includes")
        return
    name = _display(target)
    if name in loaded.sources:
        return  # already loaded (diamond includes): read each file once
    text = _read(target, name, stmt.span, diags, f"`{shown}`")
    if text is None:
        return
    _load_text(text, name, target, root, loaded, diags, stack)
