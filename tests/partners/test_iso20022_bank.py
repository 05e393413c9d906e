"""The second protocol: a bank's bulk payments over ISO 20022 files (pain.001 → pain.002, camt.054, camt.052),
beside sandbox-v1, through ``adapters.iso20022`` against the simulated bank that speaks them — exactly once
per EndToEndId, and a mass payout through it reconciled to the fen against camt.054."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from temporalio.client import Client

from adapters.base import PartnerRefusal
from adapters.iso20022 import messages
from adapters.iso20022.bank import Iso20022PayoutBank
from adapters.registry import AdapterRegistry
from config.settings import Settings, sandbox_partners
from domain.payout import BatchItem, BatchTransfer, StatementLine, parse_payee_key
from tests.helpers import decide, start, wait_status
from tests.scenarios.mass_payout.test_mass_payout import (
    CLOSED,
    GOOD,
    INVALID,
    MISMATCH,
    TIMEOUT,
    PayeeSet,
    account,
    clerk,
    request,
    resident_id,
    store_list,
    tuning,
)
from workflows.mass_payout.models import APPROVE, MassPayoutResult

pytestmark = pytest.mark.usefixtures("stack")

BANK = "bank-ccb"  # payout_protocol "iso20022" in the sandbox directory


def endpoint(simulator: str) -> Any:
    return next(p for p in sandbox_partners(simulator) if p.id == BANK)


async def seed_balance(simulator: str, case_account: str, fen: int) -> None:
    async with httpx.AsyncClient(base_url=simulator, timeout=30) as http:
        r = await http.put(f"/partners/{BANK}/_admin/case-accounts", json={"account": case_account, "balance_fen": fen})
        r.raise_for_status()


async def booked(simulator: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(base_url=simulator, timeout=30) as http:
        r = await http.get(f"/partners/{BANK}/_admin/batch-items")
        r.raise_for_status()
        rows: list[dict[str, Any]] = r.json()
        return rows


async def all_lines(bank: Iso20022PayoutBank, case: str, prefix: str, limit: int = 50_000) -> list[StatementLine]:
    lines: list[StatementLine] = []
    after = ""
    while True:
        page = await bank.statement_lines(case, prefix, after, limit)
        lines += page.lines
        if page.next_cursor is None:
            return lines
        after = page.next_cursor


def test_identifiers_derive_from_the_workflow_and_step() -> None:
    """MsgId from the batch id (workflow id + step), EndToEndId from the payee key (workflow id + row + round):
    Max35Text, the same on every retry, and in the file the adapter sends."""
    wid = f"mass-payout-{uuid.uuid4().hex}"
    batch = BatchTransfer(
        batch_id=f"{wid}/batch/0/0",
        case_number="（2026）浙0102执1号",
        from_account="CA-1",
        items=[
            BatchItem(
                item_key=f"{wid}/payee/{row}",
                payee_name="张三",
                id_number=resident_id(row),
                account=account(row),
                amount_fen=1,
            )
            for row in (2, 3)
        ],
    )
    assert messages.reference(f"{wid}/payee/2") == messages.reference(f"{wid}/payee/2")
    assert messages.reference(f"{wid}/payee/2") != messages.reference(f"{wid}/payee/2/r1")
    assert all(len(messages.reference(k)) == 35 for k in (wid, f"{wid}/payee/2", "x" * 500))
    first = messages.read_credit_transfer_initiation(messages.credit_transfer_initiation(batch, "法院"))
    again = messages.read_credit_transfer_initiation(messages.credit_transfer_initiation(batch, "法院"))
    assert first.msg_id == again.msg_id == messages.reference(batch["batch_id"])
    assert [i["item_key"] for i in first.batch["items"]] == [messages.reference(f"{wid}/payee/{r}") for r in (2, 3)]
    assert list(first.remittance.values()) == [f"{wid}/payee/2", f"{wid}/payee/3"]
    assert first.batch["case_number"] == "（2026）浙0102执1号"
    with pytest.raises(messages.MessageError, match="two decimals"):
        messages.to_fen(messages.to_amount(1) / 10)


async def test_a_retried_file_pays_each_payee_once_and_camt054_reconciles(simulator: str) -> None:
    bank = Iso20022PayoutBank(endpoint(simulator))
    wid = f"iso-{uuid.uuid4().hex[:10]}"
    case, case_account = f"（2026）浙0102执{uuid.uuid4().int % 10**6}号", f"CA-{uuid.uuid4().hex[:8]}"
    await seed_balance(simulator, case_account, 1_000_000_00)
    tags = [GOOD, GOOD, INVALID, CLOSED, MISMATCH, TIMEOUT, GOOD]
    serial = uuid.uuid4().int % 10**9
    items = [
        BatchItem(
            item_key=f"{wid}/payee/{n + 2}",
            payee_name=f"收款人{n}",
            id_number=resident_id(n),
            account=account(serial + n, tag),
            amount_fen=1_000_01 + n,
        )
        for n, tag in enumerate(tags)
    ]
    batch = BatchTransfer(batch_id=f"{wid}/batch/0/0", case_number=case, from_account=case_account, items=items)
    try:
        first = await bank.batch_transfer_items(batch["batch_id"], batch)
        assert [(a["item_key"], a["status"], a["code"]) for a in first] == [
            (items[0]["item_key"], "paid", None),
            (items[1]["item_key"], "paid", None),
            (items[2]["item_key"], "invalid_account", "INVALID_ACCOUNT"),
            (items[3]["item_key"], "account_closed", "ACCOUNT_CLOSED"),
            (items[4]["item_key"], "name_mismatch", "NAME_MISMATCH"),
            (items[5]["item_key"], "timeout", "TIMEOUT"),
            (items[6]["item_key"], "paid", None),
        ]
        # The activity is retried (a worker died before it recorded the answer): the same file again.
        again = await bank.batch_transfer_items(batch["batch_id"], batch)
        # The pending one (PDNG) is executed now, under the same EndToEndId; the rest get their first answers.
        assert [a["status"] for a in again] == [
            "paid",
            "paid",
            "invalid_account",
            "account_closed",
            "name_mismatch",
        ] + ["paid"] * 2
        assert [a["bank_ref"] for a in again if a["item_key"] != items[5]["item_key"]] == [
            a["bank_ref"] for a in first if a["item_key"] != items[5]["item_key"]
        ]  # the first answers, not new payments
        paid = [i for i, a in zip(items, again, strict=True) if a["status"] == "paid"]
        paid_fen = sum(i["amount_fen"] for i in paid)

        # The bank booked one debit per EndToEndId, and the case account paid each once.
        ours = {messages.reference(i["item_key"]) for i in items}
        rows = [r for r in await booked(simulator) if r["item_key"] in ours]
        assert sorted(r["item_key"] for r in rows) == sorted(ours)  # one row each, refusals included
        assert await bank.account_balance(case_account) == 1_000_000_00 - paid_fen

        # camt.054, a page of two at a time: every payee paid once, to the fen, found by its remittance key.
        lines = await all_lines(bank, case, f"{wid}/", limit=2)
        assert sorted(line.item_key for line in lines) == sorted(i["item_key"] for i in paid)
        assert {line.status for line in lines} == {"paid"}
        assert sum(line.amount_fen for line in lines) == paid_fen
        refs = {a["item_key"]: a["bank_ref"] for a in again}
        assert all(line.bank_ref == refs[line.item_key] for line in lines)
        assert await all_lines(bank, case, "another-workflow/") == []
    finally:
        await bank.aclose()


async def test_a_file_the_account_cannot_pay_is_rejected_whole(simulator: str) -> None:
    bank = Iso20022PayoutBank(endpoint(simulator))
    wid, case_account = f"iso-{uuid.uuid4().hex[:10]}", f"CA-{uuid.uuid4().hex[:8]}"
    await seed_balance(simulator, case_account, 150)
    items = [
        BatchItem(
            item_key=f"{wid}/payee/{n}",
            payee_name="李四",
            id_number=resident_id(n),
            account=account(uuid.uuid4().int % 10**9),
            amount_fen=100,
        )
        for n in (2, 3)
    ]
    batch = BatchTransfer(batch_id=f"{wid}/b", case_number="案", from_account=case_account, items=items)
    try:
        with pytest.raises(PartnerRefusal) as refused:
            await bank.batch_transfer_items(batch["batch_id"], batch)
        assert refused.value.code == "INSUFFICIENT_FUNDS"  # pain.002 GrpSts RJCT, reason AM04
        assert await bank.account_balance(case_account) == 150
        assert await all_lines(bank, "案", f"{wid}/") == []
    finally:
        await bank.aclose()


async def test_the_bank_refuses_a_file_that_is_not_a_pain001(simulator: str) -> None:
    headers = {"Authorization": f"Bearer sandbox-{BANK}", "Content-Type": "application/xml"}
    batch = BatchTransfer(
        batch_id="b",
        case_number="案",
        from_account="CA",
        items=[BatchItem(item_key="k", payee_name="王五", id_number=resident_id(9), account=account(9), amount_fen=5)],
    )
    wrong_sum = messages.credit_transfer_initiation(batch, "法院").replace(b"<CtrlSum>0.05<", b"<CtrlSum>0.06<", 1)
    async with httpx.AsyncClient(base_url=simulator, timeout=30) as http:
        for body in (b"<not-iso/>", b"{}", wrong_sum):
            r = await http.post(f"/partners/{BANK}/iso20022/pain.001", content=body, headers=headers)
            assert (r.status_code, r.json()["code"]) == (422, "INVALID_FILE"), r.text
        r = await http.post(f"/partners/{BANK}/iso20022/pain.001", content=wrong_sum, headers={})
        assert r.status_code == 401


async def test_a_mass_payout_through_iso20022_reconciles_to_the_fen(
    client: Client, settings: Settings, simulator: str
) -> None:
    """The payout workflow, unchanged, against a bank whose directory entry says iso20022: refusals go to the
    clerk and are paid under a new key, a pending payment is sent again and paid once, and the
    reconciliation against camt.054 balances to the fen."""
    registry = AdapterRegistry(settings.partners())
    assert isinstance(registry.payout_bank(BANK), Iso20022PayoutBank)
    await registry.aclose()

    payees = PayeeSet()
    plans: dict[int, list[dict[str, Any] | None]] = {}
    for i in range(120):
        if i % 40 == 7:
            row = payees.add(i, INVALID, amount_fen=500_00 + i)
            plans[row] = [{"account": payees.fresh_account(), "note": "核对"}]
        else:
            payees.add(i, TIMEOUT if i % 50 == 13 else GOOD, amount_fen=500_00 + i)
    ref = store_list(settings, payees)
    req = request(ref).model_copy(update={"bank": BANK})
    await seed_balance(simulator, req.case_account, ref.total_fen)
    handle = await start(client, settings, "mass-payout", req, overrides={"tuning": tuning()})
    await wait_status(handle, "awaiting_approval", timeout=30)
    await decide(handle, APPROVE, "准予发放")
    clerks = [asyncio.create_task(clerk(client, handle.id, row, answers)) for row, answers in plans.items()]
    await asyncio.gather(*clerks)
    result = MassPayoutResult.model_validate(await asyncio.wait_for(handle.result(), timeout=120))

    assert result.status == "completed", result
    rec = result.reconciliation
    assert rec is not None and rec.balanced and rec.mismatches == 0, rec
    assert (rec.paid_count, rec.paid_fen, rec.escrowed_count) == (120, ref.total_fen, 0)
    assert (rec.bank_paid_count, rec.bank_paid_fen) == (120, ref.total_fen)

    bank = Iso20022PayoutBank(endpoint(simulator))
    try:
        lines = await all_lines(bank, req.case_number, f"{handle.id}/", limit=40)
        assert await bank.account_balance(req.case_account) == 0
    finally:
        await bank.aclose()
    rows = [parse_payee_key(handle.id, line.item_key) for line in lines]
    assert sorted(r[0] for r in rows if r is not None) == [row for row, *_ in payees.rows]  # each payee once
    assert {r[1] for r in rows if r is not None and r[0] in plans} == {1}  # corrected: paid by round 1's key
    assert sum(line.amount_fen for line in lines) == ref.total_fen  # to the fen, against camt.054


async def test_a_bank_chooses_its_payout_protocol_by_configuration(simulator: str) -> None:
    """payout_protocol picks the payout channel; without it a bank pays out over its main protocol; an
    unknown one is refused when the worker starts, not at the first payout."""
    icbc, ccb = (next(p for p in sandbox_partners(simulator) if p.id == b) for b in ("bank-icbc", BANK))
    registry = AdapterRegistry([icbc, ccb])
    try:
        assert isinstance(registry.payout_bank(BANK), Iso20022PayoutBank)
        assert registry.payout_bank("bank-icbc") is registry.get("bank-icbc")  # sandbox-v1 for everything
    finally:
        await registry.aclose()
    with pytest.raises(ValueError, match="unknown payout protocol 'swift-mt101'"):
        AdapterRegistry([icbc.model_copy(update={"payout_protocol": "swift-mt101"})])
