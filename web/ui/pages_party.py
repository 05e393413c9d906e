"""The parties' own pages (当事人的案件空间), made for a phone: log in with a phone and an SMS code (or
register with a real name first), the cases that name you, and one case's space — what is owed and
recovered, the measures, the case's progress, and your requests and messages to the judge.

Over the same services as the parties' API (web/services/party_*.py). The session is the party's bearer
token in its own HttpOnly cookie (``/p`` only); every form carries a CSRF token derived from it.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.datastructures import UploadFile

from domain.actors import Actor, Role
from domain.case_number import packaged_court_codes
from domain.errors import OneMatterError, ValidationFailed
from domain.parties import Party
from domain.party_requests import REPORTS, RULES, PartyRequestKind, sides_of
from domain.property_report import WORDS, ChangeKind, ImmovableKind, MoneyKind, MovableKind, RightKind, word
from store.db import utcnow
from web.deps import app_state, temporal_client, till
from web.deps import party_desk as desk
from web.services import (
    party_accounts,
    party_applications,
    party_closure,
    party_payments,
    party_requests,
    party_space,
    users,
)
from web.services.party_accounts import CodeRequest, PartyLogin, Registration
from web.services.party_applications import OnlineApplication
from web.services.tasks import MAX_ATTACHMENT_BYTES
from web.ui.i18n import translate
from web.ui.messages import field_messages
from web.ui.render import in_own_words, page, said
from web.ui.session import csrf_for, translator
from workflows.periodic_reinquiry.models import ClosureConsent

router = APIRouter(include_in_schema=False)
PARTY_COOKIE = "om_party"
# When the party last acted on a case (its path's cookie): the case's next page shows no view older than that.
ACTED_COOKIE = "om_acted"
ACTED_KEPT = 600  # seconds; longer than any OM_PARTY_VIEW_MAX_AGE_SECONDS allowed
PREFIX = "/p"


class PartyLoginRequired(Exception):
    """No party session: the page answers with the login page."""


async def _party(request: Request) -> tuple[Actor, str]:
    token = request.cookies.get(PARTY_COOKIE)
    actor = await users.actor_for(app_state(request).db, token) if token else None
    if actor is None or actor.role is not Role.PARTY or token is None:
        raise PartyLoginRequired()
    request.state.user = str(actor)
    return actor, token


PartySession = Annotated[tuple[Actor, str], Depends(_party)]


def _page(request: Request, name: str, token: str | None = None, **context: Any) -> HTMLResponse:
    return page(request, f"party/{name}", None, party_csrf=csrf_for(token) if token else "", **context)


def _check_csrf(token: str, sent: str) -> None:
    if not hmac.compare_digest(csrf_for(token), sent):
        raise PartyLoginRequired()


def _message(exc: Exception, request: Request) -> str:
    """What went wrong, in the user's words: a refusal's words, or each invalid field's rule."""
    t = translator(request)
    if isinstance(exc, ValidationError):
        return "; ".join(in_own_words(text, t.lang) for _, text in field_messages(exc.errors(), t))
    if isinstance(exc, OneMatterError):
        return said(exc, t)
    raise exc


@router.get(PREFIX)
@router.get(PREFIX + "/")
async def party_home(request: Request) -> Response:
    return RedirectResponse(f"{PREFIX}/cases", status_code=303)


@router.get(PREFIX + "/login", response_class=HTMLResponse)
async def login_page(request: Request, phone: str = "", sent: bool = False) -> Response:
    return _page(request, "login.html", phone=phone, sent=sent, error=None)


@router.post(PREFIX + "/code")
async def send_code(request: Request, phone: Annotated[str, Form()] = "") -> Response:
    try:
        await party_accounts.request_code(desk(app_state(request)), CodeRequest(phone=phone))
    except (OneMatterError, ValidationError) as exc:  # shown beside the form, in the user's words
        return _page(request, "login.html", phone=phone, sent=False, error=_message(exc, request), status_code=422)
    return RedirectResponse(f"{PREFIX}/login?phone={phone}&sent=1", status_code=303)


@router.post(PREFIX + "/login")
async def log_in(request: Request, phone: Annotated[str, Form()] = "", code: Annotated[str, Form()] = "") -> Response:
    state = app_state(request)
    try:
        ttl = timedelta(hours=state.settings.token_ttl_hours)
        token = await party_accounts.login(desk(state), PartyLogin(phone=phone, code=code), ttl)
    except (OneMatterError, ValidationError) as exc:
        return _page(request, "login.html", phone=phone, sent=True, error=_message(exc, request), status_code=401)
    response = RedirectResponse(f"{PREFIX}/cases", status_code=303)
    secure = state.settings.public_base_url.startswith("https://")
    max_age = state.settings.token_ttl_hours * 3600
    response.set_cookie(
        PARTY_COOKIE, token.access_token, max_age=max_age, httponly=True, samesite="strict", secure=secure, path=PREFIX
    )
    return response


@router.get(PREFIX + "/register", response_class=HTMLResponse)
async def register_page(request: Request) -> Response:
    return _page(request, "register.html", form={}, error=None)


@router.post(PREFIX + "/register")
async def register(
    request: Request,
    name: Annotated[str, Form()] = "",
    id_number: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
) -> Response:
    form = {"name": name, "id_number": id_number, "phone": phone}
    try:
        await party_accounts.register(desk(app_state(request)), Registration.model_validate(form))
    except (OneMatterError, ValidationError) as exc:
        return _page(request, "register.html", form=form, error=_message(exc, request), status_code=422)
    return RedirectResponse(f"{PREFIX}/login?phone={phone}&sent=1", status_code=303)


@router.post(PREFIX + "/logout")
async def log_out(request: Request, session: PartySession, csrf: Annotated[str, Form()] = "") -> Response:
    _check_csrf(session[1], csrf)
    await users.logout(app_state(request).db, session[1])
    response = RedirectResponse(f"{PREFIX}/login", status_code=303)
    response.delete_cookie(PARTY_COOKIE, path=PREFIX)
    return response


@router.get(PREFIX + "/cases", response_class=HTMLResponse)
async def cases(request: Request, session: PartySession, applied: str = "") -> Response:
    """The cases that name the party, and their applications (申请执行) with what became of each."""
    state = app_state(request)
    mine = await party_space.my_cases(desk(state), temporal_client(state), session[0])
    applications = await party_applications.my_applications(desk(state), session[0])
    return _page(request, "cases.html", session[1], cases=mine, applications=applications, applied=applied)


# --- 申请执行 online (执行工作规定 Art 18): the application and the title's PDF, into the court's queue -------------

APPLY_FIELDS = (
    "court",
    "debtor_kind",
    "debtor_name",
    "debtor_id_number",
    "title_number",
    "title_issuer",
    "effective_on",
    "performance_due_on",
    "principal",
    "interest",
    "costs",
    "known_assets",
)


async def _apply_page(
    request: Request, session: tuple[Actor, str], form: Mapping[str, str], error: str | None, status: int = 200
) -> HTMLResponse:
    state = app_state(request)
    me = await party_accounts.own_party(desk(state), session[0])
    courts = sorted(packaged_court_codes())
    return _page(request, "apply.html", session[1], me=me, courts=courts, form=form, error=error, status_code=status)


@router.get(PREFIX + "/apply", response_class=HTMLResponse)
async def apply_page(request: Request, session: PartySession) -> Response:
    return await _apply_page(request, session, {}, None)


def _application(me: Party, form: Mapping[str, str]) -> OnlineApplication:
    """The form as the API's application: the applicant is the party, amounts typed in yuan."""
    claim = {"principal_fen": _fen(form.get("principal", ""), "claim.principal_fen", "apply.principal")}
    for name in ("interest", "costs"):
        if form.get(name, "").strip():
            claim[f"{name}_fen"] = _fen(form[name], f"claim.{name}_fen", f"apply.{name}")
    return OnlineApplication.model_validate(
        {
            "court": form.get("court", ""),
            "applicants": [me.model_dump(mode="json")],
            "debtors": [
                {
                    "kind": form.get("debtor_kind", ""),
                    "name": form.get("debtor_name", ""),
                    "id_number": form.get("debtor_id_number", ""),
                }
            ],
            "title": {
                "document_number": form.get("title_number", ""),
                "issuer": form.get("title_issuer", ""),
                "effective_on": form.get("effective_on", ""),
                "performance_due_on": form.get("performance_due_on", ""),
            },
            "claim": claim,
            "known_assets": form.get("known_assets", ""),
        }
    )


@router.post(PREFIX + "/apply")
async def apply(request: Request, session: PartySession) -> Response:
    """申请执行 from the phone: every field checked before the title's PDF is stored, the PDF checked before
    the application is queued; a problem is shown beside the form, naming the field, and nothing is queued."""
    posted = await request.form()
    form = {k: v for k, v in posted.items() if isinstance(v, str) and k in (*APPLY_FIELDS, "csrf")}
    _check_csrf(session[1], form.pop("csrf", ""))
    state = app_state(request)
    try:
        me = await party_accounts.own_party(desk(state), session[0])
        application = _application(me, form)
        title = posted.get("title_pdf")
        if not isinstance(title, UploadFile) or not title.filename:
            raise ValidationFailed(
                "TITLE_PDF_REQUIRED",
                "title_document_sha256: 请上传执行依据的 PDF 文件 / the title as a PDF",
                "title_pdf",
            )
        data = await title.read(MAX_ATTACHMENT_BYTES + 1)
        store = party_applications.party_file_store(state.settings)
        stored = await party_applications.store_file(state.db, store, session[0], data)
        application.title_document_sha256 = stored.sha256
        await party_applications.submit(desk(state), session[0], application)
    except (OneMatterError, ValidationError) as exc:
        return await _apply_page(request, session, form, _message(exc, request), 422)
    return RedirectResponse(f"{PREFIX}/cases?applied=1#applications", status_code=303)


def _kinds(roles: list[str]) -> list[tuple[str, str]]:
    """The kinds of request this party's side may file from the page, with their titles (a power of attorney
    is filed by the agent through the API, with its PDF)."""
    sides = sides_of(roles)
    return [
        (k.value, RULES[k].title)
        for k in PartyRequestKind
        if RULES[k].filers & sides and k is not PartyRequestKind.AGENCY and k not in REPORTS
    ]


def _acted_at(request: Request) -> datetime | None:
    """When this party last acted on the case (the cookie ``_acted`` set, scoped to the case's path); a value the
    party doctored can only make their page ask Temporal more."""
    try:
        return datetime.fromtimestamp(float(request.cookies.get(ACTED_COOKIE, "")), UTC)
    except (ValueError, OverflowError, OSError):
        return None


async def _case_page(
    request: Request, session: tuple[Actor, str], case_id: str, acted_at: datetime | None = None, **extra: Any
) -> HTMLResponse:
    """The case's space. A view the web already has is shown if known current within the configured age and
    after the party's last act here (``acted_at``, else the cookie): their own act shows at once, in any process."""
    state = app_state(request)
    client = temporal_client(state)
    max_age = timedelta(seconds=state.settings.party_view_max_age_seconds)
    space = await party_space.case_space(
        desk(state), client, session[0], case_id, till(state), state.case_pages, max_age, acted_at or _acted_at(request)
    )
    extra.setdefault("paid", None)
    report_form = {
        "rows": {
            k: (range(n), [(e.value, word(e.value)) for e in kinds] if kinds else [])
            for k, (n, kinds) in REPORT_ROWS.items()
        },
        "titles": WORDS,
        "changes": range(CHANGE_ROWS),
        "change_kinds": [(e.value, word(e.value)) for e in ChangeKind],
    }
    return _page(
        request, "case.html", session[1], case=space, kinds=_kinds(space.my_roles), report_form=report_form, **extra
    )


@router.get(PREFIX + "/cases/{case_id}", response_class=HTMLResponse)
async def case(request: Request, case_id: str, session: PartySession) -> Response:
    return await _case_page(request, session, case_id, error=None, text="")


# The property report's form (财产调查规定 Art 5, 6, 7): a few rows per part, an empty row left out; a longer report
# is filed through the API or completed by a supplement.
REPORT_ROWS: dict[str, tuple[int, type[StrEnum] | None]] = {
    "money": (3, MoneyKind),
    "immovables": (2, ImmovableKind),
    "movables": (2, MovableKind),
    "rights": (2, RightKind),
    "other": (1, None),
}
CHANGE_ROWS = 2
ASSET_FIELDS = ("description", "where", "number", "burden")


def _optional_fen(amount: str, field: str) -> int | None:
    """Yuan as typed, in fen; empty: not known."""
    if not amount.strip():
        return None
    try:
        value = Decimal(amount.replace(",", "").strip())
    except InvalidOperation:
        value = Decimal(-1)
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise ValidationFailed("INVALID_AMOUNT", f"{field}: 金额须为不小于零的数, 最多两位小数 (如 1234.50)", field)
    return int(value * 100)


def _report_from(form: Mapping[str, str]) -> dict[str, Any]:
    """The report the form describes, as the API takes it (rows with no description are left out)."""
    report: dict[str, Any] = {"no_property": form.get("no_property") == "yes"}
    for section, (rows, kinds) in REPORT_ROWS.items():
        items: list[dict[str, Any]] = []
        for i in range(rows):
            row: dict[str, Any] = {f: form.get(f"{section}-{i}-{f}", "").strip() for f in ASSET_FIELDS}
            if not row["description"]:
                continue
            row["value_fen"] = _optional_fen(form.get(f"{section}-{i}-value", ""), f"report.{section}.{len(items)}")
            if kinds is not None:
                row["kind"] = form.get(f"{section}-{i}-kind", "")
            items.append(row)
        report[section] = items
    changes: list[dict[str, Any]] = []
    for i in range(CHANGE_ROWS):
        description = form.get(f"changes-{i}-description", "").strip()
        if description:
            field = f"report.changes.{len(changes)}"
            changes.append(
                {
                    "kind": form.get(f"changes-{i}-kind", ""),
                    "changed_on": form.get(f"changes-{i}-changed_on", "") or None,
                    "description": description,
                    "amount_fen": _optional_fen(form.get(f"changes-{i}-amount", ""), field),
                }
            )
    report["changes"] = changes
    return report


async def _acted(
    request: Request,
    session: tuple[Actor, str],
    case_id: str,
    act: Callable[[], Awaitable[object]],
    anchor: str,
    shown_at: str = "error",
    text: str = "",
) -> Response:
    """A form of the case page sent: done, back to its section; refused, the page again (422) with why beside
    that form (``shown_at``: the template's slot) and what was typed (``text``). Done, the act's time goes in a
    cookie of the case's path, so the next load, in whichever web process, shows no view known before it."""
    try:
        await act()
    except (OneMatterError, ValidationError) as exc:
        slots: dict[str, Any] = {"error": None, shown_at: _message(exc, request)}
        refused = await _case_page(request, session, case_id, text=text, **slots)
        refused.status_code = 422
        return refused
    response = RedirectResponse(f"{PREFIX}/cases/{case_id}#{anchor}", status_code=303)
    _remember_act(request, response, case_id)
    return response


def _remember_act(request: Request, response: Response, case_id: str) -> None:
    response.set_cookie(
        ACTED_COOKIE,
        f"{utcnow().timestamp():.6f}",
        max_age=ACTED_KEPT,
        httponly=True,
        samesite="strict",
        secure=app_state(request).settings.public_base_url.startswith("https://"),
        path=f"{PREFIX}/cases/{case_id}",
    )


@router.post(PREFIX + "/cases/{case_id}/report")
async def file_report(request: Request, case_id: str, session: PartySession) -> Response:
    """报告财产 or 补充报告 from the structured form; a problem is shown naming the part and the field."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    _check_csrf(session[1], form.get("csrf", ""))
    state = app_state(request)
    kind = form.get("kind", PartyRequestKind.PROPERTY_REPORT.value)

    async def act() -> object:
        body = party_requests.NewPartyRequest.model_validate(
            {
                "kind": kind,
                "text": form.get("text", ""),
                "report": _report_from(form),
                "on_behalf_of": form.get("on_behalf_of") or None,
            }
        )
        return await party_requests.file_request(desk(state), temporal_client(state), session[0], case_id, body)

    return await _acted(request, session, case_id, act, "requests", shown_at="report_error")


def _fen(amount: str, field: str = "amount", label: str = "party.pay_amount") -> int:
    """Yuan as typed (1,234.5) in fen, exactly: no float on the way. A refusal names the field by its label on
    the form (``label``, its i18n key: 本金, not 金额), in the page's own words."""
    try:
        value = Decimal(amount.replace(",", "").strip())
    except InvalidOperation:
        value = Decimal(0)
    if value <= 0 or value != value.quantize(Decimal("0.01")):
        named = _LABEL_NOTE.sub("", translate("zh", label))
        raise ValidationFailed(
            "INVALID_AMOUNT", f"{field}: 「{named}」须是大于零的元数, 最多两位小数, 如 1234.50", field
        )
    return int(value * 100)


_LABEL_NOTE = re.compile(r"\s*\(.*\)$")  # a label's note in brackets: 利息 (文书判定的, 可不填) names 利息


@router.post(PREFIX + "/cases/{case_id}/pay")
async def pay(
    request: Request,
    case_id: str,
    session: PartySession,
    csrf: Annotated[str, Form()] = "",
    amount: Annotated[str, Form()] = "",
) -> Response:
    """网上缴费: to the payment platform's page; it sends the payer back to ``/paid``."""
    _check_csrf(session[1], csrf)
    state = app_state(request)
    back = str(request.base_url) + f"p/cases/{case_id}/paid?order={{order_id}}"
    try:
        body = party_payments.PaymentIn(amount_fen=_fen(amount))
        order = await party_payments.open_order(till(state), temporal_client(state), session[0], case_id, body, back)
    except (OneMatterError, ValidationError) as exc:
        response = await _case_page(request, session, case_id, error=_message(exc, request), text="")
        response.status_code = 422
        return response
    # A link, not a redirect: the pages' CSP keeps forms to this site (form-action 'self'); the payer follows
    # it to the platform's page, which names the case and the amount again.
    space_number = await party_space.my_case_number(desk(state), session[0], case_id)
    return _page(request, "pay.html", session[1], order=order, case_number=space_number)


@router.get(PREFIX + "/cases/{case_id}/paid", response_class=HTMLResponse)
async def paid(request: Request, case_id: str, session: PartySession, order: str = "") -> Response:
    """Back from the platform: the order read at the platform and, paid, credited to its own case."""
    state = app_state(request)
    done = await party_payments.confirm(till(state), temporal_client(state), session[0], case_id, order)
    # Credited just now (a signal to the case): shown from a view newer than the credit, here and after.
    response = await _case_page(request, session, case_id, utcnow(), error=None, text="", paid=done.status)
    _remember_act(request, response, case_id)
    return response


@router.post(PREFIX + "/cases/{case_id}/sanctions/{sanction_id}/reconsideration")
async def reconsideration(
    request: Request,
    case_id: str,
    sanction_id: str,
    session: PartySession,
    csrf: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
) -> Response:
    """复议 from the case page: the debtor's reasons; refused with the rule after the 3 days or a second time."""
    _check_csrf(session[1], csrf)
    state = app_state(request)

    async def act() -> object:
        body = party_requests.ReconsiderationIn(text=text)
        return await party_requests.apply_reconsideration(
            desk(state), temporal_client(state), session[0], case_id, sanction_id, body
        )

    return await _acted(request, session, case_id, act, "sanctions", shown_at="sanction_error")


@router.post(PREFIX + "/cases/{case_id}/closure-consent")
async def closure_consent(
    request: Request,
    case_id: str,
    session: PartySession,
    csrf: Annotated[str, Form()] = "",
    agree: Annotated[str, Form()] = "",
    statement: Annotated[str, Form()] = "",
) -> Response:
    """签字确认终本 from the case page (民诉法解释 Art. 517): the applicant's word and reasons."""
    _check_csrf(session[1], csrf)
    state = app_state(request)

    async def act() -> object:
        body = ClosureConsent(agree=agree == "yes", statement=statement)
        return await party_closure.consent(desk(state), temporal_client(state), session[0], case_id, body)

    return await _acted(request, session, case_id, act, "closure", shown_at="closure_error")


@router.post(PREFIX + "/cases/{case_id}/requests/{request_id}/consent")
async def consent(
    request: Request,
    case_id: str,
    request_id: str,
    session: PartySession,
    csrf: Annotated[str, Form()] = "",
    agree: Annotated[str, Form()] = "",
) -> Response:
    _check_csrf(session[1], csrf)
    state = app_state(request)
    body = party_requests.Consent(agree=agree == "yes")

    async def act() -> object:
        return await party_requests.consent(desk(state), temporal_client(state), session[0], case_id, request_id, body)

    return await _acted(request, session, case_id, act, "requests")


@router.get(PREFIX + "/cases/{case_id}/files/{sha256}")
async def case_file(request: Request, case_id: str, sha256: str, session: PartySession) -> Response:
    state = app_state(request)
    content_type, data = await party_space.case_file(
        desk(state), state.settings, temporal_client(state), session[0], case_id, sha256
    )
    return Response(data, media_type=content_type, headers={"Cache-Control": "private, no-store"})


@router.get(PREFIX + "/cases/{case_id}/documents/{document_id}")
async def served_document(request: Request, case_id: str, document_id: str, session: PartySession) -> Response:
    state = app_state(request)
    pdf = await party_space.served_pdf(
        desk(state), state.settings, temporal_client(state), session[0], case_id, document_id
    )
    headers = {"Cache-Control": "private, no-store", "Content-Disposition": f'inline; filename="{document_id}.pdf"'}
    return Response(pdf, media_type="application/pdf", headers=headers)


def _schedule(text: str) -> list[dict[str, object]]:
    """Instalments typed one a line, "2027-01-31 1500.00", as the request takes them."""
    rows = []
    for line in (ln.strip() for ln in text.splitlines()):
        if line:
            due, _, amount = line.partition(" ")
            rows.append({"due_on": due.strip(), "amount_fen": _fen(amount, "instalments", "party.schedule")})
    return rows


@router.post(PREFIX + "/cases/{case_id}/requests")
async def file_request(
    request: Request,
    case_id: str,
    session: PartySession,
    csrf: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    schedule: Annotated[str, Form()] = "",
    asset_kind: Annotated[str, Form()] = "",
    asset_plate: Annotated[str, Form()] = "",
    asset_bank: Annotated[str, Form()] = "",
    asset_location: Annotated[str, Form()] = "",
) -> Response:
    _check_csrf(session[1], csrf)
    state = app_state(request)

    async def act() -> object:
        plan = _schedule(schedule) if kind == PartyRequestKind.INSTALMENTS.value else []
        asset = (
            {"kind": asset_kind, "plate": asset_plate, "bank": asset_bank, "location": asset_location}
            if asset_kind and kind == PartyRequestKind.LEAD.value
            else None
        )
        body = party_requests.NewPartyRequest.model_validate(
            {"kind": kind, "text": text, "instalments": plan, "asset": asset}
        )
        return await party_requests.file_request(desk(state), temporal_client(state), session[0], case_id, body)

    return await _acted(request, session, case_id, act, "requests", text=text)


def install(app: Any) -> None:
    """The party pages and their login redirect."""
    app.include_router(router)

    async def on_login_required(request: Request, exc: Exception) -> Response:
        return RedirectResponse(f"{PREFIX}/login", status_code=303)

    app.add_exception_handler(PartyLoginRequired, on_login_required)
