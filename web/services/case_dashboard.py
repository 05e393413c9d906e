"""The dashboard by case (案件看板, domain/case_dashboard.py) over the caller's courts: open cases by the
term's colour, closed ones by mode, 执行到位率 and 结案率 per court and per judge — and the cases behind
each figure (``drill``). Read from the case register in one grouped query; courts are tenants, so a court
outside the caller's does not appear, and its cases are never counted."""

from __future__ import annotations

from pydantic import BaseModel, Field

from domain.actors import Actor
from domain.case_dashboard import CaseBoard, board
from store.cases import CaseFilter, CaseRegisterEntry, CaseStore
from store.db import Database
from web.services.access import READERS, require_role

DRILL_PAGE = 100


class Drill(BaseModel):
    """The cases behind one figure, a page at a time."""

    where: CaseFilter
    total: int
    offset: int
    cases: list[CaseRegisterEntry] = Field(default_factory=list)


async def case_board(db: Database, actor: Actor, year: int | None = None) -> CaseBoard:
    require_role(actor, *READERS)
    courts = tuple(actor.courts)
    groups = await db.run(CaseStore(db).groups, courts, year) if courts else []
    return board(groups, courts)


async def drill(db: Database, actor: Actor, where: CaseFilter, offset: int = 0, limit: int = DRILL_PAGE) -> Drill:
    """The cases a figure counts: the same scope and the same filter as the figure."""
    require_role(actor, *READERS)
    courts = tuple(c for c in actor.courts if where.court in (None, c))
    if not courts:
        return Drill(where=where, total=0, offset=offset)
    store = CaseStore(db)
    total = await db.run(store.count, courts, None, where)
    rows = await db.run(store.list, courts, None, False, limit, where, offset)
    return Drill(where=where, total=total, offset=offset, cases=rows)
