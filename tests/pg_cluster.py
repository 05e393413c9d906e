"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries (``make test`` installs the
``postgresql`` package, as it installs chromium), ``initdb`` into a temporary directory, the server on a
free loopback port, removed afterwards. PostgreSQL refuses to run as root, so when the tests do, the
cluster runs as ``nobody``."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

from net.localnet import free_port


def server_bin_dir() -> Path | None:
    """Where initdb, pg_ctl and postgres live (Debian keeps them out of PATH), or None."""
    for found in (shutil.which("initdb"), *sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)):
        if found and Path(found).is_file():
            bin_dir = Path(found).resolve().parent
            if (bin_dir / "pg_ctl").is_file() and (bin_dir / "postgres").is_file():
                return bin_dir
    return None


@dataclass
class Cluster:
    port: int
    superuser: str = "postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.superuser}@127.0.0.1:{self.port}/{database}"

    def create_database(self, prefix: str = "om") -> str:
        """A fresh, empty database; returns its SQLAlchemy URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user={self.superuser} dbname=postgres", autocommit=True
        ) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    bin_dir = server_bin_dir()
    if bin_dir is None:
        raise FileNotFoundError(
            "PostgreSQL server binaries not found (Debian package postgresql; `make test` installs it)"
        )
    run_as: str | None = None
    if os.geteuid() == 0:
        run_as = "nobody"
    root = Path(tempfile.mkdtemp(prefix="om-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    if run_as:
        user = pwd.getpwnam(run_as)
        for path in (root, sockets):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = free_port()
    log = root / "server.log"

    def run(*argv: str) -> None:
        subprocess.run(argv, check=True, user=run_as, capture_output=True, cwd=root)

    try:
        run(str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start")
        cluster = Cluster(port=port)
        deadline = time.monotonic() + 30
        while True:
            try:
                psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres").close()
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield cluster
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                user=run_as,
                capture_output=True,
                cwd=root,
            )
        shutil.rmtree(root, ignore_errors=True)
