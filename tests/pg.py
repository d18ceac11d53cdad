"""A throwaway PostgreSQL server for the tests: one cluster per session in a temporary folder, a database per test.

The server binaries are found through HEARD_PG_BINDIR, else ``pg_config --bindir``, else the newest
/usr/lib/postgresql/*/bin. initdb refuses to run as root, so as root the cluster belongs to ``nobody``.
It listens on 127.0.0.1 only, on a free port, with durability off (fsync, synchronous commit, full
pages): a test database is thrown away. Each test gets a new database copied from one migrated once.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import psycopg

# Read when the tests are collected: the autouse clean_environ fixture removes HEARD_* variables from each test.
BINDIR_SETTING = os.environ.get("HEARD_PG_BINDIR", "")
ADMIN = "heard"
# A role that must give a password (scram-sha-256), for the tests of a refused login.
PASSWORD_USER, PASSWORD = "heard_pw", "s3cret-Pw"
TEMPLATE = "heard_template"


def in_ci() -> bool:
    """Whether these tests run in CI, where a missing PostgreSQL is a failure, not a skip."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def find_bindir() -> Path | None:
    """The folder of initdb, pg_ctl and postgres, or None when this machine has no PostgreSQL server."""
    candidates: list[str] = []
    if BINDIR_SETTING:
        candidates.append(BINDIR_SETTING)
    elif pg_config := shutil.which("pg_config"):
        done = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidates.append(done.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version, reverse=True)
    for folder in candidates:
        if all((Path(folder) / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    return None


def _version(folder: str) -> tuple[int, ...]:
    name = Path(folder).parent.name
    return tuple(int(p) for p in name.split(".") if p.isdigit())


class Server:
    """One PostgreSQL cluster in a temporary folder, listening on 127.0.0.1, stopped and deleted by ``stop``."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.folder = Path(tempfile.mkdtemp(prefix="heard-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self._names = itertools.count(1)
        self._as: dict[str, Any] = {}
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            nobody = pwd.getpwnam("nobody")
            os.chown(self.folder, nobody.pw_uid, nobody.pw_gid)
            self._as = {"user": nobody.pw_uid, "group": nobody.pw_gid, "extra_groups": []}
        try:
            self._start()
        except BaseException:
            with contextlib.suppress(RuntimeError):
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
            shutil.rmtree(self.folder, ignore_errors=True)
            raise

    def _start(self) -> None:
        self._run("initdb", "-D", self.data, "-U", ADMIN, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n{hba.read_text()}")
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='{self.folder}'"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", self.data, "-l", self.folder / "server.log", "-o", options, "-w", "start")
        with self.admin() as conn:
            conn.execute(f"CREATE ROLE {PASSWORD_USER} LOGIN PASSWORD '{PASSWORD}'")
            conn.execute(f"CREATE DATABASE {TEMPLATE} TEMPLATE template0")
        from listener.store import Store

        Store(self.url(TEMPLATE)).close()  # migrated once: each test's database is a copy

    def url(self, database: str, *, user: str = ADMIN, password: str | None = None) -> str:
        """The URL of one database of this server."""
        who = f"{user}:{password}" if password is not None else user
        return f"postgresql://{who}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection[Any]:
        """A connection to the server's own database, to create and drop others."""
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def create_database(self, *, migrated: bool = True) -> str:
        """A new empty database (``migrated``: with heard's schema already in it); its URL."""
        name = f"test_{next(self._names)}"
        with self.admin() as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE if migrated else 'template0'}")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Drop a database made by ``create_database``, closing any connection a test left open."""
        with self.admin() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")

    def stop(self) -> None:
        """Stop the server at once and delete its folder."""
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, tool: str, *args: object) -> None:
        done = subprocess.run(
            [str(self.bindir / tool), *map(str, args)], capture_output=True, text=True, check=False, **self._as
        )
        if done.returncode != 0:
            log = self.folder / "server.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr.strip()}\n{tail}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
