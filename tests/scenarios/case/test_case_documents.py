"""The case issues its own sealed documents (DOMAIN §17.4, §17.6): on filing, the 受理通知书 to each applicant
and the 执行通知书 and the 报告财产令 to each debtor with their periods; on closing, the 结案通知书 to each applicant
and each debtor — each addressed to its own party. Each is numbered under the case's number, sealed (poppler's
pdfsig verifies it), on the case's timeline and listed by ``GET /api/cases/{id}/documents``."""

from __future__ import annotations

import asyncio
import hashlib
import subprocess
import tempfile
from datetime import date
from typing import Any

import httpx
from temporalio.client import Client

from domain.documents import amount_in_words
from domain.legal_params import P, params_at
from domain.report_sanctions import REPORT_DEADLINE
from tests.helpers import eventually, login, pdf_words, resident_id, ui_page
from tests.scenarios.case.test_case_api import COURT, effect, file
from workflows.foundation.case_link import EffectKind, RecoverySource

TWO_DEBTORS = [
    {"kind": "person", "name": "张某", "id_number": resident_id("19850312")},
    {"kind": "person", "name": "李某", "id_number": resident_id("19900101")},
]


async def documents(http: httpx.AsyncClient, case_id: str, count: int) -> list[dict[str, Any]]:
    async def listed() -> list[dict[str, Any]] | None:
        r = await http.get(f"/api/cases/{case_id}/documents")
        assert r.status_code == 200, r.text
        docs: list[dict[str, Any]] = r.json()
        return docs if len(docs) >= count else None

    return await eventually(listed)


async def sealed_text(http: httpx.AsyncClient, doc: dict[str, Any]) -> str:
    r = await http.get(f"/api/documents/{doc['document_id']}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert hashlib.sha256(r.content).hexdigest() == doc["sha256"]
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(r.content)
        f.flush()
        pdfsig = await asyncio.to_thread(subprocess.run, ["pdfsig", f.name], capture_output=True, text=True)
    report = pdfsig.stdout
    assert "Signature is Valid" in report and COURT in report, report
    return pdf_words(r.content)


async def test_filing_and_closing_issue_the_cases_sealed_documents(stack: dict[str, str], client: Client) -> None:
    clerk, judge = await login(stack["web"], "clerk"), await login(stack["web"], "judge")
    filed = await file(clerk, debtors=TWO_DEBTORS)
    case_id, case_number = filed["case_id"], filed["case_number"]

    # On filing: the applicant's 受理通知书, then a notice and an order for each debtor, numbered under the case.
    docs = await documents(judge, case_id, 5)
    assert [(d["kind"], d["addressed_to"]) for d in docs] == [
        ("受理通知书", ["applicant-1"]),
        ("执行通知书", ["debtor-1"]),  # each debtor's own: not served on the other
        ("报告财产令", ["debtor-1"]),
        ("执行通知书", ["debtor-2"]),
        ("报告财产令", ["debtor-2"]),
    ]
    numbers = [d["number"] for d in docs]
    assert len(set(numbers)) == 5 and all(n.startswith(f"{case_number}之") for n in numbers), numbers
    accepted, *texts = [await sealed_text(judge, d) for d in docs]
    assert "杭州某商贸有限公司：" in accepted and case_number in accepted and "立案执行" in accepted
    assert "张某、李某" in accepted and amount_in_words(30_400_000) in accepted  # both debtors; the claim
    # The notice's period to perform is our rule (no statute fixes it), data in the legal table, and the
    # case says so where it shows the notice.
    period = (await judge.get(f"/api/cases/{case_id}")).json()["notice_period"]
    rule = params_at(date.today()).get(P.CASE_NOTICE_PERFORMANCE_PERIOD)
    assert period["days"] == int(rule.value) and period["our_rule"] and rule.tag == "I"
    assert "本院规则" in period["basis"]
    page = await ui_page(stack["web"], "judge", f"/ui/dockets/{case_id}")
    shown = page.split('data-testid="notice-period"')[1].split("</span></p>")[0]
    assert f"执行通知书履行期间 {period['days']} 日" in shown and "本院规则" in shown
    for debtor, (notice, order) in zip(TWO_DEBTORS, (texts[:2], texts[2:]), strict=True):
        assert debtor["name"] in notice and debtor["id_number"] in notice
        assert f"{period['days']}日内履行" in notice and "杭州某商贸有限公司" in notice
        assert debtor["name"] in order and f"{REPORT_DEADLINE.amount}日内" in order
    assert "李某" not in texts[0] and "张某" not in texts[2]

    # A performed settlement closes the case as 执行完毕: a 结案通知书 to the applicant and to each debtor.
    await effect(
        client,
        filed["workflow_id"],
        EffectKind.MONEY_RECOVERED,
        "paid",
        matter="settle-d",
        amount_fen=1_000_00,
        source=RecoverySource.SETTLEMENT,
    )
    await effect(
        client,
        filed["workflow_id"],
        EffectKind.MATTER_ENDED,
        "end",
        matter="settle-d",
        status="performed",
        result={"settlement_performed": True},
    )
    docs = await documents(judge, case_id, 8)
    closing = docs[5:]
    assert [(d["kind"], d["addressed_to"]) for d in closing] == [
        ("结案通知书", ["applicant-1"]),
        ("结案通知书", ["debtor-1"]),
        ("结案通知书", ["debtor-2"]),
    ]
    assert len({d["number"] for d in docs}) == 8
    to_applicant, to_first, to_second = [await sealed_text(judge, d) for d in closing]
    assert "杭州某商贸有限公司：" in to_applicant
    assert "执行完毕" in to_applicant and "壹仟元整" in to_applicant
    assert "张某：" in to_first and "李某：" in to_second

    # Each on the case's timeline, once: a replayed or woken case issues nothing again.
    case = (await judge.get(f"/api/cases/{case_id}")).json()
    issued = [e for e in case["timeline"] if e["action"] == "document_issued"]
    assert sorted(e["detail"]["number"] for e in issued) == sorted(numbers + [d["number"] for d in closing])
    assert not [e for e in case["timeline"] if e["action"] in ("incident", "document_not_issued")]
    assert len(await documents(judge, case_id, 8)) == 8
