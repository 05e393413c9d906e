"""Demo debtors (被执行人) seeded into the sandbox partners on their first start.

Every number is well-formed: resident IDs (居民身份证号) and unified social credit codes (统一社会信用代码)
carry correct check characters, bank card numbers pass Luhn, VINs carry their check digit and registry
unit numbers (不动产单元号) have the 28-character layout. The people and companies are invented.

``DEMO_SUBJECTS`` is what the README and the UI list; each entry says what a demo will find.
"""

from __future__ import annotations

from pydantic import BaseModel
from stdnum import luhn
from stdnum.cn import ric, uscc

from domain.assets import AssetKind, AssetStatus
from domain.parties import PartyKind
from simulators.models import SeedAsset, SeedSubject


def resident_id(region: str, birth: str, serial: str) -> str:
    """居民身份证号: 6-digit region, birth date YYYYMMDD, 3-digit serial (odd last digit: male), check."""
    body = f"{region}{birth}{serial}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects the check position filled


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _organisation_code(base: str) -> str:
    """组织机构代码 (GB 11714): 8 characters plus a check character, as embedded in a credit code."""
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(base, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return base + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(department_type: str, region: str, org_base: str) -> str:
    """统一社会信用代码: registration department and type (91 = enterprise at 工商), region, org code, check."""
    body = f"{department_type}{region}{_organisation_code(org_base)}"
    return body + uscc.calc_check_digit(body)


def bank_card(prefix: str, serial: str) -> str:
    """A 19-digit debit card number that passes Luhn (prefix is the bank's BIN)."""
    body = f"{prefix}{serial}".ljust(18, "0")[:18]
    return body + luhn.calc_check_digit(body)


_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin(wmi_and_descriptor: str, serial_part: str) -> str:
    """车辆识别代号 (GB 16735): 8 characters, the check digit in position 9, then 8 more."""
    draft = f"{wmi_and_descriptor}0{serial_part}"
    total = sum(_VIN_VALUES[c] * w for c, w in zip(draft, _VIN_WEIGHTS, strict=True))
    check = total % 11
    return f"{wmi_and_descriptor}{'X' if check == 10 else check}{serial_part}"


class DemoSubject(SeedSubject):
    """A seeded debtor plus a sentence on what a demo with it shows."""

    story: str


def _deposit(partner: str, ref: str, fen: int, status: AssetStatus = AssetStatus.NORMAL) -> SeedAsset:
    return SeedAsset(
        partner_id=partner,
        kind=AssetKind.DEPOSIT,
        reference=ref,
        description="借记卡 活期存款",
        available_fen=fen,
        status=status,
    )


def _balance(ref: str, fen: int) -> SeedAsset:
    return SeedAsset(
        partner_id="payment-alipay",
        kind=AssetKind.PAYMENT_BALANCE,
        reference=ref,
        description="账户余额",
        available_fen=fen,
    )


def _house(ref: str, address: str, seizures: int = 0) -> SeedAsset:
    return SeedAsset(
        partner_id="realestate-registry",
        kind=AssetKind.REAL_ESTATE,
        reference=ref,
        description=address,
        existing_seizures=seizures,
    )


def _car(plate: str, model: str, vin_number: str, seizures: int = 0) -> SeedAsset:
    return SeedAsset(
        partner_id="vehicle-registry",
        kind=AssetKind.VEHICLE,
        reference=plate,
        description=f"{model}，车辆识别代号 {vin_number}",
        existing_seizures=seizures,
    )


DEMO_SUBJECTS: list[DemoSubject] = [
    DemoSubject(
        kind=PartyKind.PERSON,
        name="张三",
        id_number=resident_id("330106", "19850312", "031"),
        story="deposits at two banks and a payment balance cover a typical claim; also a flat and a car",
        assets=[
            _deposit("bank-icbc", bank_card("622202", "120200123456"), 86_000_00),
            _deposit("bank-ccb", bank_card("621700", "330100765432"), 12_345_67),
            _balance("2088102145678901", 3_210_00),
            _house("330106004003GB00012F00020501", "杭州市西湖区文三路某小区2幢1单元501室"),
            _car("浙A·3K7Q2", "大众 帕萨特 小型轿车 白色", vin("LSVAU233", "K2045817")),
        ],
    ),
    DemoSubject(
        kind=PartyKind.PERSON,
        name="李四",
        id_number=resident_id("330102", "19841102", "042"),
        story="little cash: the flat is seized first (首封), the car only queued (轮候) behind another court",
        assets=[
            _deposit("bank-abc", bank_card("622848", "040112345678"), 2_000_00),
            _house("330102002005GB00031F00010302", "杭州市上城区望江路某苑1幢302室"),
            _car("浙A·8M21L", "丰田 凯美瑞 小型轿车 黑色", vin("LVGBE40K", "8G093156"), seizures=1),
        ],
    ),
    DemoSubject(
        kind=PartyKind.PERSON,
        name="王五",
        id_number=resident_id("330105", "19920630", "017"),
        story="one account is closed (freeze refused ACCOUNT_CLOSED), another bank and a payment balance pay",
        assets=[
            _deposit("bank-boc", bank_card("621661", "190400112233"), 15_000_00, AssetStatus.CLOSED),
            _deposit("bank-zjrcu", bank_card("621058", "330105998877"), 50_000_00),
            _balance("2088402198765432", 800_00),
        ],
    ),
    DemoSubject(
        kind=PartyKind.PERSON,
        name="赵六",
        id_number=resident_id("330108", "19980120", "025"),
        story="nothing found anywhere: the path to 终结本次执行程序",
        assets=[],
    ),
    DemoSubject(
        kind=PartyKind.ORGANISATION,
        name="杭州某某贸易有限公司",
        id_number=credit_code("91", "330100", "MA2H7K3D"),
        story="a solvent company: large balances at two banks, an office unit and two trucks",
        assets=[
            _deposit("bank-icbc", bank_card("622202", "120288000017"), 3_500_000_00),
            _deposit("bank-ccb", bank_card("621700", "330188000021"), 800_000_00),
            _house("330102008002GB00105F00031208", "杭州市上城区钱江路某大厦12层1208室"),
            _car("浙A·D5062", "解放 J6P 重型半挂牵引车", vin("LFWSRXRJ", "7AD20931")),
            _car("浙A·D5073", "东风 天龙 重型厢式货车", vin("LGAX4DE3", "5H118064")),
        ],
    ),
    DemoSubject(
        kind=PartyKind.ORGANISATION,
        name="浙江某某建设工程有限公司",
        id_number=credit_code("91", "330000", "MA27Y8P1"),
        story="already pursued elsewhere: its account is fully frozen by another court, its land queued twice",
        assets=[
            _deposit("bank-abc", bank_card("622848", "040199001122"), 0, AssetStatus.FROZEN_ELSEWHERE),
            _house("330110101001GB00007F00000000", "杭州市余杭区某街道工业园区7号地块", seizures=2),
        ],
    ),
]


class DemoSubjectView(BaseModel):
    """What a UI shows of a demo debtor: no account numbers, just who and what to expect."""

    kind: PartyKind
    name: str
    id_number: str
    story: str
    asset_count: int


def demo_subject_views() -> list[DemoSubjectView]:
    return [
        DemoSubjectView(kind=s.kind, name=s.name, id_number=s.id_number, story=s.story, asset_count=len(s.assets))
        for s in DEMO_SUBJECTS
    ]
