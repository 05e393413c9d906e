"""Issue 23, item 9: starting the web on an empty database is idempotent under concurrency. The review saw
two uvicorn processes seed the sandbox at once: one failed with USERNAME_TAKEN and took the web down."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from multiprocessing.synchronize import Barrier
from pathlib import Path

import httpx
import pytest
from temporalio.testing import WorkflowEnvironment

from config.settings import Settings
from net.localnet import free_port, wait_http
from store.db import Database
from store.sealing import Sealer
from web import accounts
from web.accounts import demo_accounts
from web.app import prepare_database
from web.db import User

REPO = Path(__file__).resolve().parents[2]
# Eight rounds in `make test`; a longer hunt for the race: OM_RACE_ROUNDS=100 pytest tests/platform/test_startup_race.py
PROCESSES, ROUNDS = 4, int(os.environ.get("OM_RACE_ROUNDS", "8"))


def _start(settings: Settings, barrier: Barrier) -> None:
    db = Database(settings.web_database_url, Sealer.for_keys(settings.codec_keys))
    barrier.wait()  # every process at the starting line, as uvicorn's forked workers are
    try:
        prepare_database(db, settings)
    finally:
        db.dispose()


def test_four_processes_prepare_an_empty_database_round_after_round(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """What each of uvicorn's processes does on start (``prepare_database``: migrate, seed), four at once
    from a barrier, on a fresh database, round after round (``ROUNDS``). The demo passwords are hashed cheaply here (the
    forked processes inherit the patch): scrypt would make a round take half a minute on two cores, and a
    faster seed only makes the processes collide more often."""
    monkeypatch.setattr(accounts, "hash_password", lambda password: "plain$" + password)
    fork = multiprocessing.get_context("fork")
    for round_ in range(ROUNDS):
        var = tmp_path / f"round-{round_}"
        var.mkdir()
        fresh = settings.model_copy(update={"var_dir": var, "database_url": ""})
        barrier = fork.Barrier(PROCESSES)
        procs = [fork.Process(target=_start, args=(fresh, barrier)) for _ in range(PROCESSES)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(60)
        assert [p.exitcode for p in procs] == [0] * PROCESSES, f"round {round_}"
        db = Database(fresh.web_database_url)
        try:
            with db.session() as s:
                assert s.query(User).count() == len(demo_accounts(fresh.agencies()))
        finally:
            db.dispose()


def test_python_m_web_with_four_processes_starts_on_an_empty_database(
    settings: Settings, temporal_env: WorkflowEnvironment, tmp_path: Path
):
    """The real thing once: ``python -m web`` prepares the database before uvicorn forks four processes."""
    port = free_port()
    env = {
        **os.environ,
        "OM_VAR_DIR": str(tmp_path),
        "OM_WEB_PORT": str(port),
        "OM_WEB_WORKERS": str(PROCESSES),
        "OM_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "OM_TEMPORAL_ADDRESS": settings.temporal_address,
        "OM_CODEC_KEYS_JSON": settings.codec_keys_json,
        "OM_ACTOR_KEYS_JSON": settings.actor_keys_json,
    }
    log = (tmp_path / "web.log").open("w")
    web = subprocess.Popen([sys.executable, "-m", "web"], cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_http(f"http://127.0.0.1:{port}/ui/login", timeout=120)
        for _ in range(2 * PROCESSES):  # whichever process answers has the accounts
            r = httpx.post(f"http://127.0.0.1:{port}/api/auth/token", data={"username": "judge", "password": "judge"})
            assert r.status_code == 200, r.text
        assert web.poll() is None
        assert "Application startup failed" not in (tmp_path / "web.log").read_text()
    finally:
        web.terminate()
        web.wait(15)
        log.close()
