"""A throwaway PostgreSQL cluster for benchmarks (the recipe of ../shared/STACK.md), on 127.0.0.1 only."""

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

PORT = int(os.environ.get("BENCH_PG_PORT", "54331"))


def _bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    return versions[-1]


def _as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def cluster():
    """Yield the URL of a fresh cluster's ``postgres`` database; everything is removed afterwards."""
    pg_bin = _bin()
    data = Path(tempfile.mkdtemp(prefix="bench-pg."))
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
    _as_postgres(
        str(pg_bin / "initdb"),
        "-D",
        str(data),
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C.UTF-8",
        "--no-sync",
    )
    _as_postgres(
        str(pg_bin / "pg_ctl"),
        "-D",
        str(data),
        "-l",
        str(data / "server.log"),
        "-w",
        "-o",
        f"-p {PORT} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off",
        "start",
    )
    try:
        yield f"postgres://postgres@127.0.0.1:{PORT}/postgres"
    finally:
        _as_postgres(str(pg_bin / "pg_ctl"), "-D", str(data), "-m", "fast", "stop")
        shutil.rmtree(data, ignore_errors=True)


def create_database(server_url: str, name: str) -> str:
    """A new empty database on the cluster of ``server_url``; returns its URL."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"
