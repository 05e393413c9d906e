"""Issue 23, item 3: the login throttle the security review got around — a name given twice (the guard
counted the first, the login checked the last), ``X-Forwarded-For`` believed from 127.0.0.1, and counts
kept per process."""

from __future__ import annotations

import asyncio
import threading
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

import web.__main__
from config.settings import Settings
from net.localnet import free_port, wait_http
from store.db import Database
from store.login_throttle import LoginThrottle
from tests.helpers import login
from web.guard import uvicorn_options


async def _new_judge(web: str) -> tuple[str, str]:
    name, password = f"victim-{uuid.uuid4().hex[:6]}", "correct-horse-battery"
    async with await login(web, "admin") as admin:
        r = await admin.post(
            "/api/users",
            json={"username": name, "password": password, "role": "judge", "court": "杭州市上城区人民法院"},
        )
        assert r.status_code == 201, r.text
    return name, password


async def test_a_name_given_twice_is_refused_not_counted_as_the_decoy(web: str):
    victim, password = await _new_judge(web)
    async with httpx.AsyncClient(base_url=web) as anon:
        for i in range(8):
            body = f"username=decoy{i}&username={victim}&password=guess-{i}"
            r = await anon.post(
                "/api/auth/token", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
            )
            assert r.status_code == 422 and r.json()["code"] == "DUPLICATE_FIELD", r.text
        # The UI's login form is the same parse.
        r = await anon.post(
            "/ui/login",
            content=f"username=decoy&username={victim}&password=x&csrf=x",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert r.status_code == 422 and r.json()["code"] == "DUPLICATE_FIELD"
        # A multipart login (which the guard could not count by name) is refused, not let through.
        r = await anon.post("/api/auth/token", files={"username": (None, victim), "password": (None, password)})
        assert r.status_code == 415
        # Guesses under the victim's name alone are counted as the victim's.
        statuses = [
            (await anon.post("/api/auth/token", data={"username": victim, "password": f"guess-{i}"})).status_code
            for i in range(7)
        ]
        assert statuses[:6] == [401] * 6 and statuses[6] == 429, str(statuses)


class _Echo:
    """An app that answers the client address uvicorn gave it."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = (scope.get("client") or ("?", 0))[0].encode()
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": body})


def _served_address(settings: Settings, forwarded: str) -> str:
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(_Echo(), host="127.0.0.1", port=port, log_level="warning", **uvicorn_options(settings))
    )
    thread = threading.Thread(target=lambda: asyncio.run(server.serve()), daemon=True)
    thread.start()
    try:
        wait_http(f"http://127.0.0.1:{port}/")
        return httpx.get(f"http://127.0.0.1:{port}/", headers={"x-forwarded-for": forwarded}).text
    finally:
        server.should_exit = True
        thread.join(10)


def test_forwarded_headers_are_believed_only_from_configured_proxies(settings: Settings):
    assert settings.forwarded_allow_ips == "", "none by default"
    assert _served_address(settings, "203.0.113.9") == "127.0.0.1", "from loopback, the header is ignored"
    behind_proxy = settings.model_copy(update={"forwarded_allow_ips": "127.0.0.1"})
    assert _served_address(behind_proxy, "203.0.113.9") == "203.0.113.9", "a configured proxy is believed"


def test_python_m_web_serves_with_the_same_proxy_rule(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    seen: dict[str, Any] = {}
    monkeypatch.setenv("OM_VAR_DIR", str(tmp_path))
    monkeypatch.setattr(uvicorn, "run", lambda *a, **kw: seen.update(kw))
    # Not this process's metrics directory nor a database: only what uvicorn is told is looked at.
    monkeypatch.setattr(web.__main__, "prepare_multiprocess", lambda settings: None)
    monkeypatch.setattr(web.__main__, "prepare_database", lambda db, settings: None)
    web.__main__.main()
    assert seen["proxy_headers"] is False and seen["forwarded_allow_ips"] == ""


def test_counts_are_shared_by_every_process(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'web.db'}"
    first, second = Database(url), Database(url)  # two web processes, one database
    first.upgrade()
    now = [1000.0]
    throttle = LoginThrottle(free_per_user=5, free_per_address=100, clock=lambda: now[0])
    for _ in range(3):
        throttle.failed(first, "victim", "198.51.100.1")
    for _ in range(3):
        throttle.failed(second, "victim", "198.51.100.2")
    assert throttle.retry_after(first, "victim", "198.51.100.3") == 1.0
    assert throttle.retry_after(second, "victim", "198.51.100.3") == 1.0
    throttle.succeeded(second, "victim")
    assert throttle.retry_after(first, "victim", "198.51.100.3") == 0.0
    first.dispose()
    second.dispose()


def test_back_off_doubles_and_is_forgotten(tmp_path: Path):
    db = Database(f"sqlite:///{tmp_path / 'web.db'}")
    db.upgrade()
    now = [1000.0]
    t = LoginThrottle(free_per_user=2, free_per_address=100, base=1.0, cap=60.0, forget=300.0, clock=lambda: now[0])
    waits = []
    for _ in range(6):
        t.failed(db, "u", "1.2.3.4")
        waits.append(t.retry_after(db, "u", "1.2.3.4"))
    assert waits == [0.0, 0.0, 1.0, 2.0, 4.0, 8.0]
    t.failed(db, "other", "1.2.3.4")
    assert t.retry_after(db, "other", "1.2.3.4") == 0.0, "per user: another name is not blocked"
    now[0] += 400
    assert t.retry_after(db, "u", "1.2.3.4") == 0.0
    t.failed(db, "u", "1.2.3.4")
    assert t.retry_after(db, "u", "1.2.3.4") == 0.0, "forgotten: counting starts again"
    t2 = LoginThrottle(free_per_user=100, free_per_address=3, base=1.0, clock=lambda: now[0])
    for i in range(4):
        t2.failed(db, f"name-{i}", "5.6.7.8")
    assert t2.retry_after(db, "anyone", "5.6.7.8") == 1.0, "per address: spraying names is throttled too"
    db.dispose()
