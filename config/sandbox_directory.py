"""The sandbox profile's directory of banks, partners and task-only agencies, loaded from
``sandbox_directory.json`` beside this module: data the sandbox loads, not configuration production carries.
Production names its partners in ``OM_PARTNERS_FILE`` and creates its agencies with ``python -m web.admin
create-agency``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from domain.partners import Agency, PartnerCategory, PartnerEndpoint

DIRECTORY = Path(__file__).with_name("sandbox_directory.json")


@cache
def _directory() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DIRECTORY.read_text(encoding="utf-8"))
    return data


def sandbox_bank_count() -> int:
    return len(_directory()["banks"])


def sandbox_partners(simulator_base_url: str, bank_count: int | None = None) -> list[PartnerEndpoint]:
    """The simulated partners `make run` and the tests use, all served by one simulator process; ``bank_count``
    beyond the directory's banks adds numbered simulated banks (benchmarks)."""
    directory = _directory()

    def endpoint(
        pid: str,
        category: PartnerCategory,
        name: str,
        deadline: float,
        payout_protocol: str | None = None,
        aliases: tuple[str, ...] = (),
    ) -> PartnerEndpoint:
        return PartnerEndpoint(
            id=pid,
            category=category,
            name=name,
            aliases=list(aliases),
            base_url=f"{simulator_base_url}/partners/{pid}",
            token=f"sandbox-{pid}",
            answer_deadline_seconds=deadline,
            payout_protocol=payout_protocol,
        )

    banks = [(b["id"], b["name"], b.get("payout_protocol"), tuple(b.get("aliases", ()))) for b in directory["banks"]]
    count = len(banks) if bank_count is None else bank_count
    banks += [(f"bank-extra-{i:02d}", f"模拟银行 {i:02d} (沙箱)", None, ()) for i in range(len(banks), count)]
    partners = [endpoint(pid, PartnerCategory.BANK, name, 600, pay, also) for pid, name, pay, also in banks[:count]]
    partners += [
        endpoint(p["id"], PartnerCategory(p["category"]), p["name"], p["answer_deadline_seconds"])
        for p in directory["other_partners"]
    ]
    return partners


def sandbox_task_agencies() -> list[Agency]:
    """Agencies that only complete agency tasks (the receiving court, police, car station, tax …)."""
    return [
        Agency(id=a["id"], name=a["name"], token=f"sandbox-{a['id']}", kind=a["kind"])
        for a in _directory()["task_agencies"]
    ]
