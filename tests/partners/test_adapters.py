"""``adapters.sandbox.SandboxPartnerAdapter`` against the real simulators (over loopback HTTP), and, through
respx, against answers the simulators never give: broken JSON, a dropped connection, a wrong request id.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
import respx
from stdnum.cn import ric

from adapters.base import PartnerProtocolError, PartnerRefusal, PartnerUnavailable
from adapters.sandbox.partner import SandboxPartnerAdapter
from domain.assets import InquiryOutcome, InquiryRequest
from domain.assistance import DeductionRequest, MeasureRequest, ReleaseRequest, RenewRequest
from domain.measures import MeasureKind
from domain.parties import Party, PartyKind
from domain.partners import PartnerCategory, PartnerEndpoint
from simulators.server import SimulatorServer

_serial = itertools.count(1)


def resident_id() -> str:
    """Unique within the session; each test module's simulator starts from an empty state dir."""
    n = next(_serial)
    body = f"33010219850{1 + n // 28_000 % 9}{1 + n // 1000 % 28:02d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def account() -> str:
    return f"6217{uuid.uuid4().int % 10**15:015d}"


def key(step: str = "freeze/0") -> str:
    return f"asset-inquiry-{uuid.uuid4().hex[:12]}/{step}"


def freeze(reference: str, amount_fen: int) -> MeasureRequest:
    return MeasureRequest(
        kind=MeasureKind.FREEZE,
        asset_reference=reference,
        amount_fen=amount_fen,
        expires_on=date(2027, 6, 30),
        court="杭州市上城区人民法院",
        case_number="(2026)浙0102执7号",
        document_ref="(2026)浙0102执7号之一",
    )


def inquiry(id_number: str, callback_url: str | None = None) -> InquiryRequest:
    return InquiryRequest(
        request_id=f"wf-{uuid.uuid4().hex[:8]}::inquire/bank-icbc",
        subject=Party(kind=PartyKind.PERSON, name="李某某", id_number=id_number),
        callback_url=callback_url,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SimulatorServer]:
    with SimulatorServer.start(tmp_path_factory.mktemp("adapters")) as s:
        yield s


@pytest.fixture
async def admin(server: SimulatorServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as http:
        yield http
        (await http.post("/_admin/reset-faults")).raise_for_status()


def endpoint(server: SimulatorServer, partner_id: str, **update: Any) -> PartnerEndpoint:
    ep = next(p for p in server.config.partners if p.id == partner_id)
    return ep.model_copy(update=update)


@pytest.fixture
async def icbc(server: SimulatorServer) -> AsyncIterator[SandboxPartnerAdapter]:
    adapter = SandboxPartnerAdapter(endpoint(server, "bank-icbc"))
    yield adapter
    await adapter.aclose()


async def seed_deposit(admin: httpx.AsyncClient, partner_id: str, fen: int) -> tuple[str, str]:
    id_number, ref = resident_id(), account()
    r = await admin.post(
        "/_admin/subjects",
        json={
            "kind": "person",
            "name": "李某某",
            "id_number": id_number,
            "assets": [{"partner_id": partner_id, "kind": "deposit", "reference": ref, "available_fen": fen}],
        },
    )
    r.raise_for_status()
    return id_number, ref


async def ledger_rows(admin: httpx.AsyncClient, partner_id: str, idempotency_key: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = (await admin.get(f"/partners/{partner_id}/_admin/ledger")).json()
    return [r for r in rows if r["idempotency_key"] == idempotency_key]


# --- against the simulators ---------------------------------------------------------------------------


async def test_inquiry_through_the_adapter(admin: httpx.AsyncClient, icbc: SandboxPartnerAdapter) -> None:
    id_number, ref = await seed_deposit(admin, "bank-icbc", 42_00)
    answer = await icbc.inquire(inquiry(id_number))
    assert answer is not None and answer.outcome is InquiryOutcome.ANSWERED and answer.partner_id == "bank-icbc"
    assert [(a.reference, a.available_fen) for a in answer.assets] == [(ref, 42_00)]

    (
        await admin.put("/partners/bank-icbc/_admin/faults", json={"async_mode": True, "never_answer": True})
    ).raise_for_status()
    later = await icbc.inquire(inquiry(id_number, callback_url="http://127.0.0.1:9/cb"))
    assert later is None  # accepted: the answer comes by callback


async def test_freeze_is_idempotent_through_the_adapter(admin: httpx.AsyncClient, icbc: SandboxPartnerAdapter) -> None:
    _, ref = await seed_deposit(admin, "bank-icbc", 100_00)
    k = key()
    first = await icbc.register_measure(k, freeze(ref, 60_00))
    again = await icbc.register_measure(k, freeze(ref, 60_00))
    assert again == first and first.amount_fen == 60_00
    assert len(await ledger_rows(admin, "bank-icbc", k)) == 1
    other = await icbc.register_measure(key(), freeze(ref, 60_00))
    assert other.measure_id != first.measure_id and other.amount_fen == 40_00


async def test_a_lost_answer_is_recovered_by_retrying_with_the_same_key(
    server: SimulatorServer, admin: httpx.AsyncClient
) -> None:
    """The freeze is committed, then the partner hangs past our read timeout; tenacity retries the call and
    the partner replays the stored answer. One freeze, and we know its measure id."""
    _, ref = await seed_deposit(admin, "bank-ccb", 50_00)
    knobs = {"hang_next_n": 1, "timeout_after_effect": True, "timeout_seconds": 2.0}
    (await admin.put("/partners/bank-ccb/_admin/faults", json=knobs)).raise_for_status()
    adapter = SandboxPartnerAdapter(endpoint(server, "bank-ccb", read_timeout_seconds=0.3))
    try:
        k = key()
        measure = await adapter.register_measure(k, freeze(ref, 50_00))
    finally:
        await adapter.aclose()
    [row] = await ledger_rows(admin, "bank-ccb", k)
    assert (row["measure_id"], row["amount_fen"]) == (measure.measure_id, 50_00)


async def test_an_outage_is_partner_unavailable(admin: httpx.AsyncClient, icbc: SandboxPartnerAdapter) -> None:
    _, ref = await seed_deposit(admin, "bank-icbc", 10_00)
    (await admin.put("/partners/bank-icbc/_admin/faults", json={"fail_next_n": 1})).raise_for_status()
    k = key()
    with pytest.raises(PartnerUnavailable) as err:
        await icbc.register_measure(k, freeze(ref, 10_00))
    assert (err.value.status, err.value.code, err.value.partner_id) == (503, "UNAVAILABLE", "bank-icbc")
    assert await ledger_rows(admin, "bank-icbc", k) == []
    assert (await icbc.register_measure(k, freeze(ref, 10_00))).amount_fen == 10_00  # Temporal's retry


async def test_a_closed_account_is_a_refusal_with_its_code(
    admin: httpx.AsyncClient, icbc: SandboxPartnerAdapter
) -> None:
    _, ref = await seed_deposit(admin, "bank-icbc", 10_00)
    (await admin.post(f"/partners/bank-icbc/_admin/accounts/{ref}/close")).raise_for_status()
    k = key()
    for _ in range(2):  # the repeat gets the same refusal, it is not retried into a success
        with pytest.raises(PartnerRefusal) as err:
            await icbc.register_measure(k, freeze(ref, 10_00))
        assert not isinstance(err.value, PartnerProtocolError | PartnerUnavailable)
        assert (err.value.status, err.value.code) == (409, "ACCOUNT_CLOSED")


async def test_renew_release_and_deduct_through_the_adapter(
    admin: httpx.AsyncClient, icbc: SandboxPartnerAdapter
) -> None:
    _, ref = await seed_deposit(admin, "bank-icbc", 90_00)
    m = await icbc.register_measure(key(), freeze(ref, 90_00))
    renewed = await icbc.renew_measure(
        key("renew/0/1"), m.measure_id, RenewRequest(expires_on=date(2028, 6, 30), document_ref="续冻")
    )
    assert renewed.expires_on == date(2028, 6, 30)

    def deduction(amount: int) -> DeductionRequest:
        return DeductionRequest(
            measure_id=m.measure_id,
            amount_fen=amount,
            to_account="33001616735059000001",
            case_number="案号",
            document_ref="扣划",
        )

    with pytest.raises(PartnerRefusal) as err:
        await icbc.deduct(key("deduct/0"), deduction(90_01))
    assert err.value.code == "AMOUNT_EXCEEDS_FROZEN"
    done = await icbc.deduct(key("deduct/0"), deduction(30_00))
    assert (done.amount_fen, done.status) == (30_00, "completed")
    released = await icbc.release_measure(
        key("release/0"), m.measure_id, ReleaseRequest(reason="和解", document_ref="解冻")
    )
    assert (released.status.value, released.amount_fen) == ("released", 0)


async def test_a_wrong_token_is_refused(server: SimulatorServer) -> None:
    adapter = SandboxPartnerAdapter(endpoint(server, "bank-abc", token="sandbox-bank-icbc"))
    try:
        with pytest.raises(PartnerRefusal) as err:
            await adapter.inquire(inquiry(resident_id()))
        assert (err.value.status, err.value.code) == (401, "UNAUTHORIZED")
    finally:
        await adapter.aclose()


# --- edge cases the simulators cannot produce (respx) ---------------------------------------------------

FAKE = PartnerEndpoint(
    id="bank-fake",
    category=PartnerCategory.BANK,
    name="模拟异常银行",
    base_url="http://partner.test/partners/bank-fake",
    token="sandbox-bank-fake",
)

MEASURE_JSON = {
    "measure_id": "F1",
    "kind": "freeze",
    "asset_reference": "6217000000000000001",
    "amount_fen": 10_00,
    "registered_at": "2026-03-02T08:00:00Z",
    "expires_on": "2027-03-01",
    "status": "active",
}


@pytest.fixture
async def fake() -> AsyncIterator[tuple[respx.Router, SandboxPartnerAdapter]]:
    router = respx.Router(base_url=FAKE.base_url + "/", assert_all_mocked=True)
    adapter = SandboxPartnerAdapter(FAKE, transport=httpx.MockTransport(router.async_handler))
    yield router, adapter
    await adapter.aclose()


async def test_malformed_json_is_a_protocol_error(fake: tuple[respx.Router, SandboxPartnerAdapter]) -> None:
    router, adapter = fake
    router.post("measures").mock(return_value=httpx.Response(200, content=b'{"measure_id": "F1", '))
    with pytest.raises(PartnerProtocolError) as err:
        await adapter.register_measure(key(), freeze("6217000000000000001", 10_00))
    assert err.value.code == "MALFORMED_ANSWER"

    router.post("inquiries").mock(return_value=httpx.Response(200, json={"status": "answered", "assets": "none"}))
    with pytest.raises(PartnerProtocolError):
        await adapter.inquire(inquiry(resident_id()))


async def test_a_dropped_connection_is_retried_with_the_same_key(
    fake: tuple[respx.Router, SandboxPartnerAdapter],
) -> None:
    router, adapter = fake
    route = router.post("measures").mock(
        side_effect=[httpx.ConnectError("connection refused"), httpx.Response(200, json=MEASURE_JSON)]
    )
    k = key()
    measure = await adapter.register_measure(k, freeze("6217000000000000001", 10_00))
    assert measure.measure_id == "F1"
    assert route.call_count == 2
    assert {call.request.headers["Idempotency-Key"] for call in route.calls} == {k}
    assert all(call.request.headers["Authorization"] == "Bearer sandbox-bank-fake" for call in route.calls)


async def test_a_partner_that_stays_unreachable_is_unavailable(
    fake: tuple[respx.Router, SandboxPartnerAdapter],
) -> None:
    router, adapter = fake
    route = router.post("measures").mock(side_effect=httpx.ConnectError("connection refused"))
    with pytest.raises(PartnerUnavailable) as err:
        await adapter.register_measure(key(), freeze("6217000000000000001", 10_00))
    assert err.value.code == "TRANSPORT_ERROR"
    assert route.call_count == 3, "a few transport retries within the attempt; Temporal owns the long ones"


async def test_an_answer_for_another_request_is_a_protocol_error(
    fake: tuple[respx.Router, SandboxPartnerAdapter],
) -> None:
    router, adapter = fake
    router.post("inquiries").mock(
        return_value=httpx.Response(200, json={"request_id": "someone-else", "status": "answered", "assets": []})
    )
    with pytest.raises(PartnerProtocolError) as err:
        await adapter.inquire(inquiry(resident_id()))
    assert err.value.code == "REQUEST_ID_MISMATCH"


async def test_202_must_say_accepted(fake: tuple[respx.Router, SandboxPartnerAdapter]) -> None:
    router, adapter = fake
    request = inquiry(resident_id())
    router.post("inquiries").mock(
        return_value=httpx.Response(202, json={"request_id": request.request_id, "status": "answered", "assets": []})
    )
    with pytest.raises(PartnerProtocolError) as err:
        await adapter.inquire(request)
    assert err.value.code == "STATUS_MISMATCH"


@pytest.mark.parametrize(
    ("status", "content", "error", "code"),
    [
        (429, b'{"code": "RATE_LIMITED", "message": "slow down"}', PartnerUnavailable, "RATE_LIMITED"),
        (502, b"<html>Bad Gateway</html>", PartnerUnavailable, "HTTP_502"),
        (409, b'{"code": "MEASURE_NOT_ACTIVE", "message": "released"}', PartnerRefusal, "MEASURE_NOT_ACTIVE"),
        (400, b"not json at all", PartnerRefusal, "HTTP_400"),
    ],
)
async def test_status_codes_are_sorted_into_outage_and_refusal(
    fake: tuple[respx.Router, SandboxPartnerAdapter],
    status: int,
    content: bytes,
    error: type[Exception],
    code: str,
) -> None:
    router, adapter = fake
    router.post("measures/F1/release").mock(return_value=httpx.Response(status, content=content))
    with pytest.raises(error) as err:
        await adapter.release_measure(key("release/0"), "F1", ReleaseRequest(reason="和解", document_ref="解冻"))
    assert isinstance(err.value, PartnerRefusal | PartnerUnavailable)
    assert (err.value.code, err.value.status) == (code, status)
    assert not isinstance(err.value, PartnerProtocolError)
