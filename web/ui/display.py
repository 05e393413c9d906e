"""A case's summary, result and timeline in the judge's language: every column labelled from the
scenario's words (``column.*``, ``summary.*``, ``field.*``), values formatted (money in yuan, times in
China time, statuses and enum values in words, agencies by name), nested lists as tables, and each
timeline step attributed to who acted — the judge, an agency, a partner system, or the system.

Generic over the scenarios: a new scenario's page reads right from its words alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from markupsafe import Markup, escape

from domain.money import format_yuan
from web.services.directory import Directory
from web.ui.i18n import Translator
from web.ui.render import local_time

_MAX_DEPTH = 4
_MAX_ROWS = 200
# A value under one of these keys names an agency or a partner (shown by name).
_AGENCY_KEYS = ("agency", "partner", "partner_id", "bank", "registry", "platform", "agency_id")
# Steps only a person takes; any other step recorded while a judge's call ran is the system's doing.
_PERSON_ACTIONS = ("started", "decision", "cancel_requested", "signal:om-cancel-requested")


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

    def target(self, entry: Any) -> str:
        """The agency a step concerns (a task assigned to it), by name."""
        agency = (entry.detail or {}).get("agency")
        return self.directory.name(str(agency)) if agency else ""
