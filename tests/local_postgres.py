"""A throw-away local PostgreSQL server (initdb + pg_ctl on a free port), for tests and benchmarks.

PostgreSQL refuses to run as root: as root, the server runs as the unprivileged user `nobody`
(`runuser`), in a temporary folder that user owns. Trust authentication on 127.0.0.1 only.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

USER = "reliability"
DATABASE = "reliability"


@dataclass(frozen=True)
class LocalPostgres:
    """A running server: where it listens and the RELIABILITY_PG_* variables to reach it."""

    port: int
    data_dir: Path

    @property
    def env(self) -> dict[str, str]:
        return {
            "RELIABILITY_PG_HOST": "127.0.0.1",
            "RELIABILITY_PG_PORT": str(self.port),
            "RELIABILITY_PG_USER": USER,
            "RELIABILITY_PG_PASSWORD": "",
            "RELIABILITY_PG_DATABASE": DATABASE,
        }


def find_bin(name: str) -> str | None:
    """A PostgreSQL server program: on PATH, else in Debian's /usr/lib/postgresql/<v>/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else None


def missing_programs() -> list[str]:
    """The server programs (initdb, pg_ctl, postgres) that cannot be found."""
    missing = [n for n in ("initdb", "pg_ctl", "postgres") if find_bin(n) is None]
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        missing.append("runuser (to run PostgreSQL as an unprivileged user)")
    return missing


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(args: list[str], as_user: str | None) -> None:
    cmd = ["runuser", "-u", as_user, "--", *args] if as_user else args
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {proc.stderr.strip() or proc.stdout}")


def _create_database(port: int) -> None:
    import psycopg2

    con = psycopg2.connect(host="127.0.0.1", port=port, user=USER, dbname="postgres")
    try:
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute(f"CREATE DATABASE {DATABASE}")
    finally:
        con.close()


@contextmanager
def local_postgres(run_as: str = "nobody") -> Iterator[LocalPostgres]:
    """Start a fresh server; stop it and delete its files on exit."""
    missing = missing_programs()
    if missing:
        raise RuntimeError(f"PostgreSQL server programs not found: {', '.join(missing)}")
    initdb, pg_ctl = find_bin("initdb"), find_bin("pg_ctl")
    as_user = run_as if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="reliability-pg-"))
    data, log = root / "data", root / "server.log"
    if as_user:
        shutil.chown(root, user=as_user)
    port = free_port()
    try:
        _run([initdb, "-D", str(data), "-U", USER, "-A", "trust", "-E", "UTF8",
              "--no-sync", "--locale=C"], as_user)
        options = (f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={root} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c timezone=UTC")
        _run([pg_ctl, "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o", options,
              "start"], as_user)
        try:
            _create_database(port)
            yield LocalPostgres(port=port, data_dir=data)
        finally:
            _run([pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], as_user)
    finally:
        shutil.rmtree(root, ignore_errors=True)
