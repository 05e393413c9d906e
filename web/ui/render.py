"""Templates and the helpers they use: money in yuan, times in China time, summaries made readable
(progress bars, countdowns, tables), and the page and error responses."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from documents.render import TemplateLibrary
from domain.errors import OneMatterError
from domain.legal_time import CHINA_TZ
from domain.money import format_yuan
from domain.property_report import REPORT_WORDS, word
from domain.report_sanctions import STATUS_WORDS
from web.deps import app_state
from web.services.directory import Directory, directory
from web.ui.i18n import Translator, bilingual, has_cjk
from web.ui.session import UiUser, request_lang

WEB_DIR = Path(__file__).resolve().parent.parent
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
# The templates ship with the code, which a restart replaces: no stat of each template file at every render.
templates.env.auto_reload = False


def compile_templates() -> None:
    """Compiles every template now, when the process starts, rather than on the first page that uses it:
    the case page's compile is 70 ms of CPU on a quiet host, during which every other request of that
    process waits — the first judges after a deploy or a restart were paying it (bench/ui.py)."""
    for name in templates.env.list_templates(extensions=["html"]):
        templates.env.get_template(name)


def _parse_time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return None


def local_time(value: Any, seconds: bool = False) -> str:
    """China time, as people in the court read it."""
    parsed = _parse_time(value)
    if parsed is None:
        return "" if value is None else str(value)
    return parsed.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


def iso(value: Any) -> str:
    parsed = _parse_time(value)
    return parsed.astimezone(UTC).isoformat() if parsed else ""


def yuan(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return "" if value is None else str(value)
    return format_yuan(value)


def pretty(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def show(key: str, value: Any) -> str:
    """One summary or detail value as text: fen as ¥, times in China time, lists and objects compact."""
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if key.endswith("_fen") and isinstance(value, int):
        return format_yuan(value)
    if _parse_time(value) is not None:
        return local_time(value)
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


# --- summary helpers ----------------------------------------------------------------------------------

_DONE_KEYS = ("done", "paid", "completed", "processed", "succeeded", "closed")


def progress_bars(summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Progress a workflow reports: ``percent_*`` / ``*_percent`` numbers, and ``{done, total}`` objects."""
    bars: list[dict[str, Any]] = []
    for key, value in summary.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int | float) and (key.startswith("percent_") or key.endswith(("_percent", "progress"))):
            pct = float(value) * (100 if key.endswith("progress") and value <= 1 else 1)
            bars.append({"key": key, "percent": max(0.0, min(100.0, pct)), "text": f"{pct:.1f}%"})
        elif isinstance(value, Mapping) and isinstance(value.get("total"), int | float) and value["total"]:
            done_key = next((k for k in _DONE_KEYS if isinstance(value.get(k), int | float)), None)
            if done_key is not None:
                pct = 100.0 * float(value[done_key]) / float(value["total"])
                bars.append({"key": key, "percent": min(100.0, pct), "text": f"{value[done_key]} / {value['total']}"})
    return bars


_COUNTDOWN_KEYS = ("ends_at", "closes_at", "due_at", "deadline", "expires_at", "opens_at", "starts_at")


def countdowns(summary: Mapping[str, Any], now: datetime | None = None) -> list[dict[str, str]]:
    """Future instants in the summary (auction ends, deadlines), one level into lists of objects."""
    now = now or datetime.now(UTC)
    found: list[dict[str, str]] = []

    def visit(path: str, key: str, value: Any, depth: int) -> None:
        if depth > 2:
            return
        if isinstance(value, Mapping):
            for k, v in value.items():
                visit(f"{path}.{k}" if path else str(k), str(k), v, depth + 1)
        elif isinstance(value, list):
            for i, v in enumerate(value[:20]):
                visit(f"{path}[{i + 1}]", key, v, depth + 1)
        elif key.endswith(_COUNTDOWN_KEYS) or (key.endswith("_at") and "deadline" in key):
            when = _parse_time(value)
            if when is not None and when > now:
                found.append({"label": path, "until": iso(when), "local": local_time(when)})

    visit("", "", summary, 0)
    return found


def table_of(value: Any) -> tuple[list[str], list[Mapping[str, Any]]] | None:
    """A list of flat objects as (columns, rows), for showing reports and measures as tables."""
    if not isinstance(value, list) or not value or not all(isinstance(v, Mapping) for v in value):
        return None
    cols: list[str] = []
    for row in value:
        for k in row:
            if k not in cols:
                cols.append(str(k))
    return cols, value


@cache
def _english_titles() -> dict[str, str]:
    return {spec.title: spec.title_en for spec in TemplateLibrary().specs.values()}


def document_title(title: str, lang: str) -> str:
    """A document's title in the page's language: the Chinese it was issued under (and the API gives), or the
    English its template declares beside it."""
    return title if lang == "zh" else _english_titles().get(title, title)


templates.env.filters.update(local_time=local_time, yuan=yuan, pretty=pretty, iso=iso)
templates.env.globals.update(document_title=document_title)
templates.env.globals.update(show=show, table_of=table_of, bilingual=bilingual)
# A property report's parts and kinds in words (party/_report.html, on the party's and the judge's pages).
templates.env.globals.update(report_words=REPORT_WORDS, report_word=word, sanction_status=STATUS_WORDS)


def page(
    request: Request,
    name: str,
    user: UiUser | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    lang = request_lang(request)
    names: list[Directory] = []

    def agency_name(agency_id: str | None) -> str:
        """An agency or partner by its name (the id only where none is configured), read once a page."""
        if not names:
            names.append(Directory(directory(app_state(request).settings)))
        return names[0].name(agency_id)

    ctx = {
        "agency_name": agency_name,
        "acceleration": app_state(request).settings.time_acceleration,
        "min_wait": app_state(request).settings.time_scale().min_wait_seconds,
        "request": request,
        "user": user,
        "lang": lang,
        "t": Translator(lang),
        "csrf": user.csrf if user else "",
        "path": request.url.path + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    }
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)


def error_page(request: Request, user: UiUser | None, status_code: int, title_key: str, message: str) -> HTMLResponse:
    return page(request, "error.html", user, status_code=status_code, title_key=title_key, message=message)


# A message that begins with the field it concerns, as the services write them for an API caller
# ("amount_fen: …", "sanction.days: …"): the key is the caller's, the reader sees the words after it.
_FIELD_HEAD = re.compile(r"^[A-Za-z_][\w.\[\]-]*: ")


def in_reader_language(message: str, lang: str) -> str:
    """``message`` as the reader can read it, or "": the whole of it where it speaks only their language
    (a Chinese message loses the field key it may begin with); nothing where it is written in both
    ("中文 / English", for an API caller) or in the other — those show their code's words instead."""
    parts = message.split(" / ")
    if len(parts) > 1 and any(has_cjk(p) for p in parts) and not all(has_cjk(p) for p in parts):
        return ""
    if (lang == "zh") != has_cjk(message):
        return ""
    return _FIELD_HEAD.sub("", message) if lang == "zh" else message


def in_own_words(text: str, lang: str) -> str:
    """A message with no code (a field's rule): the reader's half of "中文 / English", without a field key."""
    own = in_reader_language(text, lang)
    if own:
        return own
    halves = [h for h in text.split(" / ") if (lang == "zh") == has_cjk(h)]
    return _FIELD_HEAD.sub("", halves[0]) if len(halves) == 1 else text


def said(exc: OneMatterError, t: Translator) -> str:
    """A refusal in the reader's language: its own message where that message speaks only that language (a
    rule's Chinese text with its dates and amounts), else the words of its code (``refusal.<CODE>``: what
    was wrong and what to do), else that it was not accepted, with the code — never a developer's English
    in the Chinese UI, nor both languages at once."""
    own = in_reader_language(exc.message, t.lang)
    return own or t(f"refusal.{exc.code}", "") or t("refusal.generic", code=exc.code)


def refusal_fields(exc: OneMatterError, t: Translator) -> tuple[dict[str, str], list[str]]:
    """Where a refusal shows on a form: a workflow validator says "field: message", so it goes next to
    that field when there is one; a missing reason next to the reason; anything else above the form."""
    if exc.code == "REASON_REQUIRED":
        return {"reason": t("refusal.REASON_REQUIRED", exc.message)}, []
    head, sep, rest = exc.message.partition(": ")
    if sep and " " not in head and exc.code.startswith("INVALID"):
        path = head.removeprefix("result.")
        shown = in_reader_language(rest, t.lang) or said(exc, t)
        return {f"f.{path}": shown}, []
    return {}, [said(exc, t)]
