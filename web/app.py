"""The FastAPI application: lifespan (Temporal client, database, migrations, sandbox accounts), error
handlers, request log, /healthz and the JSON API. ``create_app`` is what ``python -m web`` and the
tests serve."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from importlib.metadata import PackageNotFoundError, version

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from temporalio.client import Client

from adapters.cashier import SandboxCashier
from adapters.sms import SandboxSmsGateway
from config.settings import Settings
from domain.errors import ErrorDetail
from runtime.logging import get_logger
from runtime.temporal import connect, ensure_search_attributes
from runtime.tracing import Tracing, tracing_for
from store.sealing import Sealer
from web.accounts import demo_leftovers, seed_sandbox
from web.api import router as api_router
from web.api.audit import router as audit_router
from web.codec import install as install_codec
from web.contract import install_contract
from web.db import Database
from web.deps import AppState, State, party_desk
from web.errors import install_error_handlers
from web.guard import GuardMiddleware
from web.metrics import install as install_metrics
from web.metrics import observe_request
from web.payout_routes import router as payout_router
from web.request_log import RequestLogMiddleware
from web.services import incidents
from web.services.party_notices import document_notices_forever
from web.ui import install as install_ui

log = get_logger(__name__)

HEALTH_TIMEOUT = timedelta(seconds=3)
# How long startup waits for Temporal before serving anyway (health says 503 until it connects).
CONNECT_WAIT_SECONDS = 30.0


def _version() -> str:
    try:
        return version("one-matter")
    except PackageNotFoundError:
        return "0.0.0"


async def _connect_forever(
    settings: Settings, state: AppState, connected: asyncio.Event, tracing: Tracing | None
) -> None:
    """Keeps trying: in compose the web may start before Temporal does, and should not crash-loop."""
    delay = 0.5
    while state.client is None:
        try:
            client = await connect(settings, tracing=tracing)
            await ensure_search_attributes(client)  # the cases list filters on them (a dev var/ may predate one)
            state.client = client
            connected.set()
            log.info("connected to temporal", address=settings.temporal_address)
            return
        except Exception as exc:  # any failure to connect is retried; the reason is logged
            log.warning("temporal not reachable yet", address=settings.temporal_address, error=str(exc))
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


async def _sweep_incidents(state: AppState, connected: asyncio.Event, every: timedelta) -> None:
    """Once Temporal is connected: workflows of the web's that ended outside it (web/services/incidents.py)."""
    await connected.wait()
    if state.client is not None:
        await incidents.sweep_forever(state.client, state.db, every)


def prepare_database(db: Database, settings: Settings) -> None:
    """Migrations, then the sandbox's demo accounts (or, in production, the check that none are left).
    ``python -m web`` runs it once before uvicorn forks its processes; each process runs it again on start,
    finding everything done — and tolerating another process doing it at the same moment."""
    db.upgrade()
    if settings.sandbox:
        seed_sandbox(db, settings.agencies())
        return
    with db.session() as s:
        # Production refuses to serve a database that still holds the sandbox's demo accounts or tokens.
        leftovers = demo_leftovers(s, settings.agencies())
    if leftovers:
        raise RuntimeError("refusing to start (production profile): " + "; ".join(leftovers))


class Health(BaseModel):
    temporal: str
    database: str


class Live(BaseModel):
    status: str


def create_app(settings: Settings, client: Client | None = None, tracing: Tracing | None = None) -> FastAPI:
    """``tracing``: what traces the requests (and the client the app connects, when none is given);
    by default the process's, when ``OM_OTLP_ENDPOINT`` is set (runtime/tracing.py)."""
    settings.check_startup()  # production without its keys, or a sandbox beyond loopback: refuse
    tracing = tracing or tracing_for(settings.otlp_endpoint, "one-matter-web")

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.web_database_url, Sealer.for_keys(settings.codec_keys))
        await db.run(prepare_database, db, settings)
        sms_endpoint = settings.sms_gateway()
        sms = SandboxSmsGateway(sms_endpoint) if sms_endpoint is not None else None
        cashier_endpoint = settings.cashier()
        cashier = SandboxCashier(cashier_endpoint) if cashier_endpoint is not None else None
        state = AppState(
            settings=settings, db=db, partners=settings.partners(), client=client, sms=sms, cashier=cashier
        )
        app.state.om = state
        # Parties' SMS notices of documents issued to them (web/services/party_notices.py).
        notices = asyncio.create_task(document_notices_forever(party_desk(state))) if sms is not None else None
        connector: asyncio.Task[None] | None = None
        connected = asyncio.Event()
        if client is not None:
            connected.set()
        else:
            connector = asyncio.create_task(_connect_forever(settings, state, connected, tracing))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(connected.wait(), CONNECT_WAIT_SECONDS)
        sweeper = asyncio.create_task(
            _sweep_incidents(state, connected, timedelta(seconds=settings.incident_sweep_seconds))
        )
        log.info("web started", profile=settings.profile, database=db.engine.url.render_as_string(hide_password=True))
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            if connector is not None and not connector.done():
                connector.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await connector
            if notices is not None:
                notices.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await notices
            if sms is not None:
                await sms.aclose()
            if cashier is not None:
                await cashier.aclose()
            db.dispose()
            if tracing:
                tracing.provider.force_flush()

    app = FastAPI(
        title="One-Matter (执行一件事) API",
        version=_version(),
        description=(
            "Court enforcement orchestration. Judges start scenarios and decide; partner agencies answer; "
            "auditors read. Authenticate with `POST /api/auth/token` and send `Authorization: Bearer <token>`. "
            "Every error is `{code, message, field}`."
        ),
        lifespan=lifespan,
    )
    install_error_handlers(app)
    install_contract(app)  # the guard's rules written into /openapi.json (web/contract.py)
    # Limits, authentication-before-body, login throttle and security headers act before any route reads
    # or parses a body (web/guard.py, web/limits.py).
    app.add_middleware(GuardMiddleware, public_base_url=settings.public_base_url)
    app.include_router(api_router)
    app.include_router(audit_router)
    app.include_router(payout_router)
    install_codec(app)
    install_metrics(app)
    install_ui(app)
    # Added last, so outermost: every request is logged and timed, those the guard refuses included.
    app.add_middleware(RequestLogMiddleware, observers=[observe_request])

    @app.get(
        "/healthz",
        tags=["health"],
        response_model=Health,
        responses={503: {"model": ErrorDetail, "description": "Temporal or the database is not answering"}},
    )
    async def healthz(state: State) -> Health | JSONResponse:
        """200 only when both Temporal and the database answer."""
        temporal, database = await asyncio.gather(_temporal_health(state), _database_health(state))
        if temporal == "ok" and database == "ok":
            return Health(temporal=temporal, database=database)
        failed = [name for name, v in (("temporal", temporal), ("database", database)) if v != "ok"]
        body = ErrorDetail(code="UNHEALTHY", message=f"not answering: {', '.join(failed)}").model_dump()
        return JSONResponse({**body, "temporal": temporal, "database": database}, status_code=503)

    @app.get("/livez", tags=["health"], response_model=Live)
    async def livez() -> Live:
        """200 while this process serves requests: an orchestrator's liveness probe. Unlike /healthz it
        does not ask Temporal or the database (restarting the web cannot bring either back)."""
        return Live(status="ok")

    if tracing:
        tracing.instrument_app(app)
    return app


async def _temporal_health(state: AppState) -> str:
    if state.client is None:
        return "not connected"
    try:
        ok = await state.client.service_client.check_health(timeout=HEALTH_TIMEOUT)
    except Exception as exc:  # any failure means unhealthy; the type is enough for the probe
        return f"error: {type(exc).__name__}"
    return "ok" if ok else "not serving"


async def _database_health(state: AppState) -> str:
    try:
        await asyncio.wait_for(state.db.run(state.db.ping), HEALTH_TIMEOUT.total_seconds())
    except Exception as exc:  # any failure means unhealthy
        return f"error: {type(exc).__name__}"
    return "ok"
