"""The UI's session: the bearer token the API issues, kept in an HttpOnly, SameSite=Lax cookie; a CSRF
token per session in every form; and who the user is, with role checks done on the server.

The CSRF token is derived from the session token (SHA-256 with a fixed label): unguessable without the
cookie, which scripts cannot read, and the same on every web replica without shared state. Logging in
uses a double-submit cookie instead, as there is no session yet.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import Response

from domain.actors import Actor, Role
from domain.errors import Forbidden
from web.codec import SESSION_COOKIE
from web.deps import AppState, app_state
from web.services import users
from web.ui.i18n import DEFAULT_LANG, Translator, normalise_lang

LANG_COOKIE = "lang"
LOGIN_CSRF_COOKIE = "om_login_csrf"
CSRF_FIELD = "csrf"


class LoginRequired(Exception):
    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class UiForbidden(Exception):
    pass


class CsrfFailed(Exception):
    pass


def csrf_for(session_token: str) -> str:
    return hashlib.sha256(b"one-matter ui csrf\x00" + session_token.encode()).hexdigest()


@dataclass(frozen=True)
class UiUser:
    actor: Actor
    token: str

    @property
    def csrf(self) -> str:
        return csrf_for(self.token)

    @property
    def role(self) -> Role:
        return self.actor.role


def request_lang(request: Request) -> str:
    return normalise_lang(request.cookies.get(LANG_COOKIE, DEFAULT_LANG))


def translator(request: Request) -> Translator:
    return Translator(request_lang(request))


async def optional_user(request: Request) -> UiUser | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    state: AppState = app_state(request)
    actor = await users.actor_for(state.db, token)
    if actor is None:
        return None
    request.state.user = str(actor)
    if actor.role is Role.PARTY:
        request.state.party = True
        return None  # staff pages know no party; an error page shows them as it shows anyone
    return UiUser(actor=actor, token=token)


async def ui_user(request: Request) -> UiUser:
    user = await optional_user(request)
    if user is None and getattr(request.state, "party", False):
        raise Forbidden("STAFF_ONLY", "当事人账户不能使用法院工作人员的功能 / a party's account opens no staff page")
    if user is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target)
    return user


def require(*roles: Role) -> object:
    async def _check(user: Annotated[UiUser, Depends(ui_user)]) -> UiUser:
        if user.role not in roles:
            raise UiForbidden(f"role {user.role.value} may not open this page")
        return user

    return Depends(_check)


async def check_csrf(request: Request, user: UiUser) -> None:
    form = await request.form()
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent, user.csrf):
        raise CsrfFailed()


def login_url(next_url: str | None = None) -> str:
    return "/ui/login" + (f"?next={quote(next_url, safe='')}" if next_url else "")


def safe_next(value: str | None) -> str | None:
    """Only a local path: never an open redirect to another site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value


def set_session(response: Response, token: str, max_age: int, secure: bool) -> None:
    response.set_cookie(SESSION_COOKIE, token, max_age=max_age, httponly=True, samesite="lax", secure=secure, path="/")


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


_PAGES_BY_ROLE = {
    Role.JUDGE: ("/ui/cases", "/ui/audit", "/ui/tasks"),
    Role.AGENCY: ("/ui/inbox", "/ui/tasks", "/ui/attachments"),
    Role.AUDITOR: ("/ui/audit", "/ui/cases/", "/ui/tasks"),
    Role.ADMIN: ("/ui/audit", "/ui/cases/", "/ui/tasks"),
    Role.APPROVER: ("/ui/cases", "/ui/audit", "/ui/tasks"),
    Role.SUPERVISOR: ("/ui/audit", "/ui/cases/", "/ui/tasks", "/ui/queue", "/ui/dashboard"),
    Role.FILING_CLERK: ("/ui/dockets",),
}


def landing(role: Role, wanted: str | None) -> str:
    """Where a user goes after logging in: the page asked for, if the role may see it, else home."""
    if wanted and wanted.startswith(_PAGES_BY_ROLE.get(role, ())):
        return wanted
    return home_for(role)


def home_for(role: Role) -> str:
    """Where a user lands: on their work queue (the command centre's: 待督办, overdue decisions and red tasks)."""
    if role in (Role.JUDGE, Role.APPROVER, Role.SUPERVISOR):
        return "/ui/queue"
    if role is Role.AGENCY:
        return "/ui/inbox"
    if role is Role.FILING_CLERK:
        return "/ui/dockets"  # 立案庭: the court's register of cases
    return "/ui/audit"


JudgeUser = Annotated[UiUser, require(Role.JUDGE)]
# Who takes decisions: the judge, and the approver (庭长) for a second approval; which decision is whose
# is the workflow's decision desk's to say (PendingDecision.roles).
DeciderUser = Annotated[UiUser, require(Role.JUDGE, Role.APPROVER)]
AgencyUser = Annotated[UiUser, require(Role.AGENCY)]
# Whose work queue is a page of cases: the judge's, the approver's, the command centre's.
QueueUser = Annotated[UiUser, require(Role.JUDGE, Role.APPROVER, Role.SUPERVISOR)]
ReaderUser = Annotated[UiUser, require(Role.JUDGE, Role.APPROVER, Role.SUPERVISOR, Role.AUDITOR, Role.ADMIN)]
AuditUser = Annotated[UiUser, require(Role.AUDITOR, Role.ADMIN, Role.JUDGE, Role.APPROVER, Role.SUPERVISOR)]
AnyUser = Annotated[UiUser, Depends(ui_user)]
