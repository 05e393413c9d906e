"""A case's summary, result and timeline in the judge's language: every column labelled from the
scenario's words (``column.*``, ``summary.*``, ``field.*``), values formatted (money in yuan, times in
China time, statuses and enum values in words, agencies by name), nested lists as tables, and each
timeline step attributed to who acted — the judge, an agency, a partner system, or the system.

Generic over the scenarios: a new scenario's page reads right from its words alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

from domain.money import format_yuan
from web.services.directory import Directory
from web.ui.i18n import Translator
from web.ui.render import local_time
from workflows.registry import SCENARIOS

# What a workflow or task id looks like (``asset-inquiry-3f…``, ``…:task:accept``): shown as a link.
_TASK_ID = re.compile(r"^[a-z][a-z-]*-[0-9a-f]{12,32}:task:[\w.-]+$")
_WORKFLOW_ID = re.compile(r"^[a-z][a-z-]*-[0-9a-f]{12,32}$")
_MAX_DEPTH = 4
_MAX_ROWS = 200
# A value under one of these keys names an agency or a partner (shown by name).
_AGENCY_KEYS = ("agency", "partner", "partner_id", "bank", "registry", "platform", "agency_id")
# Steps only a person takes; any other step recorded while a judge's call ran is the system's doing.
_PERSON_ACTIONS = ("started", "decision", "cancel_requested", "signal:om-cancel-requested")


# Steps that are a refusal or a failure whatever their detail says.
_FAILED_ACTIONS = ("_refused", "_failed", "_rejected")
# Refusal codes the system itself raises (it could not reach or understand a partner), and the ones a
# rule of law decides; every other code is the partner's (or the agency's) answer.
_SYSTEM_CODES = frozenset(
    {
        "FAILED",
        "UNAVAILABLE",
        "TIMEOUT",
        "TRANSPORT_ERROR",
        "UNAUTHORIZED",
        "MALFORMED_ANSWER",
        "UNKNOWN_PARTNER",
        "IDEMPOTENCY_KEY_REQUIRED",
        "IDEMPOTENCY_KEY_INVALID",
        "REQUEST_ID_MISMATCH",
        "BATCH_ID_MISMATCH",
        "STATUS_MISMATCH",
    }
)
_RULE_CODES = frozenset({"RESIDENCE_PROTECTED", "MINOR_NOT_LISTABLE"})
# Steps recorded without a code whose failure is the system's own (it could not tell or run a workflow).
_SYSTEM_FAILURES = frozenset({"restriction_signal_failed", "reinquiry_failed"})


def refusal_kind(code: str, detail: Mapping[str, Any], role: str, action: str = "") -> str:
    """Who refused: ``rule``, ``system``, ``agency`` (a task's agency) or ``partner``."""
    if code in _RULE_CODES:
        return "rule"
    if action in _SYSTEM_FAILURES:
        return "system"
    if code.startswith("TASK_") or role == "agency" or (detail.get("agency") and not detail.get("partner")):
        return "agency"
    if code in _SYSTEM_CODES:
        return "system"
    return "partner"


class Display:
    def __init__(self, t: Translator, scenario: str | None, directory: Directory) -> None:
        self.t = t
        self.scenario = scenario
        self.directory = directory

    # --- labels -------------------------------------------------------------------------------------

    def label(self, key: str, kinds: tuple[str, ...] = ("column", "summary", "field")) -> str:
        """A column or entry name from the scenario's words; the key itself only where none says it."""
        for kind in kinds:
            text = self.t.word(kind, key, self.scenario)
            if text != key:
                return text
        return key

    def key_label(self, key: str) -> str:
        """A mapping's key: an agency's id by the agency's name (answers by partner), else as a column."""
        return self.directory.name(key) if key in self.directory.by_id else self.label(key)

    def path_label(self, path: str) -> str:
        """``rounds[1].closes_at`` → 拍卖轮次 1 · 结束时间."""
        out = []
        for part in path.split("."):
            key, _, index = part.partition("[")
            out.append(self.label(key) + (f" {index.rstrip(']')}" if index else ""))
        return " · ".join(out)

    def word(self, value: str) -> str:
        """An enum value, status or state in words, or the value itself (a name, a number)."""
        for kind in ("enum", "status", "state", "mark"):
            text = self.t.word(kind, value, self.scenario)
            if text != value:
                return text
        return value

    # --- values -------------------------------------------------------------------------------------

    def value(self, key: str, value: Any, depth: int = 0) -> Markup:
        if value is None or value == [] or value == {} or value == "":
            return Markup("—")
        if isinstance(value, bool):
            return Markup(escape(self.t("common.yes") if value else self.t("common.no")))
        if isinstance(value, int) and (key.endswith("_fen") or key == "fen"):
            return Markup('<span class="money">{}</span>').format(format_yuan(value))
        if isinstance(value, int | float):
            return Markup(escape(f"{value:,}" if isinstance(value, int) and abs(value) >= 10_000 else value))
        if isinstance(value, str):
            return self._text(key, value)
        if depth >= _MAX_DEPTH:
            return Markup('<span class="muted">…</span>')
        if isinstance(value, Mapping):
            return self.mapping(value, depth + 1)
        if isinstance(value, list):
            if all(isinstance(v, Mapping) for v in value):
                return self.table(value, depth + 1)
            return Markup("、").join(self.value(key, v, depth + 1) for v in value[:_MAX_ROWS])
        return Markup(escape(str(value)))

    def _text(self, key: str, value: str) -> Markup:
        if _TASK_ID.match(value):  # an agency task: a link to it, never its id
            return Markup('<a href="/ui/tasks/{}" title="{}">{}</a>').format(
                quote(value, safe=""), value, self.t("case.open_task")
            )
        if _WORKFLOW_ID.match(value) and value.rsplit("-", 1)[0] in SCENARIOS:
            return Markup('<a href="/ui/cases/{}" title="{}">{}</a>').format(
                quote(value, safe=""), value, self.t("case.open_case")
            )
        shown = local_time(value)
        if shown != value:  # an instant: China time
            return Markup('<time datetime="{}">{}</time>').format(value, shown)
        if key.endswith(_AGENCY_KEYS) or value in self.directory.by_id:
            name = self.directory.name(value)
            if name != value:
                return Markup('<span title="{}">{}</span>').format(value, name)
        return Markup(escape(self.word(value)))

    def mapping(self, value: Mapping[str, Any], depth: int = 0) -> Markup:
        items = Markup("").join(
            Markup('<div class="kv-row"><span class="k">{}</span><span class="v">{}</span></div>').format(
                self.key_label(str(k)), self.value(str(k), v, depth)
            )
            for k, v in value.items()
        )
        return Markup('<div class="kv">{}</div>').format(items)

    def table(self, rows: list[Any], depth: int = 0) -> Markup:
        cols: list[str] = []
        for row in rows[:_MAX_ROWS]:
            for k in row:
                if str(k) not in cols:
                    cols.append(str(k))
        head = Markup("").join(Markup('<th title="{}">{}</th>').format(c, self.label(c)) for c in cols)
        body = Markup("").join(
            Markup("<tr>{}</tr>").format(
                Markup("").join(Markup("<td>{}</td>").format(self.value(c, row.get(c), depth)) for c in cols)
            )
            for row in rows[:_MAX_ROWS]
        )
        more = Markup('<p class="muted small">… {}</p>').format(len(rows) - _MAX_ROWS) if len(rows) > _MAX_ROWS else ""
        return Markup(
            '<div class="table-wrap"><table class="grid small"><thead><tr>{}</tr></thead>'
            "<tbody>{}</tbody></table>{}</div>"
        ).format(head, body, more)

    # --- the timeline -------------------------------------------------------------------------------

    def actor(self, entry: Any) -> dict[str, str]:
        """Who acted in one timeline step: ``kind`` (judge, agency, partner, system) and a readable name."""
        detail: Mapping[str, Any] = entry.detail or {}
        actor = entry.actor
        role = actor.role.value
        partner = detail.get("partner") or detail.get("partner_id")
        if role == "agency":
            who = self.directory.name(actor.agency) if actor.agency else ""
            return {"kind": "agency", "name": f"{who} · {actor.user_id}" if who else actor.user_id}
        if partner and entry.reason is None and entry.action not in _PERSON_ACTIONS:
            return {"kind": "partner", "name": self.directory.name(str(partner))}
        if role in ("judge", "approver", "supervisor", "admin") and (
            entry.reason is not None or entry.action in _PERSON_ACTIONS
        ):
            return {"kind": role, "name": actor.user_id}
        return {"kind": "system", "name": self.t("case.actor.system")}

    def failure(self, entry: Any) -> dict[str, str] | None:
        """A refused or failed step explained (None for any other step): ``what`` failed, ``who`` refused
        it (a partner or agency by name, a rule, or the system — the judge only when the judge decided
        it), ``why`` in the reader's words from the refusal code, and what the judge can do ``next``."""
        detail: Mapping[str, Any] = entry.detail or {}
        code = detail.get("code")
        action = str(entry.action)
        rejected = action == "task_rejected"
        if not (code or rejected or action == "incident" or action.endswith(_FAILED_ACTIONS)):
            return None
        if not code and not rejected and entry.actor.role.value in ("judge", "approver"):
            return None  # the judge refused something (an exemption, a correction): a decision, not a failure
        code = str(code or ("TASK_REJECTED" if rejected else "FAILED"))
        kind = refusal_kind(code, detail, entry.actor.role.value, action)
        names = {
            "partner": self.directory.name(str(detail.get("partner") or detail.get("partner_id") or "")),
            "agency": self.directory.name(str(detail.get("agency") or entry.actor.agency or "")),
        }
        who = names.get(kind) or self.t(f"case.actor.{kind}")
        why = self.t(f"refusal.{code}", "")
        if rejected and entry.reason:
            why = entry.reason  # the agency's own words
        elif not detail.get("code"):
            # A step recorded without a code says what failed by its action (an exception's text never shows).
            why = self.t(f"failure.{action}", "") or why or self.t("refusal.unknown", code=code)
        elif not why:
            why = self.t("refusal.unknown", code=code)
        step = str(detail.get("step") or "")
        what = self.t.word("action", action, self.scenario)
        if action == "incident" and step:
            what = f"{what} · {self.label(step, ('step', 'column', 'field'))}"
        return {
            "what": what,
            "kind": kind,
            "who": who,
            "why": why,
            "next": self.t(f"refusal_next.{code}", "") or self.t(f"refusal_next.by_{kind}"),
            "code": code,
        }

    def target(self, entry: Any) -> str:
        """The agency a step concerns (a task assigned to it), by name."""
        agency = (entry.detail or {}).get("agency")
        return self.directory.name(str(agency)) if agency else ""
