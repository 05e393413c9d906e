"""Consumption restriction (限制消费令), 限消规定 2015 (最高人民法院关于限制被执行人高消费及有关消费的若干规定,
2015 amendment): what is banned, who must be restricted, which assisting unit enforces which ban, and
when the order may or must be lifted. Pure rules over plain values."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel

from domain.parties import PartyKind


class RestrictionTrigger(StrEnum):
    """限消规定 Art. 1."""

    NOTICE_UNPAID = "notice-unpaid"  # 未按执行通知书指定的期间履行 — the court *may* restrict
    DISHONEST_LISTED = "dishonest-listed"  # 被纳入失信被执行人名单 — the court *must* restrict


class RestrictedItem(StrEnum):
    """限消规定 Art. 3 (1)–(9): what a restricted natural person may not do."""

    FLIGHTS_AND_SOFT_SLEEPERS = "flights-soft-sleepers"  # (一) 飞机、列车软卧、轮船二等以上舱位
    STAR_HOTELS_AND_CLUBS = "star-hotels-clubs"  # (二) 星级以上宾馆、酒店、夜总会、高尔夫球场
    REAL_ESTATE = "real-estate"  # (三) 购买不动产或者新建、扩建、高档装修房屋
    PREMIUM_OFFICES = "premium-offices"  # (四) 租赁高档写字楼、宾馆、公寓等场所办公
    VEHICLES = "vehicles"  # (五) 购买非经营必需车辆
    TRAVEL = "travel"  # (六) 旅游、度假
    PRIVATE_SCHOOLS = "private-schools"  # (七) 子女就读高收费私立学校
    PREMIUM_INSURANCE = "premium-insurance"  # (八) 支付高额保费购买保险理财产品
    HIGH_SPEED_TRAINS = "high-speed-trains"  # (九) G字头动车组列车全部座位、其他动车组列车一等以上座位


class AssistingUnit(StrEnum):
    """The kinds of assisting unit (协助执行单位) an order's notice goes to (Art. 6)."""

    AIRLINES = "airlines"  # 民航: 订票系统
    RAILWAYS = "railways"  # 铁路: 12306
    HOTELS = "hotels"  # 星级宾馆、酒店
    REAL_ESTATE_REGISTRY = "real-estate-registry"  # 不动产登记: (三) 购买不动产
    VEHICLE_REGISTRY = "vehicle-registry"  # 车辆登记: (五) 购买非经营必需车辆
    EDUCATION = "education"  # 教育主管部门: (七) 子女就读高收费私立学校
    FINANCIAL_REGULATOR = "financial-regulator"  # 金融监管: (八) 高额保费的保险理财产品


# Which bans each kind of unit enforces (Art. 6: 通知有关单位协助执行); a unit is told only of an order with one
# of its bans. (四) premium offices and (六) travel have no registry to stop them: they bind the debtor by the
# order itself, served on the debtor.
ENFORCED_BY: dict[AssistingUnit, frozenset[RestrictedItem]] = {
    AssistingUnit.AIRLINES: frozenset({RestrictedItem.FLIGHTS_AND_SOFT_SLEEPERS}),
    AssistingUnit.RAILWAYS: frozenset({RestrictedItem.FLIGHTS_AND_SOFT_SLEEPERS, RestrictedItem.HIGH_SPEED_TRAINS}),
    AssistingUnit.HOTELS: frozenset({RestrictedItem.STAR_HOTELS_AND_CLUBS}),
    AssistingUnit.REAL_ESTATE_REGISTRY: frozenset({RestrictedItem.REAL_ESTATE}),
    AssistingUnit.VEHICLE_REGISTRY: frozenset({RestrictedItem.VEHICLES}),
    AssistingUnit.EDUCATION: frozenset({RestrictedItem.PRIVATE_SCHOOLS}),
    AssistingUnit.FINANCIAL_REGULATOR: frozenset({RestrictedItem.PREMIUM_INSURANCE}),
}
# The units told before bans (三)(五)(七)(八) had theirs: orders recorded then notify only these.
FIRST_UNITS = (AssistingUnit.AIRLINES, AssistingUnit.RAILWAYS, AssistingUnit.HOTELS)


def units_to_notify(items: list[RestrictedItem], every_ban: bool = True) -> list[AssistingUnit]:
    """The units that enforce at least one of ``items``, in a fixed order (so task ids are stable);
    ``every_ban`` False: only the first three kinds (orders recorded before the others were told)."""
    wanted = set(items)
    units = list(AssistingUnit) if every_ban else FIRST_UNITS
    return [unit for unit in units if ENFORCED_BY[unit] & wanted]


def unit_liability_problem(unit_agency: str, told: list[str], fined: PartyKind) -> str | None:
    """Art. 11 para 2: a unit that, having received the court's notice, still lets the debtor consume is
    liable (CPL 2023 Art. 117: a fine on the unit). Only a unit the order was served on, fined as an
    organisation."""
    if unit_agency not in told:
        return (
            f"against_unit: {unit_agency!r} 未收到本令的协助执行通知 (限消规定 第十一条第二款) / "
            "only a unit told of the order is liable"
        )
    if fined is not PartyKind.ORGANISATION:
        return "fined: 对协助单位的罚款按单位计 / a unit is fined as an organisation"
    return None


class BoundRole(StrEnum):
    """Art. 3 para 2: an organisation's restriction binds these persons too."""

    LEGAL_REPRESENTATIVE = "legal-representative"  # 法定代表人
    PRINCIPAL = "principal"  # 主要负责人
    DIRECTLY_RESPONSIBLE = "directly-responsible"  # 影响债务履行的直接责任人员
    ACTUAL_CONTROLLER = "actual-controller"  # 实际控制人


class LiftingGround(StrEnum):
    """Art. 9."""

    SECURITY = "security"  # 提供确实有效的担保 — may lift
    APPLICANT_CONSENT = "applicant-consent"  # 申请执行人同意 — may lift
    FULL_PERFORMANCE = "full-performance"  # 履行完毕 — must lift


def lifting_problem(ground: LiftingGround, dishonest_listed: bool) -> str | None:
    """Why the order may not be lifted on ``ground`` now, or None. While the debtor is on the dishonest
    list the court must keep restricting (Art. 1): only full performance lifts it then (Art. 9). This
    reading of Arts. 1 and 9 together is ours (DOMAIN.md [I])."""
    if dishonest_listed and ground is not LiftingGround.FULL_PERFORMANCE:
        return (
            "ground: the debtor is on the dishonest list and must stay restricted (限消规定 第一条); "
            "only full performance lifts the order now (第九条)"
        )
    return None


def declining_problem(trigger: RestrictionTrigger) -> str | None:
    """A listed debtor must be restricted (Art. 1): the court may not decline the order."""
    if trigger is RestrictionTrigger.DISHONEST_LISTED:
        return "decision: a debtor on the dishonest list must be restricted (限消规定 第一条)"
    return None


class ViolationMeasure(StrEnum):
    """Art. 11: a breach is a refusal to perform the court's order."""

    FINE = "fine"  # 罚款
    DETENTION = "detention"  # 拘留
    CRIMINAL_REFERRAL = "criminal-referral"  # 情节严重的, 依法追究刑事责任 (拒执)
    DISHONEST_LISTING = "dishonest-listing"  # 失信规定 Art. 1 (五)


class FineCaps(BaseModel):
    """The bounds of a fine for obstructing enforcement (妨害民事诉讼的罚款), as the CPL in force sets them:
    a person up to a maximum; an organisation between a minimum and a maximum. Versioned by effective date."""

    effective_from: date
    person_max_fen: int
    organisation_min_fen: int
    organisation_max_fen: int
    basis: str


FINE_CAPS: tuple[FineCaps, ...] = (
    FineCaps(
        effective_from=date(2008, 4, 1),
        person_max_fen=1_000_000,
        organisation_min_fen=1_000_000,
        organisation_max_fen=30_000_000,
        basis="民事诉讼法 (2007) 第一百零四条",
    ),
    FineCaps(
        effective_from=date(2013, 1, 1),
        person_max_fen=10_000_000,
        organisation_min_fen=5_000_000,
        organisation_max_fen=100_000_000,
        basis="民事诉讼法 (2012) 第一百一十五条",
    ),
    FineCaps(
        effective_from=date(2022, 1, 1),
        person_max_fen=10_000_000,
        organisation_min_fen=5_000_000,
        organisation_max_fen=100_000_000,
        basis="民事诉讼法 (2021) 第一百一十八条",
    ),
    FineCaps(
        effective_from=date(2024, 1, 1),
        person_max_fen=10_000_000,
        organisation_min_fen=5_000_000,
        organisation_max_fen=100_000_000,
        basis="民事诉讼法 (2023) 第一百一十八条",
    ),
)


def fine_caps(on: date) -> FineCaps:
    """The caps in force on ``on``; before the first entry, a clear error naming it."""
    in_force = [c for c in FINE_CAPS if c.effective_from <= on]
    if not in_force:
        raise ValueError(f"no fine caps before {FINE_CAPS[0].effective_from.isoformat()} (the table's floor)")
    return in_force[-1]


def violation_problem(
    measure: ViolationMeasure, fine_fen: int, fined: PartyKind = PartyKind.PERSON, on: date | None = None
) -> str | None:
    """Art. 11: a fine states its amount, within the CPL's bounds for the one fined (a person: at most
    ¥100,000; an organisation: ¥50,000 to ¥1,000,000 under CPL 2023 Art. 118); the other measures carry
    none."""
    if measure is ViolationMeasure.FINE and fine_fen <= 0:
        return "fine_fen: a fine states its amount in fen"
    if measure is not ViolationMeasure.FINE and fine_fen:
        return "fine_fen: only a fine carries an amount"
    if measure is ViolationMeasure.FINE and on is not None:
        caps = fine_caps(on)
        if fined is PartyKind.PERSON and fine_fen > caps.person_max_fen:
            return f"fine_fen: 对个人罚款不超过 {caps.person_max_fen} 分 ({caps.basis}) / a person's fine is capped"
        if fined is PartyKind.ORGANISATION and not caps.organisation_min_fen <= fine_fen <= caps.organisation_max_fen:
            return (
                f"fine_fen: 对单位罚款 {caps.organisation_min_fen}–{caps.organisation_max_fen} 分 ({caps.basis}) / "
                "an organisation's fine is bounded"
            )
    return None
