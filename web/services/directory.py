"""The directory of agencies (协助执行单位) a judge may name in a request: the configured partner systems
(``Settings.partners()``: banks, registries, auction platforms …) and the task-only agencies
(``Settings.agencies()``: other courts, police, car stations, tax …), each with its Chinese name.

This is the one source the start forms choose agencies from, so a form never asks a judge to type an id
such as ``survey-zhuji``. ``kind`` groups interchangeable agencies: a partner's category, or for a
task-only agency the first part of its id (``tax-hangzhou`` → ``tax``) — that is how the sandbox and a
deployment's partners file name them.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel

from config.settings import Settings


class DirectoryEntry(BaseModel):
    id: str
    name: str
    kind: str
    partner: bool  # a system we call (inquiries, measures), not only an agency completing tasks


def kind_of_id(agency_id: str) -> str:
    return agency_id.split("-", 1)[0]


def directory(settings: Settings) -> list[DirectoryEntry]:
    """Every agency this deployment knows, partners first, in configuration order (no duplicates)."""
    out: dict[str, DirectoryEntry] = {}
    for p in settings.partners():
        out[p.id] = DirectoryEntry(id=p.id, name=p.name, kind=p.category.value, partner=True)
    for a in settings.agencies():
        if a.id not in out:
            out[a.id] = DirectoryEntry(id=a.id, name=a.name, kind=kind_of_id(a.id), partner=False)
    return list(out.values())


class Directory:
    """Look-ups over one directory listing."""

    def __init__(self, entries: Iterable[DirectoryEntry]) -> None:
        self.entries = list(entries)
        self.by_id = {e.id: e for e in self.entries}

    def name(self, agency_id: str | None) -> str:
        """The agency's name, or the id itself when it is not configured (shown, never hidden)."""
        if not agency_id:
            return ""
        entry = self.by_id.get(agency_id)
        return entry.name if entry else agency_id

    def like(self, agency_id: str) -> list[DirectoryEntry]:
        """The agencies that may stand in for ``agency_id`` (same kind); all of them when it is unknown."""
        entry = self.by_id.get(agency_id)
        if entry is None:
            return list(self.entries)
        return [e for e in self.entries if e.kind == entry.kind]

    def matching_token(self, token: str) -> list[DirectoryEntry]:
        """Agencies whose id or kind contains ``token`` as a part (``platform`` → the auction platforms)."""
        token = token.lower()
        return [e for e in self.entries if token == e.kind or token in e.id.split("-")]
