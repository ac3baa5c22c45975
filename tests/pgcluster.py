"""A throwaway PostgreSQL cluster for the tests marked `postgres` (the `postgres_db` fixture of
conftest.py starts one per session).

``initdb`` writes a cluster into a new directory under the temporary directory, ``pg_ctl``
starts it listening on a unix socket in that directory only (no TCP port, so parallel test
runs never collide), and at the end it is stopped and the directory deleted. The binaries
are looked up in PATH, then in Debian's ``/usr/lib/postgresql/<version>/bin`` (the newest
version first). PostgreSQL refuses to run as root: when the tests run as root (CI), the
directory is handed to the ``postgres`` user that Debian's package creates and the server
runs as that user (``subprocess``'s ``user=``/``group=``, no sudo needed).

``.ci/run`` installs Debian's ``postgresql`` package when the binaries are missing; a
developer without PostgreSQL deselects the tests with ``-m 'not postgres'``.
"""
from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

NEEDED = ("initdb", "pg_ctl", "postgres")


class NoPostgres(Exception):
    """PostgreSQL cannot be started here; the message says what to do."""


def find_bindir() -> Path:
    """The directory holding initdb, pg_ctl and postgres."""
    on_path = [shutil.which(n) for n in NEEDED]
    if all(on_path):
        return Path(os.path.realpath(on_path[0])).parent
    def version(d):
        v = Path(d).parent.name
        return int(v) if v.isdigit() else 0
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True):
        if all((Path(d) / n).is_file() for n in NEEDED):
            return Path(d)
    raise NoPostgres("PostgreSQL's initdb, pg_ctl and postgres are not in PATH nor in /usr/lib/postgresql/*/bin: "
                     "install them (Debian: apt-get install postgresql; .ci/run does) or deselect these tests "
                     "with -m 'not postgres'")


@dataclass
class Cluster:
    bindir: Path
    root: Path          # holds data/, the socket and the log
    user: str | None    # the account the server runs as (None: this one)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def conninfo(self) -> str:
        return f"host={self.root} port=5432 user=postgres dbname=postgres"

    def run(self, *args, check=True):
        who = {}
        if self.user is not None:
            pw = pwd.getpwnam(self.user)
            who = {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PGTZ": "UTC", "TZ": "UTC"}
        return subprocess.run([str(self.bindir / args[0]), *args[1:]], capture_output=True, text=True,
                              check=check, env=env, cwd=self.root, **who)

    def log_tail(self) -> str:
        log = self.root / "server.log"
        return log.read_text(errors="replace")[-2000:] if log.exists() else ""


def start() -> Cluster:
    """initdb and start a cluster; raises NoPostgres with what went wrong."""
    bindir = find_bindir()
    user = None
    root = Path(tempfile.mkdtemp(prefix="leaddsl-pg-"))   # short: a socket path has at most 107 bytes
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam("postgres")
        except KeyError:
            shutil.rmtree(root, ignore_errors=True)
            raise NoPostgres("running as root, PostgreSQL needs another account to run as: create a `postgres` "
                             "user (Debian's postgresql package does) or run the tests as another user") from None
        user = "postgres"
        os.chown(root, pw.pw_uid, pw.pw_gid)
    cluster = Cluster(bindir, root, user)
    try:
        cluster.run("initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                    "--locale=C.UTF-8", "--no-sync")
        opts = f"-c listen_addresses='' -c unix_socket_directories='{root}' -c port=5432 -c fsync=off " \
               "-c timezone=UTC"
        cluster.run("pg_ctl", "start", "-D", str(cluster.data), "-w", "-t", "60", "-l", str(root / "server.log"),
                    "-o", opts)
    except subprocess.CalledProcessError as e:
        detail = (e.stderr or e.stdout or "").strip()[-1500:] + "\n" + cluster.log_tail()
        stop(cluster)
        raise NoPostgres(f"PostgreSQL did not start ({Path(e.cmd[0]).name} exited {e.returncode}):\n{detail}") \
            from None
    return cluster


def stop(cluster: Cluster) -> None:
    """Stop the server (if it runs) and delete its directory."""
    if (cluster.data / "postmaster.pid").exists():
        cluster.run("pg_ctl", "stop", "-D", str(cluster.data), "-m", "immediate", "-w", check=False)
    shutil.rmtree(cluster.root, ignore_errors=True)
