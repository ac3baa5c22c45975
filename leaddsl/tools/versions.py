"""A version of a definition: a file, or a file at a git revision (``HEAD~1:definitions/acme.lead``).

A revision is read with ``git`` itself: the folder of the file at that revision is
extracted (``git archive``) into a temporary folder, so that its includes (which
stay inside that folder) are those of the same revision. Diagnostics name the file
as ``REV:path``. A missing git, a path outside a repository, an unknown revision or a
file the revision does not hold is a :class:`VersionError` saying which.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from ..api import load
from ..diagnostics import DslError

_REV = re.compile(r"^(?P<rev>[^:]+):(?P<path>.+)$")


class VersionError(Exception):
    """A version that cannot be read (a usage error): no git, an unknown revision, no such file."""


def is_revision(spec: str) -> bool:
    """``REV:PATH`` naming no existing file (a Windows drive `C:\\...` is a path)."""
    return not os.path.exists(spec) and bool(_REV.match(spec)) and not re.match(r"^[A-Za-z]:[\\/]", spec)


def load_version(spec: str):
    """The Program of ``spec``: a .lead file, or ``REV:PATH`` in the current git repository.
    Raises DslError (the definition is wrong) or VersionError (it cannot be read)."""
    if not is_revision(spec):
        if not Path(spec).is_file():
            raise VersionError(f"{spec}: no such definition file (for a git revision write REV:PATH, "
                               "e.g. HEAD~1:definitions/acme.lead)")
        return load(spec)
    m = _REV.match(spec)
    rev, path = m.group("rev"), m.group("path")
    if rev.startswith("-"):
        raise VersionError(f"{spec}: `{rev}` is not a git revision")
    top = _git(["rev-parse", "--show-toplevel"], spec).decode().strip()
    prefix = _git(["rev-parse", "--show-prefix"], spec).decode().strip()
    inner = PurePosixPath(path[2:]) if path.startswith("./") else PurePosixPath(path)
    if path.startswith("./"):
        inner = PurePosixPath(prefix) / inner
    _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], spec,
         f"{spec}: git knows no revision `{rev}`")
    kind = subprocess.run(["git", "-C", top, "cat-file", "-t", f"{rev}:{inner}"], capture_output=True)
    if kind.returncode != 0 or kind.stdout.strip() != b"blob":
        raise VersionError(f"{spec}: revision `{rev}` has no file `{inner}`")
    folder = str(inner.parent) if str(inner.parent) != "." else "."
    archive = _git(["-C", top, "archive", "--format=tar", rev, "--", folder], spec)
    tmp = tempfile.mkdtemp(prefix="leaddsl-rev-")
    try:
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp, filter="data")
        local = Path(tmp) / inner
        try:
            return load(local)
        except DslError as e:
            diags = [replace(d, file=_rename(d.file, str(local.parent), f"{rev}:{inner.parent}"))
                     for d in e.diagnostics]
            raise DslError(diags, {_rename(k, str(local.parent), f"{rev}:{inner.parent}"): v
                                   for k, v in e.sources.items()}) from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _rename(name: str, local: str, shown: str) -> str:
    """A file of the temporary copy as ``REV:path``."""
    full = os.path.abspath(name)
    if not full.startswith(local + os.sep):
        return name
    rest = full[len(local) + 1:]
    return shown[:-1] + rest if shown.endswith(":.") else f"{shown}/{rest}"


def _git(args: list[str], spec: str, failure: str | None = None) -> bytes:
    if shutil.which("git") is None:
        raise VersionError(f"{spec}: reading a git revision needs `git`, which is not installed")
    try:
        done = subprocess.run(["git", *args], capture_output=True)
    except OSError as e:
        raise VersionError(f"{spec}: cannot run git ({e.strerror or e})") from None
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()
        raise VersionError(failure or f"{spec}: git {args[0] if args[0] != '-C' else args[2]} failed: "
                           f"{why[-1] if why else 'no message'}")
    return done.stdout
