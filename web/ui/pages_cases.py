"""The enforcement case's pages (执行案件): the judge's cases with the term's colour, the balance and the
next deadline, and one case — parties, ledger, measures with their expiry, the term's countdown, matters
with their state, and one timeline merging the case's entries with its matters'."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from domain.actors import Role
from domain.case_closing import ClosingMode
from domain.case_dashboard import COLOURS
from domain.errors import OneMatterError, ValidationFailed
from domain.party_requests import RULES as PARTY_RULES
from store.cases import CaseFilter
from web.deps import app_state, party_desk, temporal_client, till
from web.services import (
    case_dashboard,
    cases,
    documents,
    party_judge,
    party_payments,
    party_requests,
    workflow_detail,
)
from web.services.access import READERS
from web.services.scenarios import invalid_start
from web.services.tasks import MAX_ATTACHMENT_BYTES
from web.ui.forms import PREFIX, FormBuilder, error_map, flatten, form_values, parse
from web.ui.messages import field_messages
from web.ui.pages_judge import FromCase, case_start_form, submit_start
from web.ui.render import page, said
from web.ui.session import JudgeUser, ReaderUser, UiUser, check_csrf, require, translator
from workflows.case.words import WORDS as CASE_WORDS
from workflows.foundation.issuing import PRESIDENT_REFUSE, PRESIDENT_SIGN
from workflows.registry import SCENARIOS

router = APIRouter(include_in_schema=False)
# The case readers of the API, the court's filing clerk among them.
CaseReaderUser = Annotated[UiUser, require(*cases.CASE_READERS)]
ClerkUser = Annotated[UiUser, require(*cases.FILERS)]
ApproverUser = Annotated[UiUser, require(Role.APPROVER)]
MERGED_MATTERS = 20  # matters whose own timelines join the case's page (the rest are linked)


@router.get("/ui/dockets", response_class=HTMLResponse)
async def dockets(request: Request, user: CaseReaderUser) -> Response:
    """我的案件 as cases: the cases I am the judge of (default) or every case of my courts."""
    # A filing clerk judges no case: their default is the court's register.
    default = "court" if user.role is Role.FILING_CLERK else "mine"
    mine = request.query_params.get("who", default) != "court"
    rows = await cases.list_cases(app_state(request).db, user.actor, mine=mine)
    return page(request, "cases/list.html", user, rows=rows, who="mine" if mine else "court")


def _year(request: Request) -> int | None:
    raw = request.query_params.get("year") or None
    if raw is None:
        return None
    if not raw.isdigit() or not 2000 <= int(raw) <= 2100:
        raise ValidationFailed("INVALID_YEAR", "year: 立案年度应为 2000–2100 之间的年份 / a year 2000–2100", "year")
    return int(raw)


def _filing_form(
    request: Request,
    user: UiUser,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    general: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    """立案: the application (申请执行书) as the clerk types it, from the filing API's own schema; the
    clerk's court is filled in (a clerk files for one court)."""
    courts = user.actor.courts
    prefill = {"f.court": courts[0]} if len(courts) == 1 else {}
    builder = FormBuilder(cases.FilingRequest.model_json_schema(), translator(request), prefill=prefill)
    fields = builder.fields(values, errors)
    known = {f.name for f in flatten(fields)}
    general = list(general or []) + [m for n, m in (errors or {}).items() if n not in known]
    return page(request, "cases/file.html", user, status_code=status_code, fields=fields, general_errors=general)


@router.get("/ui/dockets/new", response_class=HTMLResponse)
async def filing_form(request: Request, user: ClerkUser) -> Response:
    return _filing_form(request, user)


@router.post("/ui/dockets/new")
async def file_case(request: Request, user: ClerkUser) -> Response:
    """Files the case as ``POST /api/cases`` does (one implementation), then shows it; a refusal is shown
    beside its field, nothing filed."""
    await check_csrf(request, user)
    t = translator(request)
    values = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    courts = user.actor.courts
    prefill = {"f.court": courts[0]} if len(courts) == 1 else {}
    fields = FormBuilder(cases.FilingRequest.model_json_schema(), t, prefill=prefill).fields(values)
    parsed = parse(fields, values, t)
    if parsed.errors:
        return _filing_form(request, user, values, parsed.errors, status_code=422)
    state = app_state(request)
    try:
        body = cases.FilingRequest.model_validate(parsed.data)
        filed = await cases.file_case(temporal_client(state), state.settings, state.db, user.actor, body)
    except ValidationError as exc:
        by_field, general = error_map(field_messages(exc.errors(), t))
        return _filing_form(request, user, values, by_field, general, status_code=422)
    except OneMatterError as exc:
        return _filing_form(request, user, values, None, [said(exc, t)], status_code=exc.status)
    return RedirectResponse(f"/ui/dockets/{filed.case_id}?done=filed", status_code=303)


@router.get("/ui/case-dashboard", response_class=HTMLResponse)
async def dashboard(request: Request, user: ReaderUser) -> Response:
    """案件看板: the term's colours, closing modes, 结案率 and 执行到位率 per court and per judge."""
    year = _year(request)
    board = await case_dashboard.case_board(app_state(request).db, user.actor, year)
    modes = [m.value for m in ClosingMode]
    return page(request, "cases/dashboard.html", user, board=board, year=year, colours=COLOURS, modes=modes)


@router.get("/ui/case-dashboard/cases", response_class=HTMLResponse)
async def dashboard_cases(request: Request, user: ReaderUser) -> Response:
    """The cases behind one figure of the board (the same filter as the figure), a page at a time."""
    q = request.query_params
    try:
        where = CaseFilter.model_validate({k: q[k] for k in CaseFilter.model_fields if q.get(k)})
    except ValidationError as exc:
        field = ".".join(str(p) for p in exc.errors()[0]["loc"])
        raise ValidationFailed("INVALID_FILTER", f"{field}: 无此筛选条件 / not a filter value", field) from None
    offset = int(q["offset"]) if q.get("offset", "").isdigit() else 0
    drill = await case_dashboard.drill(app_state(request).db, user.actor, where, offset)
    shown = offset + len(drill.cases)
    next_href = None
    if shown < drill.total:
        next_href = "?" + urlencode({**where.model_dump(mode="json", exclude_none=True), "offset": shown})
    return page(request, "cases/drill.html", user, drill=drill, next_href=next_href)


async def _matter_entries(request: Request, user: UiUser, matters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timelines of the case's matters, each entry marked with its matter: one describe per matter
    says whether the page built before still holds (web/services/workflow_detail.py); only a matter that
    moved on is asked again. A matter that cannot be read now is left out: its link stays in the list."""
    state = app_state(request)
    shown = matters[:MERGED_MATTERS]
    found = await workflow_detail.timelines(
        temporal_client(state), state.case_pages, user.actor, [m["workflow_id"] for m in shown]
    )
    return [{**e.model_dump(mode="json"), "matter": m} for m in shown for e in found.get(m["workflow_id"], [])]


@router.get("/ui/dockets/{case_id}", response_class=HTMLResponse)
async def docket(case_id: str, request: Request, user: CaseReaderUser) -> Response:
    state = app_state(request)
    doc = await cases.get_case(temporal_client(state), state.db, user.actor, case_id)
    own = [{**e, "matter": None} for e in doc["timeline"]]
    merged = sorted(own + await _matter_entries(request, user, doc["matters"]), key=lambda e: e["at"], reverse=True)
    unread = await party_judge.read_requests(state.db, user.actor, case_id, doc["party_requests"])
    # The court's staff read its documents; the filing clerk, who files the case, does not.
    issued = await documents.case_documents(state.db, user.actor, case_id) if user.role in READERS else []
    return page(
        request,
        "cases/case.html",
        user,
        doc=doc,
        timeline=merged,
        documents=issued,
        scenarios=SCENARIOS,
        case_words=CASE_WORDS,
        done=request.query_params.get("done"),
        unread=unread,
        party_rules={k.value: r for k, r in PARTY_RULES.items()},
        next_steps=_next_steps(doc),
        lead_actions=party_requests.lead_actions(doc["party_requests"], state.partners),
    )


def _next_steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The case's proposals (下一步, domain.next_steps) as buttons: a matter with fields of its own opens its
    form pre-filled; one without starts at a click; a 执恢 case is the filing clerk's, so it is said."""
    steps = []
    for p in doc.get("next_steps") or []:
        scenario = SCENARIOS.get(p.get("scenario") or "")
        href = None
        if scenario is not None and scenario.own_fields:
            query = urlencode(form_values(p.get("prefill") or {}))
            href = f"/ui/dockets/{quote(doc['case_id'], safe='')}/matters/{scenario.name}" + (
                f"?{query}" if query else ""
            )
        steps.append(
            {
                **p,
                "title": scenario.title if scenario else None,
                "title_en": scenario.title_en if scenario else None,
                "href": href,
                "post": scenario is not None and not scenario.own_fields,
            }
        )
    return steps


async def _from_case(request: Request, user: UiUser, case_id: str, scenario: str) -> FromCase:
    """The case a matter starts from, with what its form offers from the case's register (a disposal's
    seized units): read from the case only for a scenario that picks from it."""
    state = app_state(request)
    entry = await cases.visible_entry(state.db, user.actor, case_id)  # outside the courts: 404
    chosen = SCENARIOS.get(scenario)
    picks = {}
    if chosen is not None and chosen.picks is not None:
        picks = chosen.picks((await cases.case_view(temporal_client(state), entry)).facts())
    return FromCase(case_id=entry.case_id, case_number=entry.case_number, picks=picks)


@router.get("/ui/dockets/{case_id}/matters/{scenario}", response_class=HTMLResponse)
async def matter_form(case_id: str, scenario: str, request: Request, user: JudgeUser) -> Response:
    """The start form of a matter from the case: only its own fields (the rest comes from the case)."""
    # A next step's button carries its prefill as the form's own field names (f.…); anything else is ignored.
    # Fields it does not name keep their defaults (the disposal's registry and platforms).
    suggested = {k: v for k, v in request.query_params.items() if k.startswith(f"{PREFIX}.")}
    return case_start_form(request, user, scenario, await _from_case(request, user, case_id, scenario), suggested)


@router.post("/ui/dockets/{case_id}/matters/{scenario}")
async def start_matter(case_id: str, scenario: str, request: Request, user: JudgeUser) -> Response:
    """A matter started from the case with its own fields (none for the asset inquiry's next-step button),
    through the service the API uses."""
    state = app_state(request)
    case = await _from_case(request, user, case_id, scenario)

    async def from_case(data: dict[str, Any], key: str | None) -> str:
        try:
            client = temporal_client(state)
            await cases.start_matter(
                client, state.settings, state.partners, state.db, user.actor, case_id, scenario, data, key
            )
        except ValidationFailed as exc:
            if isinstance(exc.__cause__, ValidationError):  # the model's rule: shown beside its field, in words
                raise invalid_start(exc.__cause__) from None
            raise
        return f"/ui/dockets/{quote(case_id, safe='')}?done=started"

    return await submit_start(request, user, scenario, from_case, case)


@router.post("/ui/dockets/{case_id}/party-requests/{request_id}/answer")
async def answer_party(case_id: str, request_id: str, request: Request, user: JudgeUser) -> Response:
    """The judge answers a party's request from the case page, with reasons (as the API does)."""
    await check_csrf(request, user)
    form = await request.form()  # read once: Starlette keeps it
    state = app_state(request)
    # The fields a verified lead's matter takes from the judge: ``matter.ruling_ref``, ``matter.vehicle.vin``.
    matter: dict[str, Any] = {}
    for key, value in form.items():
        if key.startswith("matter.") and isinstance(value, str) and value.strip():
            *path, last = key.split(".")[1:]
            node = matter
            for part in path:
                node = node.setdefault(part, {})
            node[last] = value.strip()
    body = party_requests.Answer(answer=str(form.get("answer", "")), reason=str(form.get("reason", "")), matter=matter)
    await party_requests.answer_request(
        temporal_client(state), state.settings, state.partners, state.db, user.actor, case_id, request_id, body
    )
    return RedirectResponse(f"/ui/dockets/{case_id}?done=answered#party-requests", status_code=303)


@router.post("/ui/dockets/{case_id}/sanctions/{sanction_id}/{decision}")
async def decide_sanction(
    case_id: str,
    sanction_id: str,
    decision: Annotated[str, Path(pattern=f"^({PRESIDENT_SIGN}|{PRESIDENT_REFUSE})$")],
    request: Request,
    user: ApproverUser,
) -> Response:
    """The president approves or refuses a fine or detention from the case page (院长批准, CPL Art 119); a
    refusal gives its reasons (the desk holds to it), an approval may."""
    await check_csrf(request, user)
    form = await request.form()
    reason = str(form.get("reason") or "").strip()
    if decision == PRESIDENT_REFUSE and not reason:
        raise ValidationFailed("REASON_REQUIRED", "reason: 不予批准须写明理由 / give the reasons", "reason")
    state = app_state(request)
    await cases.decide_sanction(temporal_client(state), state.db, user.actor, case_id, sanction_id, decision, reason)
    return RedirectResponse(f"/ui/dockets/{quote(case_id, safe='')}?done=decided#sanctions", status_code=303)


@router.post("/ui/dockets/{case_id}/refunds/{order_id}")
async def refund_payment(case_id: str, order_id: str, request: Request, user: JudgeUser) -> Response:
    """退款 from the case page: a payment made after the case ended goes back to the payer, with the reason."""
    await check_csrf(request, user)
    form = await request.form()
    try:
        body = party_payments.RefundIn(reason=str(form.get("reason", "")).strip())
    except ValidationError:
        raise ValidationFailed("INVALID_REASON", "reason: 请填写退款理由 / give the reason", "reason") from None
    state = app_state(request)
    await party_payments.refund(till(state), temporal_client(state), user.actor, case_id, order_id, body)
    return RedirectResponse(f"/ui/dockets/{case_id}#payment-refunds", status_code=303)


@router.post("/ui/dockets/{case_id}/nodes")
async def push_node(case_id: str, request: Request, user: JudgeUser) -> Response:
    """执行节点 from the case page: a photo uploaded with it, a location if given; the parties are told by SMS."""
    await check_csrf(request, user)
    form = await request.form()
    state = app_state(request)
    photo = form.get("photo")
    attachments = []
    if isinstance(photo, UploadFile) and photo.filename:
        data = await photo.read(MAX_ATTACHMENT_BYTES + 1)
        attachments.append((await party_judge.upload(state.db, state.settings, user.actor, case_id, data)).sha256)
    video = form.get("video")
    if isinstance(video, UploadFile) and video.filename:
        head = await video.read(party_judge.VIDEO_HEAD_BYTES)

        async def rest() -> bytes:
            assert isinstance(video, UploadFile)
            return await video.read(party_judge.MAX_VIDEO_BYTES - len(head) + 1)

        stored = await party_judge.upload_video(state.db, state.settings, user.actor, case_id, head, rest)
        attachments.append(stored.sha256)
    where = {k: str(form.get(k, "")).strip() for k in ("latitude", "longitude", "address")}
    location = where if where["latitude"] and where["longitude"] else None
    try:
        body = party_judge.NodeIn.model_validate(
            {
                "title": form.get("title", ""),
                "text": form.get("text", ""),
                "attachments": attachments,
                "location": location,
            }
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        where_wrong = ".".join(str(p) for p in first["loc"])
        raise ValidationFailed("INVALID_NODE", f"{where_wrong}: {first['msg']}", where_wrong) from None
    await party_judge.push(party_desk(state), temporal_client(state), user.actor, case_id, body)
    return RedirectResponse(f"/ui/dockets/{case_id}?done=pushed#push-node", status_code=303)


@router.get("/ui/dockets/{case_id}/party-files/{sha256}")
async def party_file(case_id: str, sha256: str, request: Request, user: CaseReaderUser) -> Response:
    """A file a party attached to a request of the case (a power of attorney to confirm, a lead's photo)."""
    state = app_state(request)
    content_type, data = await party_judge.party_file(
        temporal_client(state), state.db, state.settings, user.actor, case_id, sha256
    )
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, no-store"})
