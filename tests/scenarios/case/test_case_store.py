"""The case register and the court's yearly case-number sequences (store/cases.py)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from store.cases import CaseRegisterEntry, CaseStore
from store.db import Database


def _store(tmp_path: Path) -> CaseStore:
    db = Database(f"sqlite:///{tmp_path / 'web.db'}")
    db.upgrade()
    return CaseStore(db)


def test_sequences_per_court_type_and_year_taken_once_each(tmp_path: Path) -> None:
    store = _store(tmp_path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        taken = list(pool.map(lambda _: store.next_sequence("杭州市上城区人民法院", "执", 2026), range(40)))
    assert sorted(taken) == list(range(1, 41))
    assert store.next_sequence("杭州市上城区人民法院", "执恢", 2026) == 1
    assert store.next_sequence("杭州市上城区人民法院", "执", 2027) == 1
    assert store.next_sequence("嘉兴市中级人民法院", "执", 2026) == 1


def test_projection_never_goes_back(tmp_path: Path) -> None:
    store = _store(tmp_path)
    entry = CaseRegisterEntry(
        case_id="c1",
        workflow_id="enforcement-case-c1",
        court="杭州市上城区人民法院",
        year=2026,
        court_code="浙0102",
        case_type="执",
        sequence=1,
        case_number="（2026）浙0102执1号",
        judge="judge",
        filed_by="clerk",
        filed_on=date(2026, 3, 1),
        late_application=False,
        term_due_on=date(2026, 9, 1),
        term_colour="green",
        next_deadline=None,
        owed_fen=100,
        recovered_fen=0,
        balance_fen=100,
        closing_mode=None,
        closed_on=None,
    )
    store.add(entry)
    store.project("c1", 10, {"recovered_fen": 60, "balance_fen": 40, "term_colour": "yellow"})
    store.project("c1", 5, {"recovered_fen": 10, "balance_fen": 90})
    row = store.get("c1")
    assert row is not None and row.balance_fen == 40 and row.recovered_fen == 60 and row.term_colour == "yellow"
    assert [r.case_id for r in store.list(("杭州市上城区人民法院",), judge="judge")] == ["c1"]
    assert store.list(("嘉兴市中级人民法院",)) == []
