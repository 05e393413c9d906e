"""Sandbox departments of a refusal-to-execute referral (拒执移送): the executing court's enforcement
bureau, the market regulator, the police, the procuratorate and the court's criminal division, plus the
bank and registries that hold evidence. ``simulators.task_agents`` works their inboxes with these
scripts, through the same task API a clerk uses; each answer is what a cooperative department would send
(the evidence is found, the police file, the procuratorate prosecutes) so a demo runs to its end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx


def _ref(prefix: str, task: dict[str, Any]) -> str:
    return f"{prefix}{task['task_id'][-8:]}"


async def _evidence(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    summary = "调取记录显示被执行人于判决生效后向关联人转出财产"
    return {"result": {"found": True, "summary": summary, "document_refs": [_ref("DZ", task)], "amount_fen": 0}}


async def _filing(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    return {"result": {"filed": True, "decision_ref": _ref("湖公立字", task)}}


async def _supervision(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    return {"result": {"police_ordered_to_file": True, "reference": _ref("湖检通立", task)}}


async def _prosecution(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    proposal = "追缴的财产交执行法院依法处置"
    return {"result": {"prosecuted": True, "decision_ref": _ref("湖检诉", task), "asset_proposal": proposal}}


async def _docket(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    return {"result": {"docketed": True, "docket_ref": _ref("刑自", task)}}


async def _verification(http: httpx.AsyncClient, task: dict[str, Any]) -> dict[str, Any]:
    return {"result": {"verified": True, "answer": "经查属实, 书面答复见附件", "document_refs": [_ref("CZ", task)]}}


REFUSAL_SCRIPTS: dict[str, Callable[[httpx.AsyncClient, dict[str, Any]], Any]] = {
    "refusal-evidence": _evidence,
    "police-filing-decision": _filing,
    "filing-supervision": _supervision,
    "prosecution-decision": _prosecution,
    "private-prosecution-docket": _docket,
    "verification-answer": _verification,
}
# Whose inboxes the sandbox works for a referral: the departments of the default granule catalogue
# (domain/refusal_granules.json; config.settings names the task-only ones) and the evidence holders.
REFUSAL_INBOXES = (
    "court-huzhou-enforcement",
    "market-huzhou",
    "police-huzhou",
    "procuratorate-huzhou",
    "police-shangcheng",  # the demo court's district (domain/court_districts.json)
    "procuratorate-shangcheng",
    "court-huzhou-criminal",
    "bank-icbc",
    "realestate-registry",
    "vehicle-registry",
)
