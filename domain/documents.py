"""The court's documents (法律文书, DOMAIN §18.2): their kinds and Chinese titles, what each template
requires, how a document is numbered, and amounts in capital numerals (大写金额).

Pure: no rendering, no keys, no I/O. The templates themselves are data beside their scenario
(``workflows/<scenario>/documents/``), rendered and sealed in ``documents/``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, Field

from domain.cases import CaseNumber, CourtName
from domain.errors import ValidationFailed
from domain.legal_time import LegalDuration, TimeUnit, calendar_end


class DocumentKind(StrEnum):
    """Every kind of document a step may issue; the value names its template."""

    ACCEPTANCE_NOTICE = "acceptance_notice"  # 受理通知书
    EXECUTION_NOTICE = "execution_notice"  # 执行通知书
    ASSET_REPORT_ORDER = "asset_report_order"  # 报告财产令
    ASSISTANCE_NOTICE = "assistance_notice"  # 协助执行通知书
    FREEZE_RULING = "freeze_ruling"  # 冻结裁定
    DEDUCTION_RULING = "deduction_ruling"  # 扣划裁定
    SEIZURE_RULING = "seizure_ruling"  # 查封裁定
    RELEASE_RULING = "release_ruling"  # 解除裁定
    AUCTION_RULING = "auction_ruling"  # 拍卖裁定
    AUCTION_ANNOUNCEMENT = "auction_announcement"  # 拍卖公告
    SALE_CONFIRMATION_RULING = "sale_confirmation_ruling"  # 成交确认裁定
    DISTRIBUTION_PLAN = "distribution_plan"  # 执行财产分配方案 (民诉法解释 Arts. 508–510)
    PAYOUT_NOTICE = "payout_notice"  # 执行款发放通知书
    DISHONEST_DECISION = "dishonest_decision"  # 失信决定书
    DISHONEST_DELETION = "dishonest_deletion"  # 删除失信信息决定书
    CONSUMPTION_ORDER = "consumption_order"  # 限制消费令
    CONSUMPTION_LIFTING = "consumption_lifting"  # 解除限制消费令
    TERMINATION_RULING = "termination_ruling"  # 终结本次执行程序裁定
    INQUIRY_RESULT_NOTICE = "inquiry_result_notice"  # 财产查询结果告知书 (终本规定 Art. 9)
    SETTLEMENT_RECORD = "settlement_record"  # 执行和解笔录
    REFUSAL_REFERRAL_LETTER = "refusal_referral_letter"  # 拒执移送函
    CLOSING_NOTICE = "closing_notice"  # 结案通知书
    FINE_DECISION = "fine_decision"  # 罚款决定书 (民事诉讼法第一百一十九条)
    DETENTION_DECISION = "detention_decision"  # 拘留决定书 (民事诉讼法第一百一十九条)
    CORRECTION = "correction"  # 补正裁定: corrects a sealed document, never edits it
    SERVICE_RECEIPT = "service_receipt"  # 送达回证


class AssistanceAct(StrEnum):
    """What a 协助执行通知书 asks the assisting body to do; each goes with its ruling."""

    FREEZE = "freeze"
    DEDUCT = "deduct"
    # Freeze and deduct on one notice, the deduction ordered with the freeze: a levy ruling also freezes
    # (民诉法解释 Art. 484), so the one 扣划 ruling and its notice carry both acts.
    FREEZE_AND_DEDUCT = "freeze_deduct"
    SEIZE = "seize"
    RELEASE = "release"


RULING_FOR_ACT: dict[AssistanceAct, DocumentKind] = {
    AssistanceAct.FREEZE: DocumentKind.FREEZE_RULING,
    AssistanceAct.DEDUCT: DocumentKind.DEDUCTION_RULING,
    AssistanceAct.FREEZE_AND_DEDUCT: DocumentKind.DEDUCTION_RULING,
    AssistanceAct.SEIZE: DocumentKind.SEIZURE_RULING,
    AssistanceAct.RELEASE: DocumentKind.RELEASE_RULING,
}


class DocumentSpec(BaseModel):
    """One template as its folder's ``documents.json`` declares it: the title printed and listed, the
    version (a changed template is a new version, recorded on every document issued from it), the fields
    the template needs, the law it cites, and whether the president (院长) must sign (§18.3)."""

    kind: DocumentKind
    title: str = Field(min_length=2, max_length=40)
    title_en: str = Field(min_length=2, max_length=80, description="the title in English, for the pages in English")
    version: str = Field(pattern=r"^\d{4}\.\d+$")
    template: str = Field(pattern=r"^[a-z0-9_]+\.typ$")
    required: list[str] = Field(default_factory=list)
    basis: list[str] = Field(default_factory=list, description="法律依据, printed in the legal-basis block")
    president: bool = False
    machine: list[str] = Field(
        default_factory=list,
        description="fields also written as the PDF's keywords (name=value), under the seal: what an assisting "
        "body's system checks — the account, the amount — without reading the text",
    )


class MissingDocumentField(ValidationFailed):
    def __init__(self, kind: DocumentKind, title: str, missing: list[str]) -> None:
        super().__init__(
            "DOCUMENT_FIELD_MISSING",
            f"{title}缺少必填项: {', '.join(missing)}",
            field=missing[0],
        )
        self.missing = missing
        self.kind = kind


def missing_fields(spec: DocumentSpec, fields: dict[str, Any]) -> list[str]:
    """The required fields absent or empty in ``fields`` (0 is a value; "" and [] are not)."""
    return [f for f in spec.required if fields.get(f) is None or fields.get(f) in ("", [], {})]


def check_fields(spec: DocumentSpec, fields: dict[str, Any]) -> None:
    missing = missing_fields(spec, fields)
    if missing:
        raise MissingDocumentField(spec.kind, spec.title, missing)


# A recipient by role or agency id (DOMAIN §18.2 "served on"): applicant, debtor, third-party, an agency's id;
# or one party of a side by their place in the case's list, ``debtor-2`` (``party_addressee``).
Addressee = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,59}$")]
APPLICANT, DEBTOR = "applicant", "debtor"


def party_addressee(side: str, position: int) -> str:
    """One party of ``side``, the ``position``-th (from 1) the case names: a notice that names one debtor (his
    执行通知书, his 报告财产令) reaches him and not the other debtors, as a side-wide address (``debtor``) would."""
    if position < 1:
        raise ValueError("position: a party's place in the case's list counts from 1")
    return f"{side}-{position}"


def addressees_of(sides: Iterable[str], positions: Iterable[tuple[str, int]]) -> set[str]:
    """What a party answers to: each of their sides, and themselves by place (``(side, position)``)."""
    return {*sides, *(party_addressee(side, n) for side, n in positions)}


class DocumentRequest(BaseModel):
    """What a step asks to be issued. ``fields`` hold the document's content — names, ID and account
    numbers among them — so a request travels only in encrypted payloads and the rendered PDF is kept
    encrypted; nothing of it is stored in clear."""

    kind: DocumentKind
    court: CourtName
    case_number: CaseNumber
    issued_on: date = Field(description="the date printed and the PDF's creation date: fixed by the caller")
    fields: dict[str, Any] = Field(default_factory=dict)
    workflow_id: str = Field(default="", max_length=200)
    case_id: str | None = Field(default=None, max_length=100)
    idempotency_key: str = Field(min_length=8, max_length=300, description="workflow id + step: one number")
    refers_to: str | None = Field(default=None, description="the document a 补正 corrects")
    addressed_to: list[Addressee] = Field(
        default_factory=list,
        max_length=20,
        description="whom it is to be served on, by role (applicant, debtor) or agency id — never a name: a "
        "party sees in its case space only the documents addressed to its side",
    )


class IssuedDocument(BaseModel):
    """What history and logs keep of an issued document: who issued it, its number and its hash. No
    personal data: the content exists only in the encrypted PDF in the blob store."""

    document_id: str
    kind: DocumentKind
    title: str
    number: str
    court: str
    case_number: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    issued_at: datetime
    template_version: str
    president: bool = False
    refers_to: str | None = None
    addressed_to: list[str] = Field(default_factory=list)


_DIGITS = "零一二三四五六七八九"


def chinese_ordinal(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (as 之一, 之十二 are written)."""
    if n <= 0 or n >= 10000:
        raise ValueError("a document's ordinal is 1..9999")
    units = ((1000, "千"), (100, "百"), (10, "十"))
    out, zero = "", False
    for value, unit in units:
        d, n = divmod(n, value)
        if d:
            if zero:
                out += "零"
            zero = False
            out += ("" if (value == 10 and d == 1 and not out) else _DIGITS[d]) + unit
        elif out:
            zero = True
    if n:
        out += ("零" if zero else "") + _DIGITS[n]
    return out


def document_number(case_number: str, ordinal: int) -> str:
    """The house style (docs/documents.md): a case's documents carry its number and 之N in the order the
    court issued them — （2026）浙0102执123号之一 — with full-width parentheses."""
    normal = case_number.replace("(", "（").replace(")", "）")
    return f"{normal}之{chinese_ordinal(ordinal)}"


_CAPITAL = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("", "拾", "佰", "仟")
_BIG_UNITS = ("", "万", "亿", "万亿")


def amount_in_words(fen: int) -> str:
    """An amount in fen as the capital numerals of a court document: 1234567 → 人民币壹万贰仟叁佰肆拾伍元陆角柒分,
    100000 → 人民币壹仟元整."""
    if fen < 0:
        raise ValueError("an amount in a document is never negative")
    yuan, rest = divmod(fen, 100)
    jiao, fen_part = divmod(rest, 10)
    text = _integer_words(yuan) + "元" if yuan else ("" if rest else "零元")
    if not rest:
        return f"人民币{text}整"
    if jiao:
        text += _CAPITAL[jiao] + "角"
    elif yuan:
        text += "零"
    if fen_part:
        text += _CAPITAL[fen_part] + "分"
    else:
        text += "整"
    return f"人民币{text}"


def _integer_words(n: int) -> str:
    groups: list[int] = []
    while n:
        n, g = divmod(n, 10000)
        groups.append(g)
    out, need_zero = "", False
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            need_zero = bool(out)
            continue
        if need_zero or (out and g < 1000):
            out += "零"
        out += _group_words(g) + _BIG_UNITS[i]
        need_zero = False
    return out


def _group_words(g: int) -> str:
    out, zero = "", False
    for pos in range(3, -1, -1):
        d = (g // 10**pos) % 10
        if d:
            if zero and out:
                out += "零"
            out += _CAPITAL[d] + _SMALL_UNITS[pos]
            zero = False
        else:
            zero = True
    return out


def yuan_figures(fen: int) -> str:
    """¥12,345.67 as printed beside the capital numerals."""
    return f"¥{fen // 100:,}.{fen % 100:02d}"


class ServiceMethod(StrEnum):
    """How a document reached its recipient (送达方式, CPL 87–95; DOMAIN §18.1)."""

    ELECTRONIC = "electronic"  # 电子送达: served when it reaches the recipient's system (CPL 90)
    DIRECT = "direct"  # 直接送达: the recipient signs the receipt (CPL 87–88)
    LEFT = "left"  # 留置送达: refused, left with witnesses or on video (CPL 89)
    POST = "post"  # 邮寄送达: the date on the postal receipt (CPL 91)
    ANNOUNCEMENT = "announcement"  # 公告送达: served 30 days after publication (CPL 95)


ANNOUNCEMENT_PERIOD = LegalDuration(amount=30, unit=TimeUnit.CALENDAR_DAY)


def service_date(method: ServiceMethod, at: datetime) -> datetime:
    """When the document counts as served: the receipt's moment, or for an announcement 30 days after the
    (last) publication (CPL 95; 民诉法解释 Art. 138)."""
    return calendar_end(at, ANNOUNCEMENT_PERIOD) if method is ServiceMethod.ANNOUNCEMENT else at


def period_end_from_service(served_at: datetime | None, period: LegalDuration) -> datetime | None:
    """The end of a period that runs from service — the 执行通知书's time to perform, 10 days for a
    jurisdiction objection (执行程序解释 Art. 3) — or None while the document is not served: the period
    has not started. The day of service is not counted (CPL 85)."""
    return None if served_at is None else calendar_end(served_at, period)
