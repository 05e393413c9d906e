"""A case page is built once per history length: a judge reloading an unchanged case is answered from the
web's cache without a query to the worker — from the process's memory, or from the sealed page another
process built (the web database) — and the first change to the history shows at once. Against the real
stack (Temporal dev server, worker, simulators)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from temporalio.client import Client

from config.settings import Settings
from domain.actors import Actor, Role
from store import case_pages
from store.case_pages import CasePage, CasePageStore
from store.db import Database, utcnow
from store.sealing import SealError
from store.started import StartedStore
from tests.helpers import asset_inquiry_request as request
from tests.helpers import decide, deposit, new_debtor, settled_history_length, start, wait_status
from tests.security.test_tenancy_at_rest import sealer
from web.services import workflow_detail as cases
from workflows.asset_inquiry.models import REJECT

COURT = "杭州市上城区人民法院"
JUDGE = Actor(user_id="judge", role=Role.JUDGE, courts=(COURT,))


@pytest.fixture
def pages(tmp_path: Path) -> Iterator[CasePageStore]:
    db = Database(f"sqlite:///{tmp_path / 'web.db'}", sealer())
    db.upgrade()
    yield CasePageStore(db)
    db.dispose()


@pytest.mark.usefixtures("stack")
async def test_an_unchanged_case_is_served_from_the_cache_and_a_change_shows_at_once(
    client: Client, settings: Settings, simulator: str, pages: CasePageStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    debtor = await new_debtor(simulator, [deposit("bank-icbc", 100_000_00)])
    req = request(debtor, owed=50_000_00)
    handle = await start(client, settings, "asset-inquiry", req)
    # This test's own web database: the web's register of what it started is kept there too.
    StartedStore(pages.db).record(handle.id, "scenario", req.court, JUDGE.user_id, "asset-inquiry", req.case_number)
    await wait_status(handle, "awaiting_decision")
    await settled_history_length(handle)

    first = await cases.get_workflow(client, pages, JUDGE, handle.id)
    again = await cases.get_workflow(client, pages, JUDGE, handle.id)
    assert first.live and first.status == "awaiting_decision"
    assert again is first, "an unchanged history must be answered from the cache"

    # Another web process (its memory empty) reads the page this one built, sealed in the database: a
    # page doctored there is what it shows, so it did not ask the worker.
    with pages.db.session() as s:
        row = s.get(CasePage, handle.id)
        assert row is not None and (row.run_id, row.history_length) == (first.run_id, first.history_length)
        assert debtor.name not in row.page_sealed and debtor.id_number not in row.page_sealed
    doctored = first.model_copy(update={"status": "as-built-elsewhere"})
    with pages.db.session() as s:
        s.delete(s.get(CasePage, handle.id))
    assert first.run_id is not None
    pages.put(handle.id, first.run_id, first.history_length, doctored.model_dump_json())
    monkeypatch.setattr(cases, "_details", cases._DetailCache())
    elsewhere = await cases.get_workflow(client, pages, JUDGE, handle.id)
    assert elsewhere.status == "as-built-elsewhere" and elsewhere.timeline == first.timeline

    # A page sealed under a key this process no longer has is built again, not an error for the judge.
    with pages.db.session() as s:
        row = s.get(CasePage, handle.id)
        assert row is not None
        row.page_sealed = sealer("gone").seal(doctored.model_dump_json(), handle.id)
    monkeypatch.setattr(cases, "_details", cases._DetailCache())
    rebuilt = await cases.get_workflow(client, pages, JUDGE, handle.id)
    assert rebuilt.live and rebuilt.status == "awaiting_decision"
    assert first.run_id is not None and pages.get(handle.id, first.run_id, first.history_length) is not None

    await decide(handle, REJECT, reason="申请执行人撤回")
    await handle.result()
    after = await cases.get_workflow(client, pages, JUDGE, handle.id)
    assert after.history_length > first.history_length
    assert after.status != "awaiting_decision" and after.temporal_status == "COMPLETED"
    assert after.pending_decisions == []
    stored = pages.db.rows(select(CasePage.history_length).where(CasePage.workflow_id == handle.id))
    assert [r.history_length for r in stored] == [after.history_length], "the newer page replaces the older"


def test_the_cache_is_bounded_and_keeps_the_most_recently_read() -> None:
    cache = cases._DetailCache(size=2)
    details = [cases.WorkflowDetail(workflow_id=f"w{i}", live=True) for i in range(3)]
    cache.put(("w0", "r", 1), details[0])
    cache.put(("w1", "r", 1), details[1])
    assert cache.get(("w0", "r", 1)) is details[0]  # w0 is now the most recently read
    cache.put(("w2", "r", 1), details[2])
    assert cache.get(("w1", "r", 1)) is None
    assert cache.get(("w0", "r", 1)) is details[0] and cache.get(("w2", "r", 1)) is details[2]


def test_a_shared_page_is_kept_unless_newer_and_opens_only_for_its_case(pages: CasePageStore) -> None:
    pages.put("wf-1", "run-a", 12, '{"at": 12}')
    pages.put("wf-1", "run-a", 11, '{"at": 11}')  # built from an older describe, stored later: not kept
    assert pages.get("wf-1", "run-a", 12) == '{"at": 12}' and pages.get("wf-1", "run-a", 11) is None
    pages.put("wf-1", "run-b", 3, '{"run": "b"}')  # a new run (continue-as-new, reset) replaces it
    assert pages.get("wf-1", "run-b", 3) == '{"run": "b"}' and pages.get("wf-1", "run-a", 12) is None
    with pages.db.session() as s:  # a sealed page copied to another case's row does not open there
        pages.put("wf-2", "run-c", 5, "{}")
        s.get(CasePage, "wf-2").page_sealed = s.get(CasePage, "wf-1").page_sealed  # type: ignore[union-attr]
    with pytest.raises(SealError):
        pages.get("wf-2", "run-c", 5)


def test_pages_not_rebuilt_for_a_week_are_pruned(pages: CasePageStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(case_pages, "PRUNE_EVERY", 2)
    pages.put("wf-old", "r", 1, "{}")
    with pages.db.session() as s:
        s.get(CasePage, "wf-old").built_at = utcnow() - case_pages.KEEP - timedelta(minutes=1)  # type: ignore[union-attr]
    pages.put("wf-new", "r", 1, "{}")  # the second page this store writes: it prunes
    assert pages.get("wf-old", "r", 1) is None and pages.get("wf-new", "r", 1) == "{}"
