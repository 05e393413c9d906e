"""The partner simulators as one HTTP service: every sandbox partner under ``/partners/{partner_id}/``.

Partner routes speak sandbox-v1 (docs/partner-protocol.md) and need the partner's bearer token.
Administration routes (``/_admin/...`` and ``/partners/{id}/_admin/...``) need none: they exist only in
the sandbox, for tests and demos, and no real partner has them.

Endpoints are ``async``: injected latency and hangs sleep on the event loop instead of holding a worker
thread. A partner call's own SQLite work — one indexed read, or one short transaction on the partner's
connection without fsync (WAL, synchronous=NORMAL) — runs on the loop too: handing it to a thread cost
more CPU than the statement, and the partner's lock serialises it anyway. So does a sealed notice's check
under a court certificate already validated (simulators/documents.py, ~1.5 ms); pyHanko's whole validation,
and administration reads, which return whole tables, run in the threadpool.
"""

from __future__ import annotations

import functools
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.telemetry import TelemetryConfig
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from adapters.sandbox.wire import (
    IDEMPOTENCY_HEADER,
    DeductionRequest,
    DeductionResponse,
    ErrorBody,
    InquiryCallback,
    InquiryRequest,
    InquiryResponse,
    MeasureRequest,
    MeasureResponse,
    ReleaseRequest,
    RenewRequest,
)
from domain.documents import AssistanceAct
from domain.measures import MeasureKind
from domain.partners import PartnerCategory, PartnerEndpoint
from simulators.auction import build_auction_router
from simulators.batch import build_batch_router
from simulators.callbacks import CallbackDispatcher, CallbackSender
from simulators.case_account import build_case_account_router
from simulators.cashier import build_cashier_router
from simulators.demo_data import DEMO_SUBJECTS, DemoSubjectView, demo_subject_views
from simulators.dishonest_list import build_dishonest_list_router
from simulators.documents import DocumentCheck
from simulators.errors import SimulatorError
from simulators.faults import FaultState, after_effect, before_effect
from simulators.guards import REPLAYED_HEADER, expected_authorization, idempotency_key, require_bearer
from simulators.models import (
    ASSET_KIND_BY_CATEGORY,
    FaultKnobs,
    PartnerInfo,
    SeedAsset,
    SeedResult,
    SeedSubject,
    SimulatorConfig,
)
from simulators.partner_db import PartnerStore
from simulators.sms import build_sms_router
from simulators.sqlite import StoredAnswer
from simulators.title_search import build_title_router
from simulators.tsa import build_tsa_router

__all__ = ["FaultKnobs", "Simulator", "SimulatorConfig", "create_app"]

JSON = "application/json"

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 401, 404, 409, 422, 503, 504)
}


@dataclass
class PartnerRuntime:
    """One hosted partner: its configuration, state, fault dice and the bearer header it expects."""

    endpoint: PartnerEndpoint
    store: PartnerStore
    faults: FaultState
    authorization: str  # "" when the partner is configured without a token

    @property
    def id(self) -> str:
        return self.endpoint.id

    @property
    def sender(self) -> CallbackSender:
        return CallbackSender(self.endpoint.id, self.store, self.endpoint.token)


class Simulator:
    """All partners of one process and the dispatcher of their asynchronous answers."""

    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        config.state_dir.mkdir(parents=True, exist_ok=True)
        self.partners: dict[str, PartnerRuntime] = {}
        for ep in config.partners:
            seed = None if config.random_seed is None else f"{config.random_seed}:{ep.id}"
            self.partners[ep.id] = PartnerRuntime(
                endpoint=ep,
                store=PartnerStore(config.state_dir / f"{ep.id}.db"),
                faults=FaultState(seed),
                authorization=expected_authorization(ep.token),
            )
        self.dispatcher = CallbackDispatcher(config.callback_attempts, config.callback_backoff_seconds)
        # Banks and registries act only on a sealed 协助执行通知书 when the courts' CA is configured.
        self.documents = DocumentCheck(config.document_ca) if config.document_ca else None

    def runtime(self, partner_id: str) -> PartnerRuntime:
        rt = self.partners.get(partner_id)
        if rt is None:
            raise SimulatorError(404, "UNKNOWN_PARTNER", f"no partner {partner_id!r} is simulated here")
        return rt

    def seed_demo(self) -> None:
        for rt in self.partners.values():
            per_subject = [
                (s.kind, s.name, s.id_number, [a for a in s.assets if a.partner_id == rt.id]) for s in DEMO_SUBJECTS
            ]
            rt.store.seed_demo([entry for entry in per_subject if entry[3]])

    def check_assets(self, assets: list[SeedAsset]) -> dict[str, list[SeedAsset]]:
        """Sorts a subject's assets by partner; an asset of the wrong kind for its partner is refused."""
        by_partner: dict[str, list[SeedAsset]] = {}
        problems: list[str] = []
        for i, a in enumerate(assets):
            rt = self.partners.get(a.partner_id)
            if rt is None:
                problems.append(f"assets.{i}.partner_id: no partner {a.partner_id!r} is simulated here")
                continue
            expected = ASSET_KIND_BY_CATEGORY.get(rt.endpoint.category)
            if expected is not a.kind:
                problems.append(
                    f"assets.{i}.kind: {rt.endpoint.category.value} partner {a.partner_id} keeps "
                    f"{expected.value if expected else 'no assets'}, not {a.kind.value}"
                )
                continue
            by_partner.setdefault(a.partner_id, []).append(a)
        if problems:
            raise SimulatorError(422, "VALIDATION_FAILED", "; ".join(problems))
        return by_partner

    def close(self) -> None:
        for rt in self.partners.values():
            rt.store.close()


def _json(status: int, body: bytes, replayed: bool = False) -> Response:
    headers = {REPLAYED_HEADER: "true"} if replayed else None
    return Response(content=body, status_code=status, media_type=JSON, headers=headers)


def _model(status: int, model: BaseModel) -> Response:
    return _json(status, model.model_dump_json().encode())


async def _mutate(rt: PartnerRuntime, call: Callable[[], StoredAnswer]) -> Response:
    plan = rt.faults.plan()
    await before_effect(plan)
    answer = call()
    await after_effect(plan)
    return _json(answer.status, answer.body, answer.replayed)


def _simulator(request: Request) -> Simulator:
    sim: Simulator = request.app.state.simulator
    return sim


async def _authorised(partner_id: str, request: Request) -> PartnerRuntime:
    rt = _simulator(request).runtime(partner_id)
    require_bearer(request.headers.get("authorization"), rt.authorization)
    return rt


async def _idempotency_key(request: Request) -> str:
    return idempotency_key(request.headers.get(IDEMPOTENCY_HEADER))


async def _hosted(partner_id: str, request: Request) -> PartnerRuntime:
    return _simulator(request).runtime(partner_id)


# Module-level aliases, so FastAPI can resolve them from the postponed annotations. On each route the
# partner comes before the key: an unauthorised call is refused before its key is looked at.
Partner = Annotated[PartnerRuntime, Depends(_authorised)]
Key = Annotated[str, Depends(_idempotency_key)]
Hosted = Annotated[PartnerRuntime, Depends(_hosted)]


def _partner_router(sim: Simulator) -> APIRouter:
    router = APIRouter(prefix="/partners/{partner_id}", tags=["partner protocol (sandbox-v1)"], responses=_ERRORS)

    @router.post("/inquiries", response_model=InquiryResponse, responses={202: {"model": InquiryResponse}})
    async def inquire(body: InquiryRequest, rt: Partner) -> Response:
        """查询: the partner's assets of a subject, now (200) or later by callback (202)."""
        plan = rt.faults.plan()
        await before_effect(plan)
        assets = rt.store.find_assets(body.subject.id_number)
        knobs = rt.faults.knobs
        if knobs.never_answer or (knobs.async_mode and body.callback_url):
            if not knobs.never_answer and body.callback_url:
                callback = InquiryCallback(
                    request_id=body.request_id, partner_id=rt.id, status="answered", assets=assets
                )
                due = time.time() + knobs.answer_delay_seconds
                dues = [due]
                if rt.faults.duplicate_callback():
                    dues.append(due + knobs.duplicate_delay_seconds)
                pending = rt.store.accept_inquiry(
                    body.request_id, body.callback_url, callback.model_dump_json().encode(), dues
                )
                for cb in pending:
                    sim.dispatcher.schedule(rt.sender, cb)
            answer = InquiryResponse(request_id=body.request_id, status="accepted", assets=[])
            status = 202
        else:
            answer = InquiryResponse(request_id=body.request_id, status="answered", assets=assets)
            status = 200
        await after_effect(plan)
        return _model(status, answer)

    @router.post("/measures", response_model=MeasureResponse)
    async def register_measure(body: MeasureRequest, rt: Partner, key: Key) -> Response:
        """冻结 / 查封: registers a freeze or a seizure, once per idempotency key; a freeze may be ordered on a
        冻结、扣划 notice, kept with it for the deduction that names it."""
        filed = None
        if sim.documents is not None:
            acts: tuple[str, ...] = (body.kind.value,)
            if body.kind is MeasureKind.FREEZE:
                acts += (AssistanceAct.FREEZE_AND_DEDUCT,)
            filed = await sim.documents.require(
                body.document,
                partner_id=rt.id,
                acts=acts,
                references=(body.asset_reference,),
                amount_fen=body.amount_fen,
            )
        over_freeze = rt.faults.knobs.over_freeze_fen
        return await _mutate(rt, functools.partial(rt.store.register_measure, key, body, over_freeze, filed))

    @router.post("/measures/{measure_id}/renew", response_model=MeasureResponse)
    async def renew_measure(measure_id: str, body: RenewRequest, rt: Partner, key: Key) -> Response:
        """续行: extends an active measure to a new expiry date."""
        return await _mutate(rt, functools.partial(rt.store.renew_measure, key, measure_id, body))

    @router.post("/measures/{measure_id}/release", response_model=MeasureResponse)
    async def release_measure(measure_id: str, body: ReleaseRequest, rt: Partner, key: Key) -> Response:
        """解除: lifts an active measure; a freeze gives its remaining funds back. A release that carries its 解除
        notice is checked like a freeze's; one without is taken, as releases were sent before they carried one
        (a watch placed then still releases so: docs/partner-protocol.md)."""
        if sim.documents is not None and body.document is not None:
            refs = (measure_id, *rt.store.measure_assets(measure_id))
            await sim.documents.require(
                body.document,
                partner_id=rt.id,
                acts=(AssistanceAct.RELEASE,),
                references=refs,
                amount_fen=body.amount_fen,
            )
        return await _mutate(rt, functools.partial(rt.store.release_measure, key, measure_id, body))

    @router.post("/deductions", response_model=DeductionResponse)
    async def deduct(body: DeductionRequest, rt: Partner, key: Key) -> Response:
        """扣划: moves frozen funds into the court's case account."""
        if sim.documents is not None and body.document is None and body.notice_on_file is not None:
            filed = rt.store.filed_notice(body.measure_id)
            sim.documents.require_on_file(
                body.notice_on_file, filed, act=AssistanceAct.FREEZE_AND_DEDUCT, amount_fen=body.amount_fen
            )
        elif sim.documents is not None:
            refs = (body.measure_id, *rt.store.measure_assets(body.measure_id))
            await sim.documents.require(
                body.document,
                partner_id=rt.id,
                acts=(AssistanceAct.DEDUCT,),
                references=refs,
                amount_fen=body.amount_fen,
            )
        return await _mutate(rt, functools.partial(rt.store.deduct, key, body))

    return router


def _admin_router(sim: Simulator) -> APIRouter:
    router = APIRouter(tags=["sandbox administration (never on a real partner)"], responses=_ERRORS)

    @router.get("/_admin/partners", response_model=list[PartnerInfo])
    async def partners() -> list[PartnerInfo]:
        return [
            PartnerInfo(id=p.id, category=p.endpoint.category, name=p.endpoint.name, protocol=p.endpoint.protocol)
            for p in sim.partners.values()
        ]

    @router.get("/_admin/demo-subjects", response_model=list[DemoSubjectView])
    async def demo_subjects() -> list[DemoSubjectView]:
        return demo_subject_views()

    @router.post("/_admin/subjects", response_model=SeedResult)
    async def seed_subject(subject: SeedSubject) -> SeedResult:
        """Seeds a debtor and distributes its assets to the partners that keep them (by reference)."""
        by_partner = sim.check_assets(subject.assets)
        for pid, assets in by_partner.items():
            store = sim.partners[pid].store
            await run_in_threadpool(store.upsert_subject, subject.kind, subject.name, subject.id_number, assets)
        return SeedResult(id_number=subject.id_number, assets_by_partner={p: len(a) for p, a in by_partner.items()})

    @router.post("/_admin/reset-faults")
    async def reset_faults() -> dict[str, int]:
        for rt in sim.partners.values():
            rt.faults.set(FaultKnobs())
        return {"reset": len(sim.partners)}

    @router.get("/partners/{partner_id}/_admin/faults", response_model=FaultKnobs)
    async def get_faults(rt: Hosted) -> FaultKnobs:
        """The knobs in force; ``fail_next_n`` counts the failures still to come."""
        return rt.faults.current()

    @router.put("/partners/{partner_id}/_admin/faults", response_model=FaultKnobs)
    async def put_faults(knobs: FaultKnobs, rt: Hosted) -> FaultKnobs:
        """Replaces all knobs of this partner (absent fields take their defaults)."""
        rt.faults.set(knobs)
        return rt.faults.current()

    @router.get("/partners/{partner_id}/_admin/ledger")
    async def ledger(rt: Hosted) -> list[dict[str, Any]]:
        """Every effect, one row each: freeze, seize, renew, release, deduct."""
        return await run_in_threadpool(rt.store.ledger)

    @router.get("/partners/{partner_id}/_admin/measures")
    async def measures(rt: Hosted) -> list[dict[str, Any]]:
        return await run_in_threadpool(rt.store.measures)

    @router.get("/partners/{partner_id}/_admin/assets")
    async def assets(rt: Hosted) -> list[dict[str, Any]]:
        return await run_in_threadpool(rt.store.assets)

    @router.get("/partners/{partner_id}/_admin/deductions")
    async def deductions(rt: Hosted) -> list[dict[str, Any]]:
        return await run_in_threadpool(rt.store.deductions)

    @router.get("/partners/{partner_id}/_admin/callbacks")
    async def callbacks(rt: Hosted) -> list[dict[str, Any]]:
        """The outbox of asynchronous answers and how their delivery went."""
        return await run_in_threadpool(rt.store.callbacks)

    @router.post("/partners/{partner_id}/_admin/accounts/{reference}/close")
    async def close_account(reference: str, rt: Hosted) -> dict[str, str]:
        """销户: closes a deposit or payment account; its next freeze is refused ACCOUNT_CLOSED."""
        if not await run_in_threadpool(rt.store.close_account, reference):
            raise SimulatorError(404, "ASSET_NOT_FOUND", "no account with this reference at this partner")
        return {"reference": reference, "status": "closed"}

    return router


# FastAPI's own OpenTelemetry spans and metrics: the simulators stand in for partners and export no telemetry
# (no provider is configured in their process), yet FastAPI asks the global providers on every request.
_NO_TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:10]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        parts.append(f"{loc}: {err.get('msg', 'invalid')}" if loc else str(err.get("msg", "invalid")))
    return "; ".join(parts) or "the request is not valid"


def create_app(config: SimulatorConfig) -> FastAPI:
    sim = Simulator(config)
    if config.seed_demo_data:
        sim.seed_demo()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await sim.dispatcher.start([rt.sender for rt in sim.partners.values()])
        try:
            yield
        finally:
            await sim.dispatcher.stop()
            sim.close()

    app = FastAPI(
        title="One-Matter partner simulators",
        description="Sandbox partners speaking sandbox-v1 (docs/partner-protocol.md). Not a real partner.",
        version="1",
        lifespan=lifespan,
        telemetry=_NO_TELEMETRY,
    )
    app.state.simulator = sim

    @app.exception_handler(SimulatorError)
    async def simulator_error(_: Request, exc: SimulatorError) -> Response:
        response = exc.body_response()
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> Response:
        return SimulatorError(422, "VALIDATION_FAILED", _validation_message(exc)).body_response()

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.status_code, f"HTTP_{exc.status_code}")
        return SimulatorError(exc.status_code, code, str(exc.detail)).body_response()

    @app.get("/healthz", tags=["service"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/", tags=["service"])
    async def index() -> dict[str, Any]:
        return {
            "service": "One-Matter partner simulators (sandbox-v1)",
            "partners": [f"/partners/{pid}/" for pid in sim.partners],
            "demo_subjects": [v.model_dump(mode="json") for v in demo_subject_views()],
            "docs": "/docs",
        }

    # Routes are matched in order, router by router: the partners' and the TSA's, which every asset inquiry
    # calls 28 times, come first (the TSA's after all others cost ~0.1 ms a timestamp in matching alone).
    app.include_router(_partner_router(sim))
    app.include_router(build_tsa_router(config.tsa_dir or config.state_dir / "tsa"))
    app.include_router(_admin_router(sim))
    # Real-estate disposal: auction platforms (also online valuation) and the registry's title search.
    by_category = {c: [p for p in config.partners if p.category is c] for c in PartnerCategory}
    demo = config.seed_demo_data
    app.include_router(build_auction_router(config.state_dir, by_category[PartnerCategory.AUCTION], demo))
    app.include_router(build_title_router(config.state_dir, by_category[PartnerCategory.REAL_ESTATE], demo))
    app.include_router(build_batch_router(config.state_dir, by_category[PartnerCategory.BANK]))
    app.include_router(build_case_account_router(config.state_dir, by_category[PartnerCategory.BANK]))
    app.include_router(build_dishonest_list_router(config.state_dir))
    app.include_router(build_sms_router(config.state_dir))
    app.include_router(build_cashier_router(config.state_dir))
    return app
