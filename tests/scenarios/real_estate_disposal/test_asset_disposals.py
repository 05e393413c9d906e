"""One asset, one disposal (一物一处置, store/asset_disposals.py): a unit under disposal or transferred is
held; a disposal that ended without a sale frees it for the next court (轮候 gets its turn)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from config.settings import Settings
from domain.assets import AssetKind, disposal_key
from store import asset_disposals
from store.asset_disposals import DisposalState
from store.db import Database
from tests.helpers import credit_code, login

UNIT = disposal_key(AssetKind.REAL_ESTATE, "330102008002GB00105F00031208")
FIRST, QUEUED = "杭州市上城区人民法院", "杭州市西湖区人民法院"


def _db(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'web.db'}")
    db.upgrade()
    return db


def test_a_unit_under_disposal_is_held_and_the_refusal_names_the_other_matter(tmp_path: Path) -> None:
    db = _db(tmp_path)
    assert asset_disposals.claim(db, UNIT, "disposal-a", FIRST, "(2026)浙0102执1001号") is None
    assert asset_disposals.claim(db, UNIT, "disposal-a", FIRST, "(2026)浙0102执1001号") is None  # a retry
    held = asset_disposals.claim(db, UNIT, "disposal-b", QUEUED, "(2026)浙0106执77号")
    assert held is not None and held.workflow_id == "disposal-a" and held.state is DisposalState.DISPOSING
    # To the same court the refusal names the matter; to another, the court and case as the register does.
    assert "disposal-a" in held.refusal(FIRST) and "(2026)浙0102执1001号" in held.refusal(FIRST)
    assert "disposal-a" not in held.refusal(QUEUED) and FIRST in held.refusal(QUEUED)
    # Whatever the spelling of the unit number, it is one asset.
    assert disposal_key(AssetKind.REAL_ESTATE, " 330102008002gb00105f00031208") == UNIT


def test_a_disposal_that_ends_unsold_gives_the_queued_court_its_turn(tmp_path: Path) -> None:
    db = _db(tmp_path)
    asset_disposals.claim(db, UNIT, "disposal-a", FIRST, "(2026)浙0102执1001号")
    asset_disposals.end(db, UNIT, "disposal-b", transferred=True)  # only the holder ends it
    assert asset_disposals.holder(db, UNIT) is not None
    asset_disposals.end(db, UNIT, "disposal-a", transferred=False)
    assert asset_disposals.holder(db, UNIT) is None
    assert asset_disposals.claim(db, UNIT, "disposal-b", QUEUED, "(2026)浙0106执77号") is None


def test_a_transferred_unit_is_never_disposed_of_again(tmp_path: Path) -> None:
    db = _db(tmp_path)
    asset_disposals.claim(db, UNIT, "disposal-a", FIRST, "(2026)浙0102执1001号")
    asset_disposals.end(db, UNIT, "disposal-a", transferred=True)
    held = asset_disposals.claim(db, UNIT, "disposal-c", FIRST, "(2026)浙0102执2002号")
    assert held is not None and held.state is DisposalState.TRANSFERRED and "已过户" in held.refusal()


def test_two_disposals_started_at_once_one_wins(tmp_path: Path) -> None:
    db = _db(tmp_path)
    with ThreadPoolExecutor(max_workers=8) as pool:
        refused = list(
            pool.map(lambda i: asset_disposals.claim(db, UNIT, f"disposal-{i}", FIRST, f"case-{i}"), range(16))
        )
    winners = [i for i, r in enumerate(refused) if r is None]
    assert len(winners) == 1
    assert all(r.workflow_id == f"disposal-{winners[0]}" for r in refused if r is not None)


@pytest.mark.usefixtures("stack")
async def test_the_web_refuses_a_second_disposal_with_a_code_and_the_other_case(settings: Settings) -> None:
    unit = "330102008002GB00105F00099999"
    db = Database(settings.web_database_url)
    assert (
        asset_disposals.claim(
            db, disposal_key(AssetKind.REAL_ESTATE, unit), "disposal-a", FIRST, "(2026)浙0102执1001号"
        )
        is None
    )
    body = {
        "case_number": "(2026)浙0102执2002号",
        "court": FIRST,
        "debtor": {"kind": "organisation", "name": "杭州某某贸易有限公司", "id_number": credit_code()},
        "property": {"unit_number": unit, "description": "杭州市上城区钱江路某大厦12层"},
        "amount_owed_fen": 500_000_00,
        "creditors": [{"claim_id": "applicant", "creditor": "某银行", "kind": "ordinary", "amount_fen": 500_000_00}],
    }
    async with await login(settings.public_base_url, "judge") as judge:
        r = await judge.post("/api/scenarios/real-estate-disposal/workflows", json=body)
    assert r.status_code == 409, r.text
    assert r.json()["code"] == "ASSET_UNDER_DISPOSAL"
    assert "(2026)浙0102执1001号" in r.json()["message"] and "一物不得重复处置" in r.json()["message"]
