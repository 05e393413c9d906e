"""Whose workflows the web shows: those it started (store/started.py), and the workflows they started.

A visibility row or a describe is the web's when its workflow id has a row in the register, or its root's
(Temporal records the root of every child; no client can set it). Everything else — a workflow a plain
client started with our search attributes — does not exist for any user. The court a user's scope is
checked against is the register's; a row's other trusted fields (scenario, case number, who started it)
are the register's too for the workflows the web started itself, and the attributes our own workflow code
set for their children."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from temporalio.api.workflow.v1 import WorkflowExecutionInfo
from temporalio.client import Client
from temporalio.service import RPCError

from runtime.temporal import CASE_NUMBER, COURT, SCENARIO, STARTED_BY
from store.cases import CaseRow
from store.db import Database
from store.started import Registered, StartedStore

_KEEP = 50_000


class _Known:
    """Rows this process has read: the register only grows (a row's start fields never change), so a hit
    is kept; a miss is asked again next time (the row may be written by now)."""

    def __init__(self) -> None:
        self._rows: OrderedDict[str, Registered] = OrderedDict()

    def get(self, workflow_id: str) -> Registered | None:
        return self._rows.get(workflow_id)

    def put(self, row: Registered) -> None:
        self._rows[row.workflow_id] = row
        while len(self._rows) > _KEEP:
            self._rows.popitem(last=False)


_known = _Known()


def root_of(info: WorkflowExecutionInfo) -> str:
    """The workflow that started this one's tree (itself, for a workflow a client started)."""
    root = info.root_execution.workflow_id if info.HasField("root_execution") else ""
    return root or info.execution.workflow_id


async def rows_of(db: Database, workflow_ids: Iterable[str]) -> dict[str, Registered]:
    """The register's rows of those of ``workflow_ids`` the web started."""
    ids = set(workflow_ids)
    found = {i: row for i in ids if (row := _known.get(i)) is not None}
    missing = ids - found.keys()
    if missing:
        fresh = await db.read(StartedStore(db).of, missing)
        for row in fresh.values():
            _known.put(row)
        found.update(fresh)
    return found


async def owners(db: Database, infos: Iterable[WorkflowExecutionInfo]) -> dict[str, Registered]:
    """For each of ``infos`` that is the web's: the register's row that makes it so (its own, else its
    root's), by workflow id."""
    infos = list(infos)
    rows = await rows_of(db, [i.execution.workflow_id for i in infos] + [root_of(i) for i in infos])
    out: dict[str, Registered] = {}
    for info in infos:
        wid = info.execution.workflow_id
        row = rows.get(wid) or rows.get(root_of(info))
        if row is not None:
            out[wid] = row
    return out


async def owner_of(client: Client, db: Database, workflow_id: str) -> Registered | None:
    """The register's row that makes ``workflow_id`` the web's (its own, else its root's, which Temporal is
    asked for), or None."""
    own = (await rows_of(db, [workflow_id])).get(workflow_id)
    if own is not None:
        return own
    try:
        desc = await client.get_workflow_handle(workflow_id).describe()
    except RPCError:
        return None
    return (await owners(db, [desc.raw_description.workflow_execution_info])).get(workflow_id)


async def backfill(client: Client, db: Database, before: datetime, dry_run: bool = False) -> list[str]:
    """Once, when a deployment gets the register: the top-level scenario workflows started before ``before``
    (the upgrade), and the cases the case register holds, recorded as the web's. Their search attributes are
    believed as they stand then — the cut-over's one act of trust (``python -m web.admin register-existing``);
    anything started after ``before`` must have been recorded by the web. Returns the ids recorded."""
    store = StartedStore(db)
    since = before.astimezone(UTC).isoformat()
    query = f"{SCENARIO.name} IS NOT NULL AND StartTime < '{since}'"
    found: list[tuple[str, str, str, str, str | None, str | None]] = []
    async for w in client.list_workflows(query, page_size=500):
        if w.parent_id is not None:
            continue  # a child is the web's through its root
        attrs = w.typed_search_attributes
        court, scenario = attrs.get(COURT), attrs.get(SCENARIO)
        if court and scenario:
            started_by = attrs.get(STARTED_BY) or ""
            found.append((w.id, "scenario", court, started_by, scenario, attrs.get(CASE_NUMBER)))
    cases = select(CaseRow.workflow_id, CaseRow.court, CaseRow.filed_by, CaseRow.case_number)
    for wid, court, filed_by, number in await db.read(db.rows, cases):
        found.append((wid, "case", court, filed_by, None, number))
    known = await rows_of(db, [f[0] for f in found])
    new = [f for f in found if f[0] not in known]
    if not dry_run:
        for row in new:
            await db.run(store.record, *row)
    return [f[0] for f in new]
