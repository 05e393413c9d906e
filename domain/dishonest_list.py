"""The dishonest-debtor list (失信被执行人名单), 失信规定 2017 (最高人民法院关于公布失信被执行人名单信息的若干
规定, 法释〔2017〕7号): who may be entered and on which ground, for how long, what is published, and when an
entry must be corrected, revoked or deleted. Pure rules over plain values; the periods come from the
versioned legal parameters (``legal_params.json``, keys ``dishonest.*``)."""

from __future__ import annotations

import functools
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, Field
from stdnum.cn import ric

from domain.legal_params import NATIONAL, LegalParams, ParamTable, load_table
from domain.legal_time import LegalDuration, TimeUnit, add_months
from domain.parties import Party, PartyKind
from domain.personal import PersonName


class ListingGround(StrEnum):
    """失信规定 Art. 1: the debtor has not performed the title's obligation and —"""

    ABLE_BUT_REFUSES = "able-but-refuses"  # (一) 有履行能力而拒不履行
    OBSTRUCTION = "obstruction"  # (二) 以伪造证据、暴力、威胁等方法妨碍、抗拒执行
    EVASION = "evasion"  # (三) 以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行
    ASSET_REPORT_BREACH = "asset-report-breach"  # (四) 违反财产报告制度
    RESTRICTION_BREACH = "restriction-breach"  # (五) 违反限制消费令
    SETTLEMENT_REFUSAL = "settlement-refusal"  # (六) 无正当理由拒不履行执行和解协议


class ListingBar(StrEnum):
    """失信规定 Art. 3: no entry on ground (一) where —"""

    SECURITY_GIVEN = "security-given"  # (一) 提供了充分有效担保
    SEIZED_ASSETS_SUFFICE = "seized-assets-suffice"  # (二) 已被采取查封、扣押、冻结等措施的财产足以清偿
    LATER_IN_ORDER = "later-in-order"  # (三) 被执行人履行顺序在后, 对其依法不应强制执行


class RemovalGround(StrEnum):
    """Why an entry leaves the list: deletion (删除, Art. 10), revocation of a wrong entry (撤销, Art. 9),
    early deletion by the court (提前删除, Art. 2)."""

    FULL_PERFORMANCE = "full-performance"  # Art. 10 (一) 已履行全部义务
    SETTLEMENT_PERFORMED = "settlement-performed"  # Art. 10 (二) 和解协议已履行完毕
    APPLICANT_REQUEST = "applicant-request"  # Art. 10 (三) 申请执行人书面申请删除, 法院审查同意
    NO_ASSETS_AFTER_CLOSURE = "no-assets-after-closure"  # Art. 10 (四) 终本后两次以上网络查询无财产
    STAYED = "stayed"  # Art. 10 (五) 因审判监督或破产程序中止执行
    NOT_ENFORCED = "not-enforced"  # Art. 10 (六) 法院依法裁定不予执行
    TERMINATED = "terminated"  # Art. 10 (七) 法院依法裁定终结执行
    TERM_ENDED = "term-ended"  # Art. 10: 纳入期限届满
    EARLY_BY_COURT = "early-by-court"  # Art. 2: 积极履行或主动纠正失信行为, 提前删除
    WRONG_ENTRY = "wrong-entry"  # Art. 9 / Art. 12: 不应纳入, 撤销


# Art. 10 para 1's grounds (应当在三个工作日内删除). Art. 10 para 2: 有纳入期限的, 不适用前款规定 — an entry with a
# term (grounds (二)–(六)) leaves the list at its term's end, or earlier by the court's early deletion (提前删除,
# Art. 2: 积极履行或者主动纠正失信行为); an entry without one (ground (一)) only on Art. 10's grounds. Performance in
# full, or of a settlement, is the plainest 积极履行: on a term entry it is Art. 2's early deletion, named by its
# fact (the case's full performance deletes the entry, DOMAIN §17.7). Either entry may be revoked if wrong.
ART_10_PARA_1 = frozenset(
    {
        RemovalGround.FULL_PERFORMANCE,
        RemovalGround.SETTLEMENT_PERFORMED,
        RemovalGround.APPLICANT_REQUEST,
        RemovalGround.NO_ASSETS_AFTER_CLOSURE,
        RemovalGround.STAYED,
        RemovalGround.NOT_ENFORCED,
        RemovalGround.TERMINATED,
    }
)
PERFORMANCE_GROUNDS = frozenset({RemovalGround.FULL_PERFORMANCE, RemovalGround.SETTLEMENT_PERFORMED})
# Which grounds remove which entry: (the entry has a term) → the grounds allowed.
REMOVAL_GROUNDS_BY_ENTRY: dict[bool, frozenset[RemovalGround]] = {
    False: ART_10_PARA_1 | {RemovalGround.WRONG_ENTRY},
    True: PERFORMANCE_GROUNDS | {RemovalGround.TERM_ENDED, RemovalGround.EARLY_BY_COURT, RemovalGround.WRONG_ENTRY},
}

# Grounds a judge decides (the term's end and a wrong entry are reached by the procedure itself).
# The term's end is the clock's; a wrong entry the judge revokes ex officio (Art. 9) as well as on the
# debtor's request (Art. 12).
JUDGE_REMOVAL_GROUNDS = tuple(g for g in RemovalGround if g is not RemovalGround.TERM_ENDED)


class ExtensionCondition(StrEnum):
    """失信规定 Art. 2 para 2: the 2-year term may be extended by 1–3 years only where the debtor"""

    SERIOUS_OBSTRUCTION = "serious-obstruction"  # 以暴力、威胁方法妨碍、抗拒执行情节严重
    MULTIPLE_ACTS = "multiple-acts"  # 具有多项失信行为


class DishonestParam(StrEnum):
    """The keys of ``legal_params.json`` this module reads (all 失信规定 2017)."""

    TERM = "dishonest.term"  # Art. 2: 二年
    EXTENSION_MIN = "dishonest.extension_min"  # Art. 2: 延长一至三年
    EXTENSION_MAX = "dishonest.extension_max"
    REQUEST_DECIDED_WITHIN = "dishonest.request_decided_within"  # Art. 5: 十五日内审查
    REVOKE_WITHIN = "dishonest.revoke_within"  # Art. 9: 三个工作日内撤销或更正
    REMOVAL_WITHIN = "dishonest.removal_within"  # Art. 10: 三个工作日内删除
    CORRECTION_REVIEW = "dishonest.correction_review"  # Art. 12: 十五日内审查
    CORRECTION_FIX = "dishonest.correction_fix"  # Art. 12: 三个工作日内纠正
    RELISTING_BAR = "dishonest.relisting_bar"  # Art. 10: 六个月内再申请纳入的, 不予支持
    RECONSIDERATION_WITHIN = "dishonest.reconsideration_within"  # Art. 12: 十日内向上一级法院申请复议
    RECONSIDERATION_DECIDED = "dishonest.reconsideration_decided"  # Art. 12: 上一级法院十五日内作出决定


@functools.cache
def _table() -> ParamTable:
    return load_table()


def dishonest_params_at(on: date, jurisdiction: str = NATIONAL) -> LegalParams:
    """The 失信 parameters in force on ``on``; call at start, outside workflow code (reads the table)."""
    return _table().at(on, jurisdiction, required=tuple(DishonestParam))


ADULT_AGE = 18  # 民法典 Art. 17


def age_on(id_number: str, on: date) -> int:
    """Full years of age on ``on``, from the birth date in a resident ID number (cn.ric)."""
    born = ric.get_birth_date(id_number)
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def entry_problem(
    debtor: Party,
    ground: ListingGround,
    extension_years: int,
    bars: list[ListingBar],
    on: date,
    params: LegalParams,
    extension_condition: ExtensionCondition | None = None,
) -> str | None:
    """Why the court may not enter ``debtor`` on ``ground`` today, or None.

    - minors are never entered (Art. 4);
    - ground (一) is barred where Art. 3 applies (security, seized assets suffice, later in order);
    - ground (一) has no fixed term (Art. 2), so no extension; the others 2 years, extended only by
      1–3 years and only on a condition of Art. 2 para 2 (serious obstruction, several acts).
    """
    if debtor.kind is PartyKind.PERSON and age_on(debtor.id_number, on) < ADULT_AGE:
        return "debtor: a minor is never entered on the list (失信规定 第四条)"
    if ground is ListingGround.ABLE_BUT_REFUSES:
        if bars:
            return f"bars: ground (一) may not be used where 失信规定 第三条 applies ({', '.join(bars)})"
        if extension_years:
            return "extension_years: ground (一) has no fixed term to extend (失信规定 第二条)"
        return None
    low = int(params.get(DishonestParam.EXTENSION_MIN).value)
    high = int(params.get(DishonestParam.EXTENSION_MAX).value)
    if extension_years and not low <= extension_years <= high:
        return f"extension_years: an extension is {low} to {high} years (失信规定 第二条)"
    if extension_years and extension_condition is None:
        return (
            "extension_condition: 延长须具有以暴力、威胁方法妨碍、抗拒执行情节严重或者多项失信行为之情形 "
            "(失信规定 第二条第二款) / an extension needs one of Art. 2's conditions"
        )
    return None


def removal_starts_on(arose_on: date | None, listed_on: date, today: date) -> date | str:
    """From when the 3 working days of Art. 10 (or Art. 9) run: the day the ground arose — the payment,
    the settlement's performance, the ruling — not the day the judge records it. Returns that day, or a
    problem: a day in the future, or before the entry."""
    if arose_on is None:
        return today
    if arose_on > today:
        return "ground_arose_on: 删除事由发生日不得晚于今日 / the ground cannot arise in the future"
    if arose_on < listed_on:
        return "ground_arose_on: 删除事由发生日不得早于纳入之日 / before the entry"
    return arose_on


def removal_ground_problem(ground: RemovalGround, has_term: bool) -> str | None:
    """Art. 10 para 2 against Art. 2: an entry with a term is not deleted on an Art. 10 para 1 ground — the
    court may delete it early (提前删除, Art. 2) where the debtor performs or corrects; an entry without a term
    has no term to shorten, so it is deleted on an Art. 10 ground."""
    if ground in REMOVAL_GROUNDS_BY_ENTRY[has_term]:
        return None
    if has_term:
        return (
            f"ground: 有纳入期限的, 不适用第十条第一款 ({ground.value}); 积极履行或主动纠正的, 依第二条提前删除 "
            "(early-by-court) / an entry with a term is deleted early under Art. 2, not on an Art. 10 ground"
        )
    return (
        f"ground: 无纳入期限的失信信息依第十条第一款删除, 不适用提前删除 ({ground.value}) / "
        "an entry without a term is deleted on an Art. 10 ground"
    )


class PublicStatus(StrEnum):
    """失信规定 Art. 8 paras 3–4: whom the court must tell beyond the list, by who the debtor is."""

    STATE_FUNCTIONARY = "state-functionary"  # 国家工作人员 (第三款)
    NPC_DEPUTY = "npc-deputy"  # 人大代表 (第三款)
    CPPCC_MEMBER = "cppcc-member"  # 政协委员 (第三款)
    STATE_ORGAN = "state-organ"  # 国家机关 (第四款)
    PUBLIC_INSTITUTION = "public-institution"  # 事业单位 (第四款)
    STATE_OWNED_ENTERPRISE = "state-owned-enterprise"  # 国有企业 (第四款)


class Art8Notice(BaseModel):
    paragraph: int
    debtor_kind: PartyKind
    recipient: str = Field(description="whom the paragraph names")


# Art. 8 as data: a person in public office is reported to their unit and the departments concerned (para 3);
# a state organ, public institution or state-owned enterprise to its superior, the competent department or
# the body exercising the investor's duties (para 4).
ART_8_NOTICES: dict[PublicStatus, Art8Notice] = {
    status: Art8Notice(
        paragraph=3 if kind is PartyKind.PERSON else 4,
        debtor_kind=kind,
        recipient="所在单位和相关部门" if kind is PartyKind.PERSON else "上级单位、主管部门或者履行出资人职责的机构",
    )
    for status, kind in (
        (PublicStatus.STATE_FUNCTIONARY, PartyKind.PERSON),
        (PublicStatus.NPC_DEPUTY, PartyKind.PERSON),
        (PublicStatus.CPPCC_MEMBER, PartyKind.PERSON),
        (PublicStatus.STATE_ORGAN, PartyKind.ORGANISATION),
        (PublicStatus.PUBLIC_INSTITUTION, PartyKind.ORGANISATION),
        (PublicStatus.STATE_OWNED_ENTERPRISE, PartyKind.ORGANISATION),
    )
}


def art8_notice_problem(debtor_kind: PartyKind, status: PublicStatus | None, reported_to: str) -> str | None:
    """Art. 8 paras 3–4: a debtor of one of these statuses is reported to the body the paragraph names, which
    the request must name; the status must fit the debtor (a person's office, an organisation's nature)."""
    if status is None:
        return (
            "reported_to: 仅在被执行人具有第八条第三、四款身份时填写 / only with a public status"
            if reported_to
            else None
        )
    notice = ART_8_NOTICES[status]
    if notice.debtor_kind is not debtor_kind:
        return f"public_status: {status.value} 不适用于该被执行人 (失信规定 第八条第{notice.paragraph}款)"
    if not reported_to:
        return (
            f"reported_to: 应当通报其{notice.recipient} (失信规定 第八条第{'三' if notice.paragraph == 3 else '四'}款) "
            f"/ name the body Art. 8 para {notice.paragraph} reports to"
        )
    return None


def reconsideration_problem(applied_on: date, refused_on: date, params: LegalParams) -> str | None:
    """Art. 12: a refused correction may be taken to the higher court for reconsideration within 10 days of
    the refusal's service (here: of the refusal)."""
    window = params.duration(DishonestParam.RECONSIDERATION_WITHIN)
    last = date.fromordinal(refused_on.toordinal() + window.amount)
    if applied_on < refused_on:
        return "applied_on: 复议申请不得早于驳回纠正申请之日 / before the refusal"
    if applied_on > last:
        return (
            f"applied_on: 复议应于驳回之日起{window.amount}日内提出, 最迟 {last.isoformat()} (失信规定 第十二条) / "
            f"reconsideration is sought within {window.amount} days"
        )
    return None


def listing_term(ground: ListingGround, extension_years: int, params: LegalParams) -> LegalDuration | None:
    """The entry's term: none for ground (一) (removed only on an Art. 10 ground), otherwise 2 years plus
    the extension (Art. 2)."""
    if ground is ListingGround.ABLE_BUT_REFUSES:
        return None
    base = params.duration(DishonestParam.TERM)
    assert base.unit is TimeUnit.YEAR
    return LegalDuration(amount=base.amount + extension_years, unit=TimeUnit.YEAR)


def removal_period(ground: RemovalGround, params: LegalParams) -> LegalDuration:
    """Within how many working days the entry must leave the list once ``ground`` occurs: 3 working days
    to delete (Art. 10), to revoke a wrong entry (Art. 9) and to correct after a valid request (Art. 12)."""
    if ground is RemovalGround.WRONG_ENTRY:
        return params.duration(DishonestParam.REVOKE_WITHIN)
    return params.duration(DishonestParam.REMOVAL_WITHIN)


class PreviousRemoval(BaseModel):
    """An earlier entry of the same debtor in the same case that was deleted (for the re-entry rules)."""

    ground: RemovalGround = Field(description="删除原因")
    removed_on: date = Field(description="删除日期")


def relisting_problem(
    previous: PreviousRemoval | None, applicant_requested: bool, on: date, params: LegalParams
) -> str | None:
    """Re-entry (Art. 10): a deleted debtor may be entered again on a new ground; but after a
    deletion at the applicant's request, the applicant's own request to re-enter within 6 months is
    refused."""
    if previous is None or previous.ground is not RemovalGround.APPLICANT_REQUEST or not applicant_requested:
        return None
    bar = params.duration(DishonestParam.RELISTING_BAR)
    until = add_months(previous.removed_on, bar.amount)
    if on < until:
        return (
            f"previous_removal: deleted at the applicant's request on {previous.removed_on.isoformat()}; "
            f"the applicant may not ask to re-enter before {until.isoformat()} (失信规定 第十条)"
        )
    return None


class ListEntry(BaseModel):
    """What the national list publishes (失信规定 Art. 6). Personal data: encrypted in history."""

    case_number: str
    court: str
    debtor: Party
    legal_representative: PersonName = Field(
        default="", max_length=100, description="organisations: 法定代表人或负责人"
    )
    title_document: str = Field(description="执行依据文号")
    title_issuer: str = Field(description="作出执行依据的单位")
    obligation: str = Field(description="生效法律文书确定的义务")
    performance: str = Field(description="被执行人的履行情况")
    ground: ListingGround
    decision_number: str = Field(description="失信决定书文号")
    filed_on: date = Field(description="立案时间")
    entered_at: datetime
    term_ends_at: datetime | None = None


class PublishedEntry(BaseModel):
    """The national list's receipt: its entry id and publication time."""

    entry_id: str
    status: str
    published_at: datetime
    removed_at: datetime | None = None


class EntryCorrection(BaseModel):
    """Fields of a published entry to correct (Art. 12): the corrected texts, unchanged where empty."""

    obligation: str = Field(default="", max_length=500, description="更正后的义务")
    performance: str = Field(default="", max_length=500, description="更正后的履行情况")
    legal_representative: PersonName = Field(default="", max_length=100, description="更正后的法定代表人")


class EntryRemoval(BaseModel):
    ground: RemovalGround
    document_ref: str = Field(description="删除或撤销决定的文号")
