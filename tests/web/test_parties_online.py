"""Issue 24 items 1, 3, 4, 6, 7: what parties do online beyond following their case — the debtor pays through
the payment platform's page into THIS case's ledger (and never another's), lawyers act once the judge
confirms their power of attorney and only within it, the debtor proposes instalments that become a
settlement when the applicant agrees, a late property report meets the judge's sanction with its legal
basis, the judge pushes a node with photos and a location, documents served are listed for their side
only, and an SMS notice goes out for each node and document. Against the real stack: Temporal dev server,
worker, simulators (SMS gateway and payment platform among them) and the web."""

from __future__ import annotations

import asyncio
import json
import re
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from sqlalchemy import select, update
from temporalio.client import Client

from adapters.cashier.sandbox import SandboxCashier
from audit.verify import verify_export
from config.settings import Settings
from domain.actors import Actor, Role
from domain.documents import DocumentKind, DocumentRequest
from domain.errors import OneMatterError
from domain.ledger import LedgerView
from domain.legal_time import CHINA_TZ
from domain.party_requests import PartyRequestKind, PartySide
from security.identity import acting_as
from security.webhook_signature import SIGNATURE_HEADER, sign
from store.db import Database
from tests.helpers import eventually, login, pdf_words, resident_id, ui_page
from tests.scenarios.case.test_case_api import application as filing
from tests.scenarios.mass_payout.test_payee_upload import _raw as raw_request
from tests.scenarios.mass_payout.test_payee_upload import account as payee_account
from tests.scenarios.mass_payout.test_payee_upload import csv_bytes as payee_csv
from tests.web.test_parties import PDF, PNG, outbox, registered, uploaded
from tests.web.test_parties import application as online_application
from web.accounts import DEMO_STAFF_NAMES
from web.codec import SESSION_COOKIE
from web.db import PartyAgent, PartyPayment, PaymentCallback
from web.limits import body_limit
from web.services.documents import office_for
from web.services.party_accounts import PartyDesk
from web.services.party_judge import MAX_VIDEO_BYTES
from web.services.party_payments import Till, notice
from web.services.party_requests import tell_settlement
from web.ui.pages_party import PARTY_COOKIE
from web.ui.session import csrf_for
from workflows.case.models import PAYMENT_UPDATE, OnlinePayment, PartyRequest

pytestmark = pytest.mark.usefixtures("stack")

# The first bytes of an MP4 file (an ISO base media 'ftyp' box, brand isom) and a little of what follows.
MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00\x00\x00\x08free" + bytes(64)


def person(p: dict[str, str]) -> dict[str, str]:
    return {"kind": "person", "name": p["name"], "id_number": p["id_number"]}


async def case_of(
    web: str,
    applicant: dict[str, str] | None = None,
    debtor: dict[str, str] | None = None,
    *more_debtors: dict[str, str],
    **claim: int,
) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    if applicant:
        changes["applicants"] = [person(applicant)]
    if debtor:
        changes["debtors"] = [person(p) for p in (debtor, *more_debtors)]
    if claim:
        changes["claim"] = {"principal_fen": 0, "interest_fen": 0, "costs_fen": 0, "fee_fen": 0} | claim
    clerk = await login(web, "clerk")
    async with clerk:
        r = await clerk.post("/api/cases", json=filing(**changes))
        assert r.status_code == 201, r.text
        filed: dict[str, Any] = r.json()
        return filed


async def pay_on_the_platform(pay_url: str) -> str:
    """The payer's browser on the platform's page: opens it, presses 确认支付, follows back to the court."""
    async with httpx.AsyncClient(timeout=30) as browser:
        page = await browser.get(pay_url)
        assert page.status_code == 200 and "案号" in page.text
        r = await browser.post(pay_url, follow_redirects=False)
        assert r.status_code == 303, r.text
        return r.headers["location"]


async def test_the_debtor_pays_online_into_this_case_and_never_another(
    web: str, simulator: str, client: Client
) -> None:
    debtor, d = await registered(web, simulator)
    stranger, _ = await registered(web, simulator)
    mine = await case_of(web, debtor=d, principal_fen=1_000_00)
    other = await case_of(web, debtor=d, principal_fen=2_000_00)  # the same debtor owes in another case
    async with debtor, stranger:
        space = (await debtor.get(f"/api/my/cases/{mine['case_id']}")).json()
        owed = space["ledger"]["balance_fen"]
        assert owed > 0
        # Twice the balance: the doubled delay interest adds days' worth between two requests (legal time is fast).
        r = await debtor.post(f"/api/my/cases/{mine['case_id']}/payments", json={"amount_fen": owed * 2})
        assert r.status_code == 422 and r.json()["code"] == "AMOUNT_OVER_BALANCE"
        r = await stranger.post(f"/api/my/cases/{mine['case_id']}/payments", json={"amount_fen": 100})
        assert r.status_code == 404, "a stranger cannot even open an order for the case"

        r = await debtor.post(f"/api/my/cases/{mine['case_id']}/payments", json={"amount_fen": 100})
        assert r.status_code == 201, r.text
        late = r.json()  # opened now, paid after the case has ended (below)
        r = await debtor.post(f"/api/my/cases/{mine['case_id']}/payments", json={"amount_fen": owed})
        assert r.status_code == 201, r.text
        order = r.json()
        back = await pay_on_the_platform(order["pay_url"])
        assert urlparse(back).path == f"/p/cases/{mine['case_id']}/paid"
        assert parse_qs(urlparse(back).query)["order"] == [order["order_id"]]

        # The attack: the order paid for this case, reported under the other case of the same debtor.
        r = await debtor.post(f"/api/my/cases/{other['case_id']}/payments/{order['order_id']}/confirm")
        assert r.status_code == 404 and r.json()["code"] == "ORDER_NOT_FOUND"
        r = await stranger.post(f"/api/my/cases/{mine['case_id']}/payments/{order['order_id']}/confirm")
        assert r.status_code == 404, "someone else's order does not exist for them"

        r = await debtor.post(f"/api/my/cases/{mine['case_id']}/payments/{order['order_id']}/confirm")
        assert r.status_code == 200 and r.json()["status"] == "credited", r.text
        payment_id = r.json()["payment_id"]
        r = await debtor.post(f"/api/my/cases/{mine['case_id']}/payments/{order['order_id']}/confirm")
        assert r.status_code == 200 and r.json()["payment_id"] == payment_id, "confirming again changes nothing"

        # The same payment sent to the case again (a retry, a second web process) is credited once.
        with acting_as(Actor(user_id="any-party", role=Role.PARTY)):
            again = await client.get_workflow_handle(mine["workflow_id"]).execute_update(
                PAYMENT_UPDATE,
                OnlinePayment(
                    payment_id=payment_id, order_id=order["order_id"], amount_fen=owed, paid_at=datetime.now(UTC)
                ),
                result_type=LedgerView,
            )
        assert again.recovered_fen == owed

        # The doubled delay interest runs on (legal time is fast here): the rest is paid the same way.
        space = (await debtor.get(f"/api/my/cases/{mine['case_id']}")).json()
        paid = owed
        while space["ledger"]["balance_fen"] > 0 and not space["closed"]:
            rest = space["ledger"]["balance_fen"]
            r = await debtor.post(f"/api/my/cases/{mine['case_id']}/payments", json={"amount_fen": rest})
            assert r.status_code == 201, r.text
            await pay_on_the_platform(r.json()["pay_url"])
            paid += rest
            space = (await debtor.get(f"/api/my/cases/{mine['case_id']}")).json()  # credits what was paid
        assert space["ledger"]["recovered_fen"] == paid
        assert "paid-online" in {n["action"] for n in space["nodes"]}
        untouched = (await debtor.get(f"/api/my/cases/{other['case_id']}")).json()
        assert untouched["ledger"]["recovered_fen"] == 0, "never credited to another case"

        # Paid in full: the case closes itself once nothing holds it (执行完毕, DOMAIN §17.7).
        async def closed() -> dict[str, Any] | None:
            s = (await debtor.get(f"/api/my/cases/{mine['case_id']}")).json()
            return s if s["closed"] else None

        assert (await eventually(closed, timeout=60))["status"] == "closed"

        # Paid after the case ended: not credited, not lost — a refund item the judge sees and decides.
        await pay_on_the_platform(late["pay_url"])
        judge = await login(web, "judge")
        async with judge:

            async def refund_item() -> dict[str, Any] | None:
                items = (await judge.get(f"/api/cases/{mine['case_id']}")).json()["payment_refunds"]
                return items[0] if items else None

            item = await eventually(refund_item, timeout=30)
            assert item["order_id"] == late["order_id"] and item["cause"] == "closed" and item["state"] == "pending"
            assert (item["refund_fen"], item["amount_fen"]) == (100, 100) and item["payer"] == d["name"]
            assert item["paid_at"] and item["payment_id"]
            case_now = (await judge.get(f"/api/cases/{mine['case_id']}")).json()
            assert case_now["ledger"]["recovered_fen"] == paid, "not credited to the ended case"
            board = (await judge.get("/api/dashboard")).json()
            assert late["order_id"] in {r["order_id"] for r in board["payment_refunds"]}
            page = await ui_page(web, "judge", f"/ui/dockets/{mine['case_id']}")
            assert 'data-testid="payment-refunds"' in page and "结案后缴款" in page and d["name"] in page
            assert f"/refunds/{late['order_id']}" in page, "the judge's refund form"
            assert (
                mine["case_number"]
                in (await ui_page(web, "judge", "/ui/dashboard")).split('data-testid="dash-refunds"')[1]
            )
            r = await judge.post(
                f"/api/cases/{mine['case_id']}/payments/{late['order_id']}/refund", json={"reason": ""}
            )
            assert r.status_code == 422
            r = await judge.post(
                f"/api/cases/{mine['case_id']}/payments/{late['order_id']}/refund",
                json={"reason": "结案后缴款, 原路退回"},
            )
            assert r.status_code == 200, r.text
            done = r.json()
            assert done["state"] == "refunded" and done["refunded_by"] == "judge" and done["refund_ref"]
            assert done["reason"] == "结案后缴款, 原路退回" and done["refunded_at"]
            r = await judge.post(
                f"/api/cases/{mine['case_id']}/payments/{late['order_id']}/refund", json={"reason": "again"}
            )
            assert r.status_code == 409 and r.json()["code"] == "REFUND_DONE", "refunded once"
            board = (await judge.get("/api/dashboard")).json()
            assert late["order_id"] not in {r["order_id"] for r in board["payment_refunds"]}
            # The case's run has ended: the refund is linked into its audit trail's hash chain, who/when/why.
            trail = f"/api/workflows/{mine['workflow_id']}/audit"
            (entry,) = [e for e in (await judge.get(trail)).json()["events"] if e["action"] == "payment-refunded"]
            assert entry["actor"]["user_id"] == "judge" and entry["reason"] == "结案后缴款, 原路退回"
            assert entry["reference"] == done["refund_ref"] and entry["at"] and entry["category"] == "refund"
            assert entry["detail"] == {"order_id": late["order_id"], "refund_fen": 100, "cause": "closed"}
            assert verify_export((await judge.get(f"{trail}/export")).json()).ok, "the chain still verifies"
        r = await debtor.get(f"/api/my/cases/{mine['case_id']}")
        assert r.json()["ledger"]["recovered_fen"] == paid


async def test_the_platform_tells_the_court_itself_signed_and_once(
    web: str, simulator: str, settings: Settings
) -> None:
    """支付结果通知: the payer closes the browser on the platform's page; the platform's server tells the
    court, and the payment is credited. Unsigned, badly signed, stale and replayed notices are refused and
    recorded; a fresh notice of a payment already taken changes nothing."""
    debtor, d = await registered(web, simulator)
    mine = await case_of(web, debtor=d, principal_fen=1_000_00)
    judge = await login(web, "judge")
    async with debtor, judge, httpx.AsyncClient(base_url=web) as platform:
        r = await debtor.post(f"/api/my/cases/{mine['case_id']}/payments", json={"amount_fen": 300})
        assert r.status_code == 201, r.text
        order = r.json()
        async with httpx.AsyncClient() as browser:  # the payer pays, and never comes back
            assert (await browser.post(order["pay_url"], follow_redirects=False)).status_code == 303

        async def credited() -> dict[str, Any] | None:
            case = (await judge.get(f"/api/cases/{mine['case_id']}")).json()
            return case if case["ledger"]["recovered_fen"] else None

        case = await eventually(credited, timeout=30)
        assert case["ledger"]["recovered_fen"] == 300
        assert "paid-online" in {e["action"] for e in case["timeline"]}

        async with httpx.AsyncClient(base_url=simulator) as sim:
            paid = (
                await sim.get(
                    f"/cashier/v1/orders/{order['order_id']}", headers={"Authorization": "Bearer sandbox-cashier"}
                )
            ).json()
        body = json.dumps(
            {k: paid[k] for k in ("order_id", "case_number", "amount_fen", "status", "payment_id", "paid_at")}
        ).encode()
        secret = settings.cashier_notice_secret()
        signed = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(secret, body, int(time.time()))}
        r = await platform.post("/api/payments/notices", content=body, headers=signed)
        assert r.status_code == 200 and r.json()["status"] == "duplicate", r.text
        r = await platform.post("/api/payments/notices", content=body, headers=signed)
        assert r.status_code == 409 and r.json()["code"] == "NOTICE_REPLAYED"
        r = await platform.post("/api/payments/notices", content=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 401 and r.json()["code"] == "NOTICE_UNSIGNED"
        forged = {SIGNATURE_HEADER: sign("not-the-secret", body, int(time.time()))}
        r = await platform.post("/api/payments/notices", content=body, headers=forged)
        assert r.status_code == 401 and r.json()["code"] == "NOTICE_SIGNATURE_INVALID"
        stale = {SIGNATURE_HEADER: sign(secret, body, int(time.time()) - 3600)}
        r = await platform.post("/api/payments/notices", content=body, headers=stale)
        assert r.status_code == 401 and r.json()["code"] == "NOTICE_STALE"
        case = (await judge.get(f"/api/cases/{mine['case_id']}")).json()
        assert case["ledger"]["recovered_fen"] == 300, "credited once"

    db = Database(settings.web_database_url)
    with db.session() as s:
        rows = s.execute(
            select(PaymentCallback.outcome, PaymentCallback.code).where(
                (PaymentCallback.order_id == order["order_id"]) | (PaymentCallback.code.like("NOTICE_%"))
            )
        ).all()
    recorded = {(r.outcome, r.code) for r in rows}
    assert ("credited", "") in recorded or ("duplicate", "") in recorded
    for code in ("NOTICE_REPLAYED", "NOTICE_UNSIGNED", "NOTICE_SIGNATURE_INVALID", "NOTICE_STALE"):
        assert ("refused", code) in recorded, code

    # A refund on a case still running is on its timeline too. The payment is made a refund item here (as the
    # web does with what exceeds the balance, a path that needs the interest to outrun a payment).
    with db.session() as s:
        row = s.scalar(select(PartyPayment).where(PartyPayment.order_id == order["order_id"]))
        assert isinstance(row, PartyPayment)
        row.refund_fen, row.refund_cause, row.refund_state = 300, "overpaid", "pending"
        row.refund_found_at = datetime.now(UTC)
    async with await login(web, "judge") as judge:
        r = await judge.post(
            f"/api/cases/{mine['case_id']}/payments/{order['order_id']}/refund", json={"reason": "重复缴款, 原路退回"}
        )
        assert r.status_code == 200, r.text
        timeline = (await judge.get(f"/api/cases/{mine['case_id']}")).json()["timeline"]
        (entry,) = [e for e in timeline if e["action"] == "payment-refunded"]
        assert entry["actor"]["user_id"] == "judge" and entry["reason"] == "重复缴款, 原路退回"
        assert entry["detail"]["order"] == order["order_id"] and entry["detail"]["amount_fen"] == 300


async def test_refused_notices_from_one_address_are_answered_429_before_any_work(
    tmp_path: Path, settings: Settings, client: Client
) -> None:
    """Forged notices cost a row each: past the refusals the deployment allows (OM_PAYMENT_NOTICE_REFUSALS_ALLOWED)
    within its window (OM_PAYMENT_NOTICE_REFUSAL_WINDOW_SECONDS), an address is answered 429 before its notice is
    read or recorded; another address is not; the window passes."""
    db = Database(f"sqlite:///{tmp_path / 'web.db'}")
    db.upgrade()
    endpoint = settings.cashier()
    assert endpoint is not None
    cashier = SandboxCashier(endpoint)
    desk = PartyDesk(db=db, keys=settings.party_index_keys, sms=None)
    limited = settings.model_copy(
        update={"payment_notice_refusals_allowed": 3, "payment_notice_refusal_window_seconds": 120}
    )
    till = Till.configured(limited, desk, cashier)
    allowed, window = till.notice_refusals_allowed, till.notice_refusal_window
    assert (allowed, window) == (3, timedelta(minutes=2)), "as configured"
    forger, platform = "198.51.100.7", "198.51.100.8"

    async def answer(remote: str) -> str:
        with pytest.raises(OneMatterError) as refused:
            await notice(till, client, b'{"order_id": "x"}', "", remote)
        return refused.value.code

    def refused_rows(remote: str) -> int:
        with db.session() as s:
            return len(s.scalars(select(PaymentCallback).where(PaymentCallback.remote == remote)).all())

    try:
        for _ in range(allowed):
            assert await answer(forger) == "NOTICE_UNSIGNED"
        assert await answer(forger) == "NOTICE_RATE_LIMITED"
        assert refused_rows(forger) == allowed, "the throttled notice was not recorded"
        assert await answer(platform) == "NOTICE_UNSIGNED", "per address"
        with db.session() as s:  # nearly the configured window passes
            for cb in s.scalars(select(PaymentCallback).where(PaymentCallback.remote == forger)):
                cb.received_at -= window - timedelta(seconds=5)
        assert await answer(forger) == "NOTICE_RATE_LIMITED", "still within the configured window"
        with db.session() as s:  # and then the whole of it
            for cb in s.scalars(select(PaymentCallback).where(PaymentCallback.remote == forger)):
                cb.received_at -= timedelta(seconds=6)
        assert await answer(forger) == "NOTICE_UNSIGNED"
    finally:
        await cashier.aclose()
        db.dispose()


async def test_a_lawyer_acts_only_once_the_judge_confirms_and_within_the_authority(web: str, simulator: str) -> None:
    applicant, a = await registered(web, simulator)
    debtor, d = await registered(web, simulator)
    lawyer, zhao = await registered(web, simulator, name="赵律师")
    special, qian = await registered(web, simulator, name="钱律师")
    case = await case_of(web, applicant=a, debtor=d)
    cid, number = case["case_id"], case["case_number"]
    judge = await login(web, "judge")
    async with applicant, debtor, lawyer, special, judge:
        poa = await uploaded(lawyer, PDF + b"%poa-zhao\n", "授权委托书.pdf")
        body = {"case_number": number, "principal_id_number": a["id_number"], "power_of_attorney_sha256": poa}
        r = await lawyer.post("/api/my/agencies", json=body | {"principal_id_number": resident_id("19700101")})
        assert r.status_code == 404, "a principal the case does not name: no such case"
        photo = await uploaded(lawyer, PNG + b"poa", "poa.png")
        r = await lawyer.post("/api/my/agencies", json=body | {"power_of_attorney_sha256": photo})
        assert r.status_code == 422 and r.json()["code"] == "POWER_OF_ATTORNEY_REQUIRED"
        r = await lawyer.post("/api/my/agencies", json=body)
        assert r.status_code == 201, r.text
        agency = r.json()
        assert agency["kind"] == "agency" and agency["side"] == "applicant" and not agency["special_authority"]

        # Before the judge confirms, the case does not exist for the lawyer.
        assert (await lawyer.get(f"/api/my/cases/{cid}")).status_code == 404
        assert cid not in {c["case_id"] for c in (await lawyer.get("/api/my/cases")).json()}
        r = await lawyer.post(f"/api/my/cases/{cid}/requests", json={"kind": "message", "text": "代理人留言"})
        assert r.status_code == 404

        # The judge reads the power of attorney before confirming it; no one else's file is served so.
        r = await judge.get(f"/api/cases/{cid}/party-files/{poa}")
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        assert (await judge.get(f"/api/cases/{cid}/party-files/{photo}")).status_code == 404, "not filed here"
        url = f"/api/cases/{cid}/party-requests/{agency['request_id']}/answer"
        r = await judge.post(url, json={"answer": "confirm", "reason": "授权委托书真实有效, 一般授权"})
        assert r.status_code == 200, r.text
        mine = {c["case_id"]: c for c in (await lawyer.get("/api/my/cases")).json()}
        assert mine[cid]["roles"] == ["agent-of-applicants"]
        space = (await lawyer.get(f"/api/my/cases/{cid}")).json()
        assert space["acting_as_agent"] and not space["special_authority"]
        r = await lawyer.post(f"/api/my/cases/{cid}/requests", json={"kind": "lead", "text": "被执行人有一辆车"})
        assert r.status_code == 201 and r.json()["side"] == "applicant" and r.json()["agent"], r.text
        r = await lawyer.post(f"/api/my/cases/{cid}/requests", json={"kind": "property-report", "text": "x"})
        assert r.status_code == 422 and r.json()["code"] == "NOT_THE_FILER", "only the principal's side"

        # Instalments: proposed by the debtor; agreeing to settle needs the special authority.
        # Due years ahead: legal time runs 864 000 × here, so the case's today moves a day every 0.1 s of the test.
        first = date.today().replace(day=1) + timedelta(days=3 * 365)
        schedule = [
            {"due_on": first.isoformat(), "amount_fen": 150_000_00},
            {"due_on": (first + timedelta(days=30)).isoformat(), "amount_fen": 157_000_00},
        ]
        plan = {"kind": "instalments", "text": "分两期付清", "instalments": schedule}
        r = await debtor.post(f"/api/my/cases/{cid}/requests", json=plan)
        assert r.status_code == 201, r.text
        proposal = r.json()
        r = await lawyer.post(f"/api/my/cases/{cid}/requests/{proposal['request_id']}/consent", json={"agree": True})
        assert r.status_code == 403 and r.json()["code"] == "SPECIAL_AUTHORITY_REQUIRED"

        poa2 = await uploaded(special, PDF + b"%poa-qian\n", "特别授权委托书.pdf")
        r = await special.post(
            "/api/my/agencies", json=body | {"power_of_attorney_sha256": poa2, "special_authority": True}
        )
        assert r.status_code == 201 and r.json()["special_authority"], r.text
        url2 = f"/api/cases/{cid}/party-requests/{r.json()['request_id']}/answer"
        r = await judge.post(url2, json={"answer": "confirm", "reason": "特别授权, 可代为和解、收取执行款"})
        assert r.status_code == 200, r.text
        seen = (await special.get(f"/api/my/cases/{cid}")).json()["requests"]
        assert any(x["kind"] == "instalments" and x["instalments"] for x in seen), "the applicant's side sees it"
        consent_url = f"/api/my/cases/{cid}/requests/{proposal['request_id']}/consent"
        r = await special.post(consent_url, json={"agree": True, "reason": "同意分期"})
        assert r.status_code == 200 and r.json()["consent"] is True, r.text

        # The judge records it: the settlement matter starts with the debtor's schedule.
        url3 = f"/api/cases/{cid}/party-requests/{proposal['request_id']}/answer"
        r = await judge.post(url3, json={"answer": "settle", "reason": "双方自愿达成分期履行和解"})
        assert r.status_code == 200, r.text
        settled = r.json()
        assert settled["matter_workflow_id"].startswith("settlement")
        doc = (await judge.get(f"/api/cases/{cid}")).json()
        assert settled["matter_workflow_id"] in {m["workflow_id"] for m in doc["matters"]}

        # Collecting the applicant's money (代为收取执行款): only the agent with special authority may be the payee,
        # and paying an agent in the party's stead takes a second approval whatever the sum (a change of payee).
        async def payout_to(agent: dict[str, str]) -> httpx.Response:
            row = f"{agent['name']},{agent['id_number']},中国工商银行杭州分行,{payee_account(7)},100.00"
            r = await judge.post("/api/payouts/lists", files={"file": ("payees.csv", payee_csv([row]), "text/csv")})
            assert r.status_code == 201, r.text
            body = {"payee_list": r.json(), "case_account": payee_account(8), "bank": "bank-icbc"}
            return await judge.post(f"/api/cases/{cid}/matters/mass-payout", json=body)

        r = await payout_to(zhao)
        assert r.status_code == 422 and r.json()["code"] == "COLLECTION_AUTHORITY_REQUIRED", r.text
        assert "特别授权" in r.json()["message"] and "第 2 行" in r.json()["message"], "the file's row (header row 1)"
        r = await payout_to(qian)
        assert r.status_code == 201, r.text
        payout = r.json()["workflow_id"]

        async def four_eyes() -> dict[str, Any] | None:
            summary: dict[str, Any] = (await judge.get(f"/api/workflows/{payout}")).json()["summary"]
            return summary if summary.get("approvals_needed") else None

        assert (await eventually(four_eyes))["approvals_needed"] == 2, "¥100 is far below the threshold"

        # Released by the judge and a second approver, paid and reconciled: the applicant's side is told in its case
        # space by a 执行款发放通知书 (its agent with special authority too), the 案号 and the amount in words.
        approve = f"/api/workflows/{payout}/decisions/approve-release"

        async def awaiting_release() -> bool:
            pending = (await judge.get(f"/api/workflows/{payout}")).json()["pending_decisions"]
            return "approve-release" in {d["name"] for d in pending}

        assert await eventually(awaiting_release, timeout=30), "the list and the balance checked first"
        r = await judge.post(approve, json={"reason": "核对无误, 同意发放"})
        assert r.status_code == 200, r.text
        async with await login(web, "approver") as approver:
            r = await approver.post(approve, json={"reason": "同意由特别授权代理人代为收取"})
            assert r.status_code == 200, r.text

        async def notice() -> dict[str, Any] | None:
            docs = (await special.get(f"/api/my/cases/{cid}")).json()["documents"]
            return next((x for x in docs if x["title"] == "执行款发放通知书"), None)

        told = await eventually(notice, timeout=60)
        words = pdf_words((await special.get(f"/api/my/cases/{cid}/documents/{told['document_id']}")).content)
        assert number in words
        assert "人民币壹佰元整" in words and "¥100.00" in words and "1名收款人" in words
        mine = (await debtor.get(f"/api/my/cases/{cid}")).json()["documents"]
        assert "执行款发放通知书" not in {x["title"] for x in mine}, "the applicant's side only"


async def test_a_late_property_report_meets_the_judges_sanction_with_its_basis(web: str, simulator: str) -> None:
    """The report in Art 5's parts and a later change as a supplement (Art 7), both late; the fine goes to the
    president, its decision is served, and the debtor applies for reconsideration once."""
    debtor, d = await registered(web, simulator)
    applicant, a = await registered(web, simulator)
    case = await case_of(web, applicant=a, debtor=d)
    cid = case["case_id"]
    judge = await login(web, "judge")
    async with debtor, applicant, judge:
        # Legal time runs 864 000 × in tests: the notice's 10 days and the order's 5 pass in under 2 s.
        await asyncio.sleep(2.5)
        reports = f"/api/my/cases/{cid}/requests"
        # The report in 财产调查规定 Art 5's parts, not free text: each problem names its field.
        r = await debtor.post(reports, json={"kind": "property-report", "text": "名下无财产"})
        assert r.status_code == 422 and r.json()["code"] == "REPORT_REQUIRED" and r.json()["field"] == "report"
        r = await debtor.post(reports, json={"kind": "property-report", "report": {}})
        assert r.status_code == 422 and r.json()["field"] == "report" and "no_property" in r.json()["message"]
        wrong = {"money": [{"kind": "gold", "description": "金条"}]}
        r = await debtor.post(reports, json={"kind": "property-report", "report": wrong})
        assert r.status_code == 422 and r.json()["field"] == "report.money.0.kind", r.text
        deposit = {"kind": "deposit", "description": "储蓄存款", "value_fen": 2_000_000, "where": "工商银行"}
        house = {"kind": "house", "description": "住房一套", "where": "杭州市上城区", "burden": "已抵押给建设银行"}
        filed = {"money": [deposit | {"number": "6222021234567890"}], "immovables": [house]}
        r = await debtor.post(reports, json={"kind": "property-report", "report": filed})
        assert r.status_code == 201, r.text
        report = r.json()
        assert report["late"], "filed after the report order's period"
        assert report["text"] == "收入存款等 1 项; 不动产 1 项" and report["report"]["money"][0]["number"].endswith(
            "7890"
        )

        # Art 7: a change after the report, reported as a supplement within 10 days of it; late like the report.
        filed_on = (await debtor.get(f"/api/my/cases/{cid}")).json()["filed_on"]
        sold = {"kind": "transfer-or-lease", "changed_on": filed_on, "description": "出售车辆", "amount_fen": 5_000_000}
        r = await debtor.post(reports, json={"kind": "property-supplement", "report": {"no_property": True}})
        assert (
            r.status_code == 422
            and r.json()["code"] == "SUPPLEMENT_WITHOUT_CHANGE"
            and r.json()["field"] == "report.changes"
        )
        future = sold | {"changed_on": (date.fromisoformat(filed_on) + timedelta(days=365)).isoformat()}
        r = await debtor.post(reports, json={"kind": "property-supplement", "report": {"changes": [future]}})
        assert r.status_code in (409, 422) and r.json()["code"] == "CHANGE_IN_FUTURE", r.text
        r = await debtor.post(reports, json={"kind": "property-supplement", "report": {"changes": [sold]}})
        assert r.status_code == 201, r.text
        supplement = r.json()
        assert supplement["late"] and supplement["report_due_on"] > filed_on, "past 10 days from the change"
        in_order = [x["kind"] for x in (await judge.get(f"/api/cases/{cid}")).json()["party_requests"]]
        assert in_order == ["property-report", "property-supplement"], "the judge sees them in the order filed"
        page = await ui_page(web, "judge", f"/ui/dockets/{cid}")
        assert page.index("住房一套") < page.index("出售车辆") and "6222021234567890" in page
        applicant_view = [x for x in (await applicant.get(f"/api/my/cases/{cid}")).json()["requests"] if x["report"]]
        assert [x["kind"] for x in applicant_view] == ["property-report", "property-supplement"], "Art 8"
        assert applicant_view[0]["report"]["money"][0]["number"] == "****7890", "the account masked (§19.4)"
        url = f"/api/cases/{cid}/party-requests/{report['request_id']}/answer"
        too_much = {"breach": "late", "kind": "fine", "amount_fen": 200_000_00}
        r = await judge.post(url, json={"answer": "sanction", "reason": "逾期报告", "sanction": too_much})
        assert r.status_code == 422 and r.json()["code"] == "FINE_OUT_OF_RANGE" and "十万元" in r.json()["message"]
        r = await judge.post(url, json={"answer": "sanction", "reason": "逾期报告, 拟罚款"})
        assert r.status_code in (409, 422) and r.json()["code"] == "SANCTION_REQUIRED"
        fine = {"breach": "late", "kind": "fine", "amount_fen": 10_000_00}
        r = await judge.post(url, json={"answer": "sanction", "reason": "逾期报告财产, 拟罚款", "sanction": fine})
        assert r.status_code == 200, r.text

        (seen,) = [
            x for x in (await debtor.get(f"/api/my/cases/{cid}")).json()["requests"] if x["kind"] == "property-report"
        ]
        sanction = seen["sanction"]
        assert seen["answer"] == "sanction" and sanction["amount_fen"] == 10_000_00 and sanction["president_approval"]
        assert "第一百一十八条" in sanction["basis"] and "财产调查规定第九条" in sanction["basis"]
        assert "三日内" in sanction["remedy"]

        # The president approves it on the decision desk (CPL Art 119); the judge may not.
        (fined,) = (await debtor.get(f"/api/my/cases/{cid}")).json()["sanctions"]
        assert fined["status"] == "awaiting-president" and fined["document"] is None and not fined["may_reconsider"]
        case_doc = (await judge.get(f"/api/cases/{cid}")).json()
        assert "president-sign" in {d["name"] for d in case_doc["pending_decisions"]}
        sign = f"/api/cases/{cid}/decisions/president-sign"
        r = await judge.post(sign, json={"reason": "同意"})
        assert r.status_code == 403 and r.json()["code"] == "ROLE_FORBIDDEN", r.text
        approver = await login(web, "approver")
        async with approver:
            r = await approver.post(sign, json={"reason": "同意罚款"})
            assert r.status_code == 200, r.text
            fined = await issued_sanction(debtor, cid)
            # Applying online is an act that completes the service of a decision not yet opened (在线诉讼规则 Art 31).
            appeal = f"/api/my/cases/{cid}/sanctions/{fined['sanction_id']}/reconsideration"
            r = await debtor.post(appeal, json={"text": "已于次日补报, 请求撤销罚款"})
            assert r.status_code == 200, r.text
            applied = r.json()
            assert applied["served_on"] == applied["reconsideration"]["applied_on"]
            assert applied["status"] == "issued", "复议期间不停止执行: the fine stands meanwhile"
            r = await debtor.post(appeal, json={"text": "再次申请"})
            assert r.status_code in (409, 422) and r.json()["code"] == "RECONSIDERATION_EXISTS", r.text
            assert "一次" in r.json()["message"]
            higher = {"outcome": "upheld", "decision_ref": "（2026）浙01司惩复1号", "reason": "驳回复议申请"}
            r = await judge.post(
                f"/api/cases/{cid}/report-sanctions/{fined['sanction_id']}/reconsideration", json=higher
            )
            assert r.status_code == 200 and r.json()["reconsideration"]["outcome"] == "upheld", r.text
        (seen_now,) = (await debtor.get(f"/api/my/cases/{cid}")).json()["sanctions"]
        assert seen_now["reconsideration"]["outcome_ref"] == higher["decision_ref"] and not seen_now["may_reconsider"]


async def president_decides_on_the_page(
    web: str, judge: httpx.AsyncClient, cid: str, sanction_id: str, judges_reason: str
) -> None:
    """The approver's queue lists the case once its register row says a sanction awaits; the case page shows
    the judge's decision with the president's two forms; a refusal without reasons, a forged form and a
    sanction not next are refused; the approval is recorded who, when, why, and the case leaves the queue."""
    approver = await login(web, "approver")
    token = approver.headers["Authorization"].removeprefix("Bearer ")
    async with approver, httpx.AsyncClient(base_url=web, cookies={SESSION_COOKIE: token}, timeout=30) as president:

        async def in_queue() -> bool:
            html = (await president.get("/ui/queue")).text
            return f'data-case="{cid}"' in html.partition('data-testid="queue-sanctions"')[2]

        assert await eventually(in_queue)
        html = (await president.get(f"/ui/dockets/{cid}")).text
        assert 'data-testid="sanction-decision"' in html and judges_reason in html, "the judge's reasons, read"
        csrf = re.search(r'name="csrf" value="([^"]+)"', html)
        assert csrf
        form = f"/ui/dockets/{cid}/sanctions/{sanction_id}"
        r = await president.post(f"{form}/president-refuse", data={"csrf": csrf.group(1), "reason": " "})
        assert r.status_code == 422 and "须说明理由" in r.text, r.text
        r = await president.post(f"{form}/president-sign", data={"csrf": "forged"})
        assert r.status_code == 403, r.text
        r = await president.post(f"/ui/dockets/{cid}/sanctions/sn-other/president-sign", data={"csrf": csrf.group(1)})
        assert r.status_code == 409 and "请刷新案件页面" in r.text, r.text
        judge_token = judge.headers["Authorization"].removeprefix("Bearer ")
        async with httpx.AsyncClient(base_url=web, cookies={SESSION_COOKIE: judge_token}, timeout=30) as page:
            r = await page.post(f"{form}/president-sign", data={"csrf": csrf_for(judge_token)})
            assert r.status_code == 403, "the judge may not approve"
        r = await president.post(f"{form}/president-sign", data={"csrf": csrf.group(1), "reason": "同意拘留"})
        assert r.status_code == 303, r.text
        timeline = (await judge.get(f"/api/cases/{cid}")).json()["timeline"]
        (approved,) = [e for e in timeline if e["action"] == "sanction-approved"]
        assert approved["actor"]["user_id"] == "approver" and approved["reason"] == "同意拘留" and approved["at"]

        async def off_queue() -> bool:
            return not await in_queue()

        assert await eventually(off_queue), "decided, off the queue"


async def issued_sanction(debtor: httpx.AsyncClient, cid: str) -> dict[str, Any]:
    """The debtor's sanction once its decision document is issued into their case space (sealed, numbered,
    signed by the president who approved it, addressed to the debtor)."""

    async def issued() -> dict[str, Any] | None:
        found = [x for x in (await debtor.get(f"/api/my/cases/{cid}")).json()["sanctions"] if x["document"]]
        return found[0] if found else None

    fined: dict[str, Any] = await eventually(issued)
    assert fined["status"] == "issued" and fined["may_reconsider"] and fined["served_on"] is None
    space = (await debtor.get(f"/api/my/cases/{cid}")).json()
    listed = {d["document_id"]: d for d in space["documents"]}
    assert fined["document"]["document_id"] in listed, "served in the debtor's space"
    return fined


async def test_a_dishonest_request_accepted_starts_the_listing_from_the_case(web: str, simulator: str) -> None:
    applicant, a = await registered(web, simulator)
    case = await case_of(web, applicant=a)
    cid = case["case_id"]
    judge = await login(web, "judge")
    async with applicant, judge:
        ask = {"kind": "dishonest-request", "text": "被执行人有履行能力而拒不履行, 申请纳入失信名单"}
        r = await applicant.post(f"/api/my/cases/{cid}/requests", json=ask)
        assert r.status_code == 201 and r.json()["answer_due_on"], r.text
        url = f"/api/cases/{cid}/party-requests/{r.json()['request_id']}/answer"
        r = await judge.post(url, json={"answer": "accept", "reason": "依申请启动失信审查"})
        assert r.status_code == 200, r.text
        matter = r.json()["matter_workflow_id"]
        assert matter.startswith("dishonest-list")
        doc = (await judge.get(f"/api/cases/{cid}")).json()
        assert matter in {m["workflow_id"] for m in doc["matters"]}


async def test_a_refused_report_is_sanctioned_on_the_case_and_the_debtor_sees_it(
    web: str, simulator: str, settings: Settings
) -> None:
    """Two debtors; the second refused to report: the sanction, its decision and the right to reconsideration
    are the second's alone — the first-named debtor neither sees nor answers them, nor does the first's lawyer;
    the second's lawyer does (an agent answers for the principal who signed the power, as documents are served)."""
    first, d1 = await registered(web, simulator)
    debtor, d = await registered(web, simulator)
    applicant, a = await registered(web, simulator)
    firsts_lawyer, _ = await registered(web, simulator, name="周律师")
    seconds_lawyer, _ = await registered(web, simulator, name="吴律师")
    case = await case_of(web, a, d1, d)
    cid = case["case_id"]
    judge = await login(web, "judge")
    async with first, debtor, applicant, firsts_lawyer, seconds_lawyer, judge:
        await confirmed_agent(firsts_lawyer, judge, cid, case["case_number"], d1)
        await confirmed_agent(seconds_lawyer, judge, cid, case["case_number"], d)
        url = f"/api/cases/{cid}/report-sanctions"
        detention = {"breach": "refused", "kind": "detention", "days": 10}
        r = await judge.post(url, json={"sanction": detention, "reason": "拒不报告财产", "debtor": 3})
        assert r.status_code == 422 and r.json()["code"] == "NO_SUCH_DEBTOR" and r.json()["field"] == "debtor"
        too_long = {"breach": "refused", "kind": "detention", "days": 20}
        r = await judge.post(url, json={"sanction": too_long, "reason": "拒不报告财产"})
        assert r.status_code == 422 and r.json()["code"] == "DETENTION_OUT_OF_RANGE", r.text
        late = {"breach": "late", "kind": "fine", "amount_fen": 1_000_00}
        r = await judge.post(url, json={"sanction": late, "reason": "逾期"})
        assert r.status_code == 422 and r.json()["code"] == "ANSWER_THE_REPORT"
        r = await judge.post(url, json={"sanction": detention, "reason": "报告期间届满仍拒不报告财产", "debtor": 2})
        assert r.status_code == 201, r.text
        space = (await debtor.get(f"/api/my/cases/{cid}")).json()
        assert space["judge"] == DEMO_STAFF_NAMES["judge"], "the judge by name, not the login name"
        (seen,) = space["sanctions"]
        assert seen["days"] == 10 and "拒绝报告财产" in seen["basis"] and "第一百一十八条" in seen["basis"]
        assert (await applicant.get(f"/api/my/cases/{cid}")).json()["sanctions"] == [], "the debtor's own"
        assert (await first.get(f"/api/my/cases/{cid}")).json()["sanctions"] == [], "not the other debtor's"
        assert (await firsts_lawyer.get(f"/api/my/cases/{cid}")).json()["sanctions"] == [], "not his principal's"
        assert [x["sanction_id"] for x in (await seconds_lawyer.get(f"/api/my/cases/{cid}")).json()["sanctions"]] == [
            seen["sanction_id"]
        ], "his principal's"

        # The president finds it in 待我审批 and approves it from the case page (院长批准, CPL Art 119); the
        # 拘留决定书 is issued; the debtor opens it (received that day) and the 3 days run out.
        await president_decides_on_the_page(web, judge, cid, seen["sanction_id"], "报告期间届满仍拒不报告财产")
        held = await issued_sanction(debtor, cid)
        document_id = held["document"]["document_id"]
        r = await debtor.get(f"/api/my/cases/{cid}/documents/{document_id}")
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        words = pdf_words(r.content)
        assert "拘留决定书" in words and "拘留10日" in words and "三日内" in words
        assert f"院长签发：{DEMO_STAFF_NAMES['approver']}" in words, "the president by name, not the user id"
        assert d["id_number"] in words and d1["id_number"] not in words, "it names the debtor who refused"
        r = await first.get(f"/api/my/cases/{cid}/documents/{document_id}")
        assert r.status_code == 404, "served on the debtor it names, not the first-named one"
        received = await eventually(
            lambda: _sanction_of(debtor, cid, held["sanction_id"], lambda x: x["reconsideration_due_on"] is not None)
        )
        assert received["served_on"] <= received["reconsideration_due_on"]
        (served,) = [
            d for d in (await debtor.get(f"/api/my/cases/{cid}")).json()["documents"] if d["document_id"] == document_id
        ]
        assert served["served_at"], "the electronic service is recorded on the document"
        await asyncio.sleep(1.0)  # legal time runs 864 000 ×: the 3 days (and any rest days) pass
        appeal = f"/api/my/cases/{cid}/sanctions/{held['sanction_id']}/reconsideration"
        r = await debtor.post(appeal, json={"text": "不服拘留决定"})
        assert r.status_code in (409, 422) and r.json()["code"] == "RECONSIDERATION_PERIOD_PASSED", r.text
        assert "三日内" in r.json()["message"] and received["reconsideration_due_on"] in r.json()["message"]
        r = await applicant.post(appeal, json={"text": "x"})
        assert r.status_code == 403 and r.json()["code"] == "DEBTOR_ONLY", r.text
        r = await first.post(appeal, json={"text": "x"})
        assert r.status_code == 403 and r.json()["code"] == "DEBTOR_ONLY", "another debtor's sanction"
        r = await firsts_lawyer.post(appeal, json={"text": "x"})
        assert r.status_code == 403 and r.json()["code"] == "DEBTOR_ONLY", "another debtor's, for his lawyer too"
        r = await seconds_lawyer.post(appeal, json={"text": "不服拘留决定"})
        assert r.json()["code"] == "RECONSIDERATION_PERIOD_PASSED", "the principal's: only the period refuses it"

        # The second debtor's lawyer files the report, late: its fine names the second debtor, not the first-named.
        r = await seconds_lawyer.post(
            f"/api/my/cases/{cid}/requests", json={"kind": "property-report", "report": {"no_property": True}}
        )
        assert r.status_code == 201 and r.json()["late"] and r.json()["agent"], r.text
        fine = {"breach": "late", "kind": "fine", "amount_fen": 1_000_00}
        answer = {"answer": "sanction", "reason": "代理人逾期报告财产", "sanction": fine}
        r = await judge.post(f"/api/cases/{cid}/party-requests/{r.json()['request_id']}/answer", json=answer)
        assert r.status_code == 200, r.text
        assert len((await debtor.get(f"/api/my/cases/{cid}")).json()["sanctions"]) == 2, "his principal's"
        assert (await first.get(f"/api/my/cases/{cid}")).json()["sanctions"] == [], "not the first-named debtor's"

        # A lawyer for both debtors names whose report he files (it is that debtor's own, and so is its sanction):
        # not named, or naming a debtor who did not appoint him, it is refused before anything is filed.
        await confirmed_agent(firsts_lawyer, judge, cid, case["case_number"], d)
        reports, nothing = f"/api/my/cases/{cid}/requests", {"kind": "property-report", "report": {"no_property": True}}
        r = await firsts_lawyer.post(reports, json=nothing)
        assert r.status_code == 422 and r.json()["code"] == "ON_BEHALF_OF_REQUIRED", r.text
        assert r.json()["field"] == "on_behalf_of" and "2 位当事人" in r.json()["message"]
        r = await seconds_lawyer.post(reports, json=nothing | {"on_behalf_of": 1})
        assert r.status_code == 422 and r.json()["code"] == "NOT_YOUR_PRINCIPAL", "the first did not appoint him"
        assert (await firsts_lawyer.get(f"/api/my/cases/{cid}")).json()["reporting_for"] == [1, 2]
        token = firsts_lawyer.headers["Authorization"].removeprefix("Bearer ")
        async with httpx.AsyncClient(base_url=web, cookies={PARTY_COOKIE: token}, timeout=30) as phone:
            form = (await phone.get(f"/p/cases/{cid}")).text
            assert 'name="on_behalf_of" required' in form and "被执行人 2 · " in form
        r = await firsts_lawyer.post(reports, json=nothing | {"on_behalf_of": 2})
        assert r.status_code == 201, r.text
        answer = {"answer": "sanction", "reason": "代理人为第二被执行人逾期报告", "sanction": fine}
        r = await judge.post(f"/api/cases/{cid}/party-requests/{r.json()['request_id']}/answer", json=answer)
        assert r.status_code == 200, r.text
        assert len((await debtor.get(f"/api/my/cases/{cid}")).json()["sanctions"]) == 3, "the debtor he named"
        assert (await first.get(f"/api/my/cases/{cid}")).json()["sanctions"] == [], "never the first by default"

        # Powers confirmed before the principal was recorded (migration 0022) name no party: such an agent keeps
        # the side's sanctions, as before.
        db = Database(settings.web_database_url)
        with db.session() as s:
            s.execute(update(PartyAgent).where(PartyAgent.case_id == cid).values(principal_digest=None))
        db.dispose()
        assert (await firsts_lawyer.get(f"/api/my/cases/{cid}")).json()["sanctions"] != [], "the side's"
        # Such an agent's report names no debtor of the two: a sanction on it would guess, so it is refused.
        r = await firsts_lawyer.post(reports, json=nothing)
        assert r.status_code == 201, r.text
        r = await judge.post(f"/api/cases/{cid}/party-requests/{r.json()['request_id']}/answer", json=answer)
        assert r.status_code == 409 and r.json()["code"] == "DEBTOR_NOT_NAMED", r.text
        assert (await first.get(f"/api/my/cases/{cid}")).json()["sanctions"] == [], "nothing half-done"


async def _sanction_of(party: httpx.AsyncClient, cid: str, sanction_id: str, ready: Any) -> dict[str, Any] | None:
    found = [
        x for x in (await party.get(f"/api/my/cases/{cid}")).json()["sanctions"] if x["sanction_id"] == sanction_id
    ]
    return found[0] if found and ready(found[0]) else None


async def test_the_judge_pushes_a_node_with_photos_and_location_and_parties_are_told(
    web: str, simulator: str, settings: Settings
) -> None:
    applicant, a = await registered(web, simulator)
    debtor, d = await registered(web, simulator)
    stranger, _ = await registered(web, simulator)
    case = await case_of(web, applicant=a, debtor=d)
    cid = case["case_id"]
    judge = await login(web, "judge")
    async with applicant, debtor, stranger, judge:
        r = await judge.post(f"/api/cases/{cid}/node-files", files={"file": ("scene.png", PNG + b"scene")})
        assert r.status_code == 201, r.text
        photo = r.json()["sha256"]
        # A short video: its type told by its first bytes and its size bounded before anything is stored.
        r = await judge.post(f"/api/cases/{cid}/node-videos", files={"file": ("scene.mp4", MP4)})
        assert r.status_code == 201 and r.json()["content_type"] == "video/mp4", r.text
        video = r.json()["sha256"]
        r = await judge.post(f"/api/cases/{cid}/node-videos", files={"file": ("scene.mp4", PNG + b"not a video")})
        assert r.status_code == 422 and r.json()["code"] == "VIDEO_TYPE_REFUSED"
        heif = MP4[:8] + b"heic" + MP4[12:]
        r = await judge.post(f"/api/cases/{cid}/node-videos", files={"file": ("x.mp4", heif)})
        assert r.status_code == 422, "a HEIF photo shares the box, not the brand"
        over = body_limit("POST", f"/api/cases/{cid}/node-videos") + 1
        assert over > MAX_VIDEO_BYTES  # room for the form around the file
        head = (
            f"POST /api/cases/{cid}/node-videos HTTP/1.1\nHost: t\nAuthorization: {judge.headers['authorization']}\n"
            f"Content-Type: multipart/form-data; boundary=x\nContent-Length: {over}\n"
        )
        status, _ = await raw_request(web, head)
        assert status == 413, "refused by its declared length, before a byte of it is sent"
        r = await applicant.post(f"/api/cases/{cid}/node-videos", files={"file": ("scene.mp4", MP4)})
        assert r.status_code in (403, 404)
        node = {
            "title": "扣押车辆",
            "text": "在被执行人住所地扣押小型轿车一辆",
            "attachments": [photo, video],
            "location": {"latitude": 30.2741, "longitude": 120.1551, "address": "杭州市上城区某路"},
        }
        r = await judge.post(f"/api/cases/{cid}/nodes", json=node)
        assert r.status_code == 201, r.text
        for party, p in ((applicant, a), (debtor, d)):
            space = (await party.get(f"/api/my/cases/{cid}")).json()
            (pushed,) = space["pushed_nodes"]
            assert pushed["title"] == "扣押车辆" and pushed["location"]["address"] == "杭州市上城区某路"
            r = await party.get(f"/api/my/cases/{cid}/files/{photo}")
            assert r.status_code == 200 and r.content == PNG + b"scene"
            assert pushed["videos"] == [video]
            r = await party.get(f"/api/my/cases/{cid}/files/{video}")
            assert r.status_code == 200 and r.content == MP4 and r.headers["content-type"] == "video/mp4"
            texts = [m["text"] for m in await outbox(simulator, p["phone"])]
            assert any("扣押车辆" in t and case["case_number"] in t for t in texts), texts
        assert (await stranger.get(f"/api/my/cases/{cid}/files/{photo}")).status_code == 404
        assert (await stranger.get(f"/api/my/cases/{cid}/files/{video}")).status_code == 404

        # A document issued to the debtor is listed in the debtor's space alone, and noticed by SMS.
        office = office_for(settings, Database(settings.web_database_url))
        request = DocumentRequest(
            kind=DocumentKind.EXECUTION_NOTICE,
            court=str(filing()["court"]),
            case_number=case["case_number"],
            issued_on=date.today(),
            case_id=cid,
            workflow_id=case["workflow_id"],
            idempotency_key=f"{case['workflow_id']}:test-execution-notice",
            addressed_to=["debtor"],
            fields={
                "applicant_name": a["name"],
                "debtor_name": d["name"],
                "debtor_id": d["id_number"],
                "title_document": "(2026)浙0102民初100号",
                "filing_date": str(date.today()),
                "period_days": 10,
                "obligation": "支付欠款",
                "claim_fen": 30_420_000,
            },
        )
        issued = await asyncio.to_thread(office.issue, request)
        docs = (await debtor.get(f"/api/my/cases/{cid}")).json()["documents"]
        # Beside the case's own filing documents (to the debtor too): this one, listed once.
        assert [x["title"] for x in docs if x["document_id"] == issued.document_id] == ["执行通知书"]
        r = await debtor.get(f"/api/my/cases/{cid}/documents/{issued.document_id}")
        assert r.status_code == 200 and r.content.startswith(b"%PDF")
        mine = (await applicant.get(f"/api/my/cases/{cid}")).json()["documents"]
        assert issued.document_id not in {x["document_id"] for x in mine}, "not the applicant's"
        r = await applicant.get(f"/api/my/cases/{cid}/documents/{issued.document_id}")
        assert r.status_code == 404

        async def noticed() -> bool:
            return any("执行通知书" in m["text"] for m in await outbox(simulator, d["phone"]))

        assert await eventually(noticed, timeout=30)
        assert not any("执行通知书" in m["text"] for m in await outbox(simulator, a["phone"]))


async def test_resuming_is_applied_for_after_the_current_procedure_ends(web: str, simulator: str) -> None:
    applicant, a = await registered(web, simulator)
    judge, clerk = await login(web, "judge"), await login(web, "clerk")
    async with applicant, judge, clerk:
        # Applied for online: the case holds the title as filed, its PDF among it.
        title = await uploaded(applicant, PDF + b"%title-resume\n", "判决书.pdf")
        r = await applicant.post("/api/my/applications", json=online_application(a, title))
        assert r.status_code == 201, r.text
        r = await clerk.post(f"/api/applications/{r.json()['application_id']}/accept", json={})
        assert r.status_code == 200, r.text
        cid = r.json()["case_id"]
        held = (await judge.get(f"/api/cases/{cid}")).json()["title"]
        assert held["document_sha256"] == title and held["document_number"] == "(2026)浙0102民初456号"

        resume = {"kind": "resume", "text": "发现被执行人新购车辆一辆"}
        r = await applicant.post(f"/api/my/cases/{cid}/requests", json=resume)
        assert r.status_code in (409, 422) and r.json()["code"] == "CASE_OPEN", r.text
        assert "仍在执行中" in r.json()["message"]

        # 终本 on the applicant's signature (民诉法解释 Art 517), then the case closes so.
        watch = await ruled_on_the_applicants_signature(applicant, judge, cid)
        await closed_as_current_procedure_ended(judge, cid)

        r = await applicant.post(f"/api/my/cases/{cid}/requests", json=resume)
        assert r.status_code == 201, r.text
        filed = r.json()
        assert filed["answer_due_on"], "decided within 7 days"
        url = f"/api/cases/{cid}/party-requests/{filed['request_id']}/answer"
        r = await judge.post(url, json={"answer": "accept", "reason": "发现新财产, 准予恢复执行"})
        assert r.status_code == 200, r.text

        # The 执恢 application waits in the filing clerk's queue, in the applicant's own applications; it
        # refers to the original title as the case holds it, its PDF included — never a placeholder.
        mine = [x for x in (await applicant.get("/api/my/applications")).json() if x["status"] == "submitted"]
        (queued,) = [x for x in (await clerk.get("/api/applications")).json() if x["application_id"] in
                     {m["application_id"] for m in mine}]  # fmt: skip
        assert queued["application"]["resumes_case_id"] == cid
        assert queued["application"]["title_document_sha256"] == title
        assert queued["application"]["title"] == held
        r = await clerk.post(f"/api/applications/{queued['application_id']}/accept", json={})
        assert r.status_code == 200, r.text
        assert "执恢" in r.json()["case_number"]
        resumed = (await judge.get(f"/api/cases/{r.json()['case_id']}")).json()
        assert resumed["title"]["document_sha256"] == title and resumed["resumes"]["case_id"] == cid
        await end_the_watch(judge, watch)


async def test_a_settlement_that_has_ended_is_not_told_and_the_code_says_why(client: Client) -> None:
    """The resumption accepted on a settlement that has ended meanwhile: the web gets the code for the case's
    timeline to say so (the settlement is not there to record it)."""
    request = PartyRequest(
        request_id="pr-ended",
        kind=PartyRequestKind.RESUME,
        side=PartySide.APPLICANT,
        text="申请恢复执行",
        settlement_workflow_id="settlement-that-never-ran",
        by="party-x",
        filed_at=datetime.now(UTC),
    )
    judge = Actor(user_id="judge", role=Role.JUDGE, courts=("杭州市上城区人民法院",))
    assert await tell_settlement(client, judge, "case-x", request, "准予恢复执行") == "SETTLEMENT_ENDED"


async def test_a_breached_settlement_offers_the_applicant_to_resume_the_original_title(
    web: str, simulator: str
) -> None:
    """执行和解规定 Art 9: an instalment missed, the applicant's space offers resuming the original title within
    two years of the agreement's last due day (CPL Art 250); applied for there, it flows as after 终本."""
    applicant, a = await registered(web, simulator)
    debtor, d = await registered(web, simulator)
    case = await case_of(web, applicant=a, debtor=d)
    cid = case["case_id"]
    judge, clerk = await login(web, "judge"), await login(web, "clerk")
    token = applicant.headers["Authorization"].removeprefix("Bearer ")
    async with (
        applicant,
        debtor,
        judge,
        clerk,
        httpx.AsyncClient(base_url=web, cookies={PARTY_COOKIE: token}, timeout=30) as phone,
    ):
        # Due a few legal weeks after the case's today (legal time runs 864 000 ×: a legal day is 0.1 s).
        on = date.fromisoformat((await judge.get(f"/api/cases/{cid}")).json()["ledger"]["on"])
        last = on + timedelta(days=90)
        schedule = [
            {"due_on": (on + timedelta(days=60)).isoformat(), "amount_fen": 1_000_00},
            {"due_on": last.isoformat(), "amount_fen": 1_000_00},
        ]
        r = await debtor.post(
            f"/api/my/cases/{cid}/requests", json={"kind": "instalments", "text": "分两期", "instalments": schedule}
        )
        assert r.status_code == 201, r.text
        proposal = r.json()["request_id"]
        r = await applicant.post(f"/api/my/cases/{cid}/requests/{proposal}/consent", json={"agree": True})
        assert r.status_code == 200, r.text
        r = await judge.post(
            f"/api/cases/{cid}/party-requests/{proposal}/answer", json={"answer": "settle", "reason": "和解"}
        )
        assert r.status_code == 200, r.text
        settlement = r.json()["matter_workflow_id"]
        r = await judge.post(
            f"/api/workflows/{settlement}/decisions/suspend-enforcement", json={"reason": "达成和解, 中止执行"}
        )
        assert r.status_code == 200, r.text
        resume = {"kind": "resume", "text": "被执行人未按期履行和解协议, 申请恢复执行"}

        async def offered() -> dict[str, Any] | None:
            space: dict[str, Any] = (await applicant.get(f"/api/my/cases/{cid}")).json()
            return space if space["resume_offer"] else None

        # Nothing to resume while the debtor may still perform (Art 11): neither offered nor accepted.
        if (await applicant.get(f"/api/my/cases/{cid}")).json()["resume_offer"] is None:
            r = await applicant.post(f"/api/my/cases/{cid}/requests", json=resume)
            assert r.status_code in (409, 422) and r.json()["code"] == "CASE_OPEN", r.text
        space = await eventually(offered, timeout=30)
        offer = space["resume_offer"]
        assert offer["ground"] == "settlement-breached" and offer["settlement_workflow_id"] == settlement
        assert "执行和解规定第九条" in offer["basis"]
        ends = date.fromisoformat(offer["period_ends_on"])
        assert last.replace(year=last.year + 2) <= ends <= last.replace(year=last.year + 2) + timedelta(days=7)
        assert (await debtor.get(f"/api/my/cases/{cid}")).json()["resume_offer"] is None, "the applicant's"
        html = (await phone.get(f"/p/cases/{cid}")).text
        assert 'data-testid="resume-offer"' in html and ends.isoformat() in html

        r = await applicant.post(f"/api/my/cases/{cid}/requests", json=resume)
        assert r.status_code == 201 and r.json()["settlement_workflow_id"] == settlement, r.text
        assert (await applicant.get(f"/api/my/cases/{cid}")).json()["resume_offer"] is None, "applied for"
        url = f"/api/cases/{cid}/party-requests/{r.json()['request_id']}/answer"
        r = await judge.post(url, json={"answer": "accept", "reason": "未履行和解协议, 准予恢复执行"})
        assert r.status_code == 200, r.text
        # The settlement is told: it records the resumption (who, when, why), offers none of its own and ends.
        told = (await judge.get(f"/api/workflows/{settlement}")).json()
        (entry,) = [e for e in told["timeline"] if e["action"] == "resumption_accepted"]
        assert entry["actor"]["user_id"] == "judge" and entry["reason"] == "未履行和解协议, 准予恢复执行"
        assert entry["detail"]["case"] == cid and entry["detail"]["request"] == r.json()["request_id"]

        async def ended() -> dict[str, Any] | None:
            st: dict[str, Any] = (await judge.get(f"/api/workflows/{settlement}")).json()
            return st if st["status"] == "title_resumed" else None

        assert not {"resume-enforcement", "applicant-sues"} & {
            d["name"] for d in (await eventually(ended))["pending_decisions"]
        }
        assert "title-resumed" not in {e["action"] for e in (await judge.get(f"/api/cases/{cid}")).json()["timeline"]}
        # The 执恢 application, as after 终本: the original title as the case holds it (filed on paper: its
        # number and issuer, no PDF), the balance as the claim.
        held = (await judge.get(f"/api/cases/{cid}")).json()
        (queued,) = [
            x for x in (await clerk.get("/api/applications")).json() if x["application"]["resumes_case_id"] == cid
        ]
        assert queued["application"]["title"] == held["title"] and held["title"]["document_sha256"] is None
        assert queued["application"]["title_document_sha256"] is None
        # The balance when the judge accepted (the doubled delay interest grows by the legal day since).
        assert 0 < queued["application"]["claim"]["principal_fen"] <= held["ledger"]["balance_fen"]


async def test_the_judge_sees_party_requests_on_the_case_page_with_an_unread_badge(web: str, simulator: str) -> None:
    applicant, a = await registered(web, simulator)
    case = await case_of(web, applicant=a)
    cid = case["case_id"]
    judge = await login(web, "judge")
    token = judge.headers["Authorization"].removeprefix("Bearer ")
    async with applicant, judge, httpx.AsyncClient(base_url=web, cookies={SESSION_COOKIE: token}, timeout=30) as page:
        for text in ("请尽快执行", "被执行人在滨江有房"):
            r = await applicant.post(f"/api/my/cases/{cid}/requests", json={"kind": "message", "text": text})
            assert r.status_code == 201, r.text
        html = (await page.get(f"/ui/dockets/{cid}")).text
        badge = re.search(r'data-testid="unread-badge"[^>]*>(\d+)<', html)
        assert badge and badge.group(1) == "2", "two unread requests"
        assert "请尽快执行" in html and "被执行人在滨江有房" in html
        html = (await page.get(f"/ui/dockets/{cid}")).text
        assert 'data-testid="unread-badge"' not in html, "read once the judge has opened the page"
        r = await applicant.post(f"/api/my/cases/{cid}/requests", json={"kind": "message", "text": "又及"})
        request_id = r.json()["request_id"]
        html = (await page.get(f"/ui/dockets/{cid}")).text
        assert re.search(r'data-testid="unread-badge"[^>]*>1<', html)

        # Answered from the page, with reasons: the party sees the reply.
        csrf = re.search(r'name="csrf" value="([^"]+)"', html)
        assert csrf
        r = await page.post(
            f"/ui/dockets/{cid}/party-requests/{request_id}/answer",
            data={"csrf": csrf.group(1), "answer": "reply", "reason": "已收到, 正在办理"},
        )
        assert r.status_code == 303, r.text
        mine = (await applicant.get(f"/api/my/cases/{cid}")).json()["requests"]
        assert next(x for x in mine if x["request_id"] == request_id)["reason"] == "已收到, 正在办理"

        # A node pushed from the page, with a photo from the scene and where it was taken.
        html = (await page.get(f"/ui/dockets/{cid}")).text
        assert 'data-testid="docket-push-node"' in html
        r = await page.post(
            f"/ui/dockets/{cid}/nodes",
            data={
                "csrf": csrf.group(1),
                "title": "查封现场",
                "text": "查封房屋一套",
                "address": "杭州市上城区",
                "latitude": "30.25",
                "longitude": "120.17",
            },
            files={
                "photo": ("scene.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64, "image/jpeg"),
                "video": ("scene.mp4", MP4, "video/mp4"),
            },
        )
        assert r.status_code == 303, r.text
        (node,) = (await applicant.get(f"/api/my/cases/{cid}")).json()["pushed_nodes"]
        assert node["title"] == "查封现场" and node["location"]["latitude"] == 30.25 and len(node["attachments"]) == 2
        assert len(node["videos"]) == 1 and node["videos"][0] == node["attachments"][1], "the photo, then the video"

        # A vehicle lead sent from the phone page, verified from the case page with the seizure's ruling:
        # the seizure starts with the lead's plate, and the applicant's page says what became of the lead.
        party_token = applicant.headers["Authorization"].removeprefix("Bearer ")
        async with httpx.AsyncClient(base_url=web, cookies={PARTY_COOKIE: party_token}, timeout=30) as phone:
            mine = (await phone.get(f"/p/cases/{cid}")).text
            party_csrf = re.search(r'name="csrf" value="([^"]+)"', mine)
            assert party_csrf and 'name="asset_plate"' in mine
            lead = {"kind": "lead", "text": "被执行人有一辆车", "asset_kind": "vehicle", "asset_plate": "浙A54321"}
            r = await phone.post(f"/p/cases/{cid}/requests", data={"csrf": party_csrf.group(1), **lead})
            assert r.status_code == 303, r.text
            (car,) = [
                x for x in (await applicant.get(f"/api/my/cases/{cid}")).json()["requests"] if x["kind"] == "lead"
            ]
            html = (await page.get(f"/ui/dockets/{cid}")).text
            assert 'data-testid="lead-action"' in html and "浙A54321" in html and 'name="matter.ruling_ref"' in html
            r = await page.post(
                f"/ui/dockets/{cid}/party-requests/{car['request_id']}/answer",
                data={
                    "csrf": csrf.group(1),
                    "answer": "verify",
                    "reason": "车辆登记在被执行人名下",
                    "matter.ruling_ref": "(2026)浙0102执1号之二",
                    "matter.vehicle.vin": "LSVAU2180N2183295",
                },
            )
            assert r.status_code == 303, r.text
            mine = (await phone.get(f"/p/cases/{cid}")).text
            assert 'data-testid="request-action"' in mine and "异地扣押" in mine


async def confirmed_agent(
    lawyer: httpx.AsyncClient, judge: httpx.AsyncClient, cid: str, number: str, principal: dict[str, str]
) -> None:
    """The lawyer files the power of attorney ``principal`` signed (授权委托书) and the judge confirms it."""
    poa = await uploaded(lawyer, PDF + f"%poa-{principal['id_number']}\n".encode(), "授权委托书.pdf")
    body = {"case_number": number, "principal_id_number": principal["id_number"], "power_of_attorney_sha256": poa}
    r = await lawyer.post("/api/my/agencies", json=body)
    assert r.status_code == 201 and r.json()["side"] == "debtor", r.text
    url = f"/api/cases/{cid}/party-requests/{r.json()['request_id']}/answer"
    r = await judge.post(url, json={"answer": "confirm", "reason": "授权委托书真实有效"})
    assert r.status_code == 200, r.text


async def test_each_debtor_sees_the_notices_addressed_to_them_and_not_the_others(web: str, simulator: str) -> None:
    """The case's 执行通知书 and 报告财产令 name one debtor each (addressed ``debtor-1``, ``debtor-2``): each
    debtor's space lists his own, the other's is not his to open; the applicant has his 受理通知书. A lawyer
    the judge confirmed for one debtor receives that debtor's notices, and not the other debtor's."""
    applicant, a = await registered(web, simulator)
    first, d1 = await registered(web, simulator)
    second, d2 = await registered(web, simulator)
    lawyer, _ = await registered(web, simulator, name="孙律师")
    clerk = await login(web, "clerk")
    async with clerk:
        r = await clerk.post("/api/cases", json=filing(applicants=[person(a)], debtors=[person(d1), person(d2)]))
        assert r.status_code == 201, r.text
        cid, number = r.json()["case_id"], r.json()["case_number"]
    judge = await login(web, "judge")
    async with applicant, first, second, lawyer, judge:
        await confirmed_agent(lawyer, judge, cid, number, d2)  # the second debtor's lawyer

        async def listed(party: httpx.AsyncClient, count: int) -> list[dict[str, Any]] | None:
            docs: list[dict[str, Any]] = (await party.get(f"/api/my/cases/{cid}")).json()["documents"]
            return docs if len(docs) >= count else None

        his = await eventually(lambda: listed(first, 2))
        theirs = await eventually(lambda: listed(second, 2))
        assert [d["title"] for d in his] == [d["title"] for d in theirs] == ["执行通知书", "报告财产令"]
        assert not {d["document_id"] for d in his} & {d["document_id"] for d in theirs}
        for doc in theirs:
            assert (await first.get(f"/api/my/cases/{cid}/documents/{doc['document_id']}")).status_code == 404
            assert (await second.get(f"/api/my/cases/{cid}/documents/{doc['document_id']}")).status_code == 200
        assert [d["title"] for d in await eventually(lambda: listed(applicant, 1))] == ["受理通知书"]

        for_his_client = await listed(lawyer, 2)
        assert for_his_client is not None
        assert {d["document_id"] for d in for_his_client} == {d["document_id"] for d in theirs}, "the principal's"
        for doc in his:  # the other debtor's, of the same side
            assert (await lawyer.get(f"/api/my/cases/{cid}/documents/{doc['document_id']}")).status_code == 404
        opened = await lawyer.get(f"/api/my/cases/{cid}/documents/{theirs[0]['document_id']}")
        assert opened.status_code == 200 and opened.content.startswith(b"%PDF")

        # On the lawyer's phone: the standing in plain words, the judge by name — never a code or a login name.
        token = lawyer.headers["Authorization"].removeprefix("Bearer ")
        async with httpx.AsyncClient(base_url=web, cookies={PARTY_COOKIE: token}, timeout=30) as phone:
            listed_page = (await phone.get("/p/cases")).text
            assert "被执行人的委托代理人" in listed_page and "agent-of-debtors" not in listed_page
            case_page = (await phone.get(f"/p/cases/{cid}")).text
            assert f"承办法官 {DEMO_STAFF_NAMES['judge']}" in case_page
            # In English, the documents by their English titles (the API keeps the Chinese they were issued under).
            phone.cookies.set("lang", "en")
            in_english = (await phone.get(f"/p/cases/{cid}")).text
            assert ">Enforcement notice</a>" in in_english and ">Order to report property</a>" in in_english
            assert ">执行通知书</a>" not in in_english
        # The judge's list names each addressee in words — the second debtor as such, never by a code.
        docket = await ui_page(web, "judge", f"/ui/dockets/{cid}")
        assert ">被执行人 2</td>" in docket and ">debtor-2</td>" not in docket


CLOSURE_CHECKLIST = dict.fromkeys(
    ("notice_served", "consumption_order_issued", "investigation_exhausted", "whereabouts_and_obstruction"), True
)
CLOSE_AS_CURRENT_PROCEDURE_ENDED = {
    "mode": "current-procedure-ended",
    "checklist": CLOSURE_CHECKLIST,
    "reason": "未发现可供执行的财产",
}
RULE_ON_THE_SIGNATURE = CLOSURE_CHECKLIST | {
    "applicant_heard": True,
    "reason": "已穷尽财产调查措施, 未发现可供执行的财产",
    "ruling_number": "(2026)浙0102执1号之一",
    "applicant_opinion": "申请执行人在案件空间签字确认",
    "approval": "applicant-signature",
}
CONSENT = {"agree": True, "statement": "同意终结本次执行程序, 将继续查找财产线索"}


async def closure_started(judge: httpx.AsyncClient, applicant: httpx.AsyncClient, cid: str) -> str:
    """The judge starts the case's closure matter; the applicant's space offers to sign once it awaits the ruling."""
    r = await judge.post(f"/api/cases/{cid}/matters/periodic-reinquiry", json={})
    assert r.status_code == 201, r.text

    async def form_shown() -> bool:
        return bool((await applicant.get(f"/api/my/cases/{cid}")).json()["closure_awaiting_signature"])

    assert await eventually(form_shown, timeout=30)
    return str(r.json()["workflow_id"])


async def rule(judge: httpx.AsyncClient, matter: str, body: dict[str, Any]) -> httpx.Response:
    """The judge's 终本 once the three months since filing have passed (legal time is fast here)."""

    async def ruled() -> httpx.Response | None:
        r = await judge.post(f"/api/workflows/{matter}/decisions/close-procedure", json=body)
        return None if r.status_code == 409 and "三个月" in r.json()["message"] else r

    response: httpx.Response = await eventually(ruled, timeout=30)
    return response


async def ruled_on_the_applicants_signature(applicant: httpx.AsyncClient, judge: httpx.AsyncClient, cid: str) -> str:
    """民诉法解释 Art 517: the applicant signs in their space, the judge rules 终本 on it; the closure matter's id."""
    matter = await closure_started(judge, applicant, cid)
    r = await applicant.post(f"/api/my/cases/{cid}/closure-consent", json=CONSENT)
    assert r.status_code == 200, r.text
    r = await rule(judge, matter, RULE_ON_THE_SIGNATURE)
    assert r.status_code == 200, r.text
    return matter


async def closed_as_current_procedure_ended(judge: httpx.AsyncClient, cid: str) -> None:
    """The case closes as 终本 once the closure matter's ruling has reached it (a signal: a moment after)."""

    async def closed() -> httpx.Response | None:
        r = await judge.post(f"/api/cases/{cid}/close", json=CLOSE_AS_CURRENT_PROCEDURE_ENDED)
        return r if r.status_code == 200 else None

    assert await eventually(closed, timeout=30)


async def end_the_watch(judge: httpx.AsyncClient, matter: str) -> None:
    """The watch ends here (终本规定 Art 16): its six-monthly inquiries are the scenario tests' to run."""

    async def watching() -> str | None:
        summary = (await judge.get(f"/api/workflows/{matter}")).json()["summary"]
        return summary.get("closed_at")

    closed_at = await eventually(watching, timeout=30)
    removal = {
        "reason": "法院裁定受理破产申请",
        "ground": "bankruptcy-accepted",
        "document_ref": "(2026)浙0102破申3号",
        "ground_arose_on": datetime.fromisoformat(closed_at).astimezone(CHINA_TZ).date().isoformat(),
    }
    r = await judge.post(f"/api/workflows/{matter}/decisions/remove-from-closure-database", json=removal)
    assert r.status_code == 200, r.text


async def test_the_applicant_signs_the_closure_in_their_space_and_the_ruling_says_so(web: str, simulator: str) -> None:
    """民诉法解释 Art 517: after the property investigation finds nothing, 终本 is ruled on the applicant's signature —
    given in their case space, kept with who, when and why — or on the president's approval; the judge claiming a
    signature that is not there is refused with the rule, the 终本裁定 says which path was taken, and the case
    closes as 终本 only on such a ruling."""
    applicant, a = await registered(web, simulator)
    debtor, d = await registered(web, simulator)
    cid = (await case_of(web, applicant=a, debtor=d))["case_id"]
    judge = await login(web, "judge")
    token = applicant.headers["Authorization"].removeprefix("Bearer ")
    async with (
        applicant,
        debtor,
        judge,
        httpx.AsyncClient(base_url=web, cookies={PARTY_COOKIE: token}, timeout=30) as phone,
    ):
        r = await applicant.post(f"/api/my/cases/{cid}/closure-consent", json=CONSENT)
        assert r.status_code == 404 and r.json()["code"] == "NO_CLOSURE_PENDING", r.text
        matter = await closure_started(judge, applicant, cid)
        html = (await phone.get(f"/p/cases/{cid}")).text
        assert 'data-testid="closure-consent"' in html and "第五百一十七条" in html
        assert not (await debtor.get(f"/api/my/cases/{cid}")).json()["closure_awaiting_signature"], "the applicant's"
        r = await debtor.post(f"/api/my/cases/{cid}/closure-consent", json=CONSENT)
        assert r.status_code == 403 and r.json()["code"] == "APPLICANT_ONLY", r.text

        # The applicant has declined: the judge cannot rule on a signature (neither path: refused with the rule),
        # nor close the case as 终本 without a ruling.
        r = await applicant.post(f"/api/my/cases/{cid}/closure-consent", json=CONSENT | {"agree": False})
        assert r.status_code == 200 and r.json()["agree"] is False, r.text
        refused = await rule(judge, matter, RULE_ON_THE_SIGNATURE)
        assert refused.json()["code"] == "CLOSURE_SIGNATURE_OR_APPROVAL_REQUIRED", refused.text
        assert "第五百一十七条" in refused.json()["message"]
        r = await judge.post(f"/api/cases/{cid}/close", json=CLOSE_AS_CURRENT_PROCEDURE_ENDED)
        assert r.status_code == 409 and r.json()["code"] == "CLOSURE_SIGNATURE_OR_APPROVAL_REQUIRED", r.text
        # Signed through the page's form (CSRF-checked): the latest word counts.
        csrf = re.search(r'name="csrf" value="([^"]+)"', html)
        assert csrf is not None
        form = {"csrf": csrf.group(1), "agree": "yes", "statement": CONSENT["statement"]}
        r = await phone.post(f"/p/cases/{cid}/closure-consent", data=form, follow_redirects=False)
        assert r.status_code == 303, r.text
        r = await judge.post(f"/api/workflows/{matter}/decisions/close-procedure", json=RULE_ON_THE_SIGNATURE)
        assert r.status_code == 200, r.text

        async def watching() -> bool:
            return bool((await judge.get(f"/api/workflows/{matter}")).json()["status"] == "closure_watch")

        assert await eventually(watching, timeout=30), "no president asked"
        timeline = (await judge.get(f"/api/workflows/{matter}")).json()["timeline"]
        signs = [e for e in timeline if e["action"] in ("applicant_signed_closure", "applicant_declined_closure")]
        assert [(e["action"], e["actor"]["role"]) for e in signs] == [
            ("applicant_declined_closure", "party"),
            ("applicant_signed_closure", "party"),
        ]
        assert signs[-1]["reason"] == CONSENT["statement"] and len(signs[-1]["detail"]["statement_sha256"]) == 64
        approved = next(e for e in timeline if e["action"] == "closure_approved")
        assert approved["detail"]["path"] == "applicant-signature" and "第五百一十七条" in approved["detail"]["basis"]
        r = await applicant.post(f"/api/my/cases/{cid}/closure-consent", json=CONSENT)
        assert r.status_code == 409 and r.json()["code"] == "WRONG_STATE", "ruled: nothing left to sign"

        # The ruling, served in the applicant's space, says the applicant signed — and no president did.
        async def ruling() -> dict[str, Any] | None:
            docs = (await applicant.get(f"/api/my/cases/{cid}")).json()["documents"]
            return next((x for x in docs if x["title"] == "执行裁定书（终结本次执行程序）"), None)

        doc = await eventually(ruling, timeout=30)
        words = pdf_words((await applicant.get(f"/api/my/cases/{cid}/documents/{doc['document_id']}")).content)
        assert "在线签字确认同意终结本次执行程序" in words and "院长" not in words
        assert "第五百一十七条" in words

        # On that ruling the case closes as 终本, the closure matter watching on.
        await closed_as_current_procedure_ended(judge, cid)
        await end_the_watch(judge, matter)
