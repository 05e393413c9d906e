"""Registry title search simulator (不动产登记簿查询) for the joint review (一门联审): sandbox-v1
``GET /partners/{partner_id}/units/{unit_number}`` answers the register's entry for one unit — owner, land
use, mortgages with registration times, seizures (first/queued, court, expiry), 限购 status.

Entries are seeded with ``PUT /partners/{partner_id}/_admin/units/{unit_number}`` (tests, demos). State:
``title_search.db`` in the state dir.
"""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Header
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse

from domain.joint_review import LandUse, Mortgage, Seizure, TitleRecord
from domain.measures import SeizureRank
from domain.partners import PartnerEndpoint
from simulators.errors import SimulatorError
from simulators.guards import expected_authorization, require_bearer

PartnerId = Annotated[str, PathParam(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]


DEMO_COURT, DEMO_CASE = "杭州市上城区人民法院", "(2026)浙0102执1001号"
# The registry entry of the demo company's office unit (simulators.demo_data: 杭州某某贸易有限公司), seized
# first in the demo case, mortgaged in 2021: what `make run` shows in 一门联审 for that case.
DEMO_UNITS: list[TitleRecord] = [
    TitleRecord(
        unit_number="330102008002GB00105F00031208",
        owner_id_number="91330100MA2H7K3D4Y",
        owner_name="杭州某某贸易有限公司",
        land_use=LandUse.COMMERCIAL,
        area_m2=186.4,
        address="杭州市上城区钱江路某大厦12层1208室",
        mortgages=[
            Mortgage(
                holder="杭州某农商银行",
                secured_amount_fen=1_200_000_00,
                registered_at=datetime(2021, 4, 8, 2, 0, tzinfo=UTC),
            )
        ],
        seizures=[
            Seizure(
                court=DEMO_COURT,
                case_number=DEMO_CASE,
                rank=SeizureRank.FIRST,
                registered_at=datetime(2026, 3, 2, 1, 30, tzinfo=UTC),
                expires_on=date(2029, 3, 1),
            )
        ],
    )
]


def build_title_router(
    state_dir: Path | None = None, partners: list[PartnerEndpoint] | None = None, demo: bool = False
) -> APIRouter:
    """Title search for ``partners`` (real-estate registries; tokens checked), or any id with ``sandbox-<id>``;
    ``demo`` seeds :data:`DEMO_UNITS` at every registry where they are not seeded yet."""
    known = {p.id: p for p in partners} if partners is not None else None
    lock = threading.Lock()
    path = state_dir / "title_search.db" if state_dir else None
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path) if path else ":memory:", check_same_thread=False)
    db.execute("CREATE TABLE IF NOT EXISTS units (partner TEXT, unit TEXT, body TEXT, PRIMARY KEY (partner, unit))")
    for registry in (known or {}) if demo else ():
        db.executemany(
            "INSERT OR IGNORE INTO units VALUES (?, ?, ?)",
            [(registry, u.unit_number, u.model_dump_json()) for u in DEMO_UNITS],
        )
    db.commit()
    router = APIRouter(prefix="/partners/{partner_id}", tags=["simulator: registry title search"])

    @router.get("/units/{unit_number}")
    async def title_record(
        partner_id: PartnerId, unit_number: str, authorization: Annotated[str | None, Header()] = None
    ) -> JSONResponse:
        if known is not None and partner_id not in known:
            return JSONResponse({"code": "UNKNOWN_PARTNER", "message": "no such registry here"}, status_code=404)
        token = known[partner_id].token if known is not None else f"sandbox-{partner_id}"
        try:
            require_bearer(authorization, expected_authorization(token))
        except SimulatorError as exc:
            return JSONResponse({"code": exc.code, "message": exc.message}, status_code=exc.status)
        with lock:
            row = db.execute("SELECT body FROM units WHERE partner=? AND unit=?", (partner_id, unit_number)).fetchone()
        if row is None:
            return JSONResponse({"code": "UNIT_NOT_FOUND", "message": "no such unit in the register"}, status_code=404)
        return JSONResponse(TitleRecord.model_validate_json(row[0]).model_dump(mode="json"))

    @router.put("/_admin/units/{unit_number}")
    async def seed_unit(partner_id: PartnerId, unit_number: str, record: TitleRecord) -> dict[str, str]:
        if record.unit_number != unit_number:
            return {"unit_number": unit_number, "status": "refused: unit_number differs from the path"}
        with lock:
            db.execute(
                "INSERT OR REPLACE INTO units VALUES (?, ?, ?)", (partner_id, unit_number, record.model_dump_json())
            )
            db.commit()
        return {"unit_number": unit_number, "status": "seeded"}

    return router
