"""Distribution of proceeds (分配): who is paid, in which order, to the fen.

Order (DOMAIN.md §3; the priority classes are data, :class:`DistributionRules`, so a jurisdiction can
configure e.g. a wage priority without code):

1. execution costs, from the proceeds first (执行工作规定 Art. 34; 民诉法解释 Art. 508);
2. the priority classes in legal order — by default home-buyer consumers (商品房批复 2023), the
   construction-price priority (民法典 Art. 807, 建工解释一 Art. 36), security rights by registration time
   with registered before unregistered (民法典 Art. 414–415) and any tax whose arrears arose *before* a
   security was created ranked ahead of that security (税收征管法 Art. 45), then the remaining tax ahead of
   unsecured claims;
3. ordinary claims pro rata (参与分配, 民诉法解释 Art. 508) — or, for an enterprise debtor whose transfer to
   bankruptcy failed, in the order of seizure (Art. 514); a priority claim's unpaid balance joins them
   where the creditor holds an enforcement title;
4. the doubled delayed-performance interest last (迟延利息解释 Art. 4);
5. what remains, to the debtor.

Within a rank the amount is split with :func:`domain.money.allocate_largest_remainder`, so every plan
sums exactly to the proceeds.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import groupby
from typing import Self

from pydantic import BaseModel, Field, model_validator

from domain.money import Fen, allocate_largest_remainder
from domain.personal import PersonName


class ClaimKind(StrEnum):
    HOME_BUYER = "home_buyer"  # 商品房消费者的价款返还/交付请求
    CONSTRUCTION = "construction"  # 建设工程价款优先受偿权
    SECURED = "secured"  # 抵押权、质权 (担保物权)
    TAX = "tax"  # 税款
    WAGES = "wages"  # 劳动报酬: priority only where a local rule says so
    ORDINARY = "ordinary"  # 普通金钱债权


class Ordering(StrEnum):
    PRO_RATA = "pro_rata"  # one rank, split in proportion to the claims
    SECURITY_TIME = "security_time"  # by registration; an earlier tax goes before a later security
    SEIZURE_ORDER = "seizure_order"  # by seizure time (enterprise debtors, 民诉法解释 Art. 514)


class PriorityClass(BaseModel):
    key: str
    title: str
    basis: str = Field(description="legal basis shown on the plan")
    kinds: list[ClaimKind]
    ordering: Ordering = Ordering.PRO_RATA
    enabled: bool = True


DEFAULT_CLASSES: tuple[PriorityClass, ...] = (
    PriorityClass(
        key="home_buyer",
        title="商品房消费者",
        basis="商品房批复 (法释〔2023〕1号)",
        kinds=[ClaimKind.HOME_BUYER],
    ),
    PriorityClass(
        key="construction",
        title="建设工程价款优先受偿权",
        basis="民法典 第八百零七条; 建工解释一 第三十六条",
        kinds=[ClaimKind.CONSTRUCTION],
    ),
    PriorityClass(
        key="secured",
        title="担保物权 (按登记先后; 先于担保设立的欠税在前)",
        basis="民法典 第四百一十四条、第四百一十五条; 执行工作规定 第五十五条; 税收征管法 第四十五条",
        kinds=[ClaimKind.SECURED, ClaimKind.TAX],
        ordering=Ordering.SECURITY_TIME,
    ),
    PriorityClass(
        key="tax",
        title="税款 (优先于无担保债权)",
        basis="税收征管法 第四十五条",
        kinds=[ClaimKind.TAX],
    ),
    PriorityClass(
        key="wages",
        title="劳动报酬 (仅在地方规则规定时优先)",
        basis="地方规则 (无全国性规定, DOMAIN.md §3.2)",
        kinds=[ClaimKind.WAGES],
        enabled=False,
    ),
)


class DistributionRules(BaseModel):
    """The order as data. Defaults follow the national rules; a jurisdiction overrides what differs."""

    classes: list[PriorityClass] = Field(default_factory=lambda: [c.model_copy() for c in DEFAULT_CLASSES])
    ordinary_ordering: Ordering = Field(
        default=Ordering.PRO_RATA, description="pro_rata (参与分配) or seizure_order (企业法人, Art. 514)"
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.ordinary_ordering is Ordering.SECURITY_TIME:
            raise ValueError("ordinary claims are paid pro rata or by seizure order")
        keys = [c.key for c in self.classes]
        if len(keys) != len(set(keys)):
            raise ValueError("priority class keys must be unique")
        return self


class CostItem(BaseModel):
    """An execution cost paid from the proceeds first: auction auxiliary fees, appraisal, inquiry fees."""

    cost_id: str = Field(min_length=1)
    title: str
    payee: PersonName
    amount_fen: Fen


class Claim(BaseModel):
    """One creditor's claim on the proceeds, with what ranks it."""

    claim_id: str = Field(min_length=1)
    creditor: str = Field(min_length=1, description="payee (name or account holder)")
    kind: ClaimKind
    amount_fen: Fen = Field(description="the adjudicated money debt: principal, interest, costs of realising")
    principal_fen: Fen | None = Field(
        default=None,
        description="the principal within amount_fen: the only base of the doubled interest (迟延利息解释 Art. 1); "
        "none: amount_fen is all principal",
    )
    doubled_interest_fen: Fen = Field(default=0, description="加倍部分债务利息, paid after every other claim")
    registered_at: datetime | None = Field(default=None, description="secured: registration time; none = unregistered")
    created_on: date | None = Field(
        default=None, description="secured: when the security was created (default: registration)"
    )
    secured_limit_fen: Fen | None = Field(default=None, description="secured: 最高额 — the part beyond is unsecured")
    tax_arrears_since: date | None = Field(default=None, description="tax: the day the arrears arose")
    seized_at: datetime | None = Field(default=None, description="when this creditor's court seized (Art. 514 order)")
    has_enforcement_title: bool = Field(
        default=True, description="an unpaid priority balance joins the ordinary claims only with a title"
    )

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.kind is ClaimKind.TAX and self.tax_arrears_since is None:
            raise ValueError("a tax claim needs tax_arrears_since (税收征管法 Art. 45 compares dates)")
        if self.principal_fen is not None and self.principal_fen > self.amount_fen:
            raise ValueError("principal_fen: cannot exceed amount_fen, of which it is a part")
        if self.kind is not ClaimKind.SECURED and (self.registered_at or self.secured_limit_fen is not None):
            raise ValueError("registered_at and secured_limit_fen apply to secured claims only")
        return self

    @property
    def security_created_on(self) -> date | None:
        if self.created_on is not None:
            return self.created_on
        return self.registered_at.date() if self.registered_at else None

    @property
    def priority_fen(self) -> int:
        """The part of the claim its priority covers."""
        if self.kind is ClaimKind.SECURED and self.secured_limit_fen is not None:
            return min(self.amount_fen, self.secured_limit_fen)
        return self.amount_fen


class PlanLine(BaseModel):
    rank: int = Field(description="payment rank, 1 first; lines of one rank share pro rata")
    class_key: str
    class_title: str
    basis: str
    ref: str = Field(description="cost_id or claim_id")
    payee: PersonName
    claimed_fen: int
    paid_fen: int


class DistributionPlan(BaseModel):
    """分配方案: the lines in payment order, and the surplus returned to the debtor."""

    proceeds_fen: int
    lines: list[PlanLine]
    surplus_to_debtor_fen: int

    @model_validator(mode="after")
    def _balances(self) -> Self:
        total = sum(line.paid_fen for line in self.lines) + self.surplus_to_debtor_fen
        if total != self.proceeds_fen:
            raise ValueError(f"plan pays {total} fen of {self.proceeds_fen}")
        return self

    def paid_to(self, ref: str) -> int:
        return sum(line.paid_fen for line in self.lines if line.ref == ref)

    def payouts(self) -> dict[str, int]:
        """Total per payee, in the order payees first appear: what the bank transfers."""
        out: dict[str, int] = {}
        for line in self.lines:
            if line.paid_fen:
                out[line.payee] = out.get(line.payee, 0) + line.paid_fen
        return out


COSTS = PriorityClass(key="costs", title="执行费用", basis="执行工作规定 第三十四条; 民诉法解释 第五百零八条", kinds=[])
ORDINARY = PriorityClass(key="ordinary", title="普通债权", basis="民诉法解释 第五百零八条", kinds=[])
ORDINARY_BY_SEIZURE = PriorityClass(
    key="ordinary", title="普通债权 (按查封先后)", basis="民诉法解释 第五百一十四条", kinds=[]
)
DOUBLED_INTEREST = PriorityClass(
    key="doubled_interest", title="加倍部分债务利息", basis="迟延利息解释 第四条", kinds=[]
)


class _Item(BaseModel):
    ref: str
    payee: str
    amount: int


class _Planner:
    def __init__(self, proceeds_fen: int) -> None:
        self.remaining = proceeds_fen
        self.lines: list[PlanLine] = []
        self.rank = 0

    def pay(self, cls: PriorityClass, group: Sequence[_Item]) -> list[int]:
        """Pays one rank: in full if the money lasts, else pro rata to the fen; records a line each."""
        if not group:
            return []
        self.rank += 1
        need = sum(i.amount for i in group)
        if need <= self.remaining:
            paid = [i.amount for i in group]
        else:
            paid = allocate_largest_remainder(self.remaining, [i.amount for i in group])
        self.remaining -= sum(paid)
        for item, amount in zip(group, paid, strict=True):
            self.lines.append(
                PlanLine(
                    rank=self.rank,
                    class_key=cls.key,
                    class_title=cls.title,
                    basis=cls.basis,
                    ref=item.ref,
                    payee=item.payee,
                    claimed_fen=item.amount,
                    paid_fen=amount,
                )
            )
        return paid


def plan_distribution(
    proceeds_fen: int,
    costs: Sequence[CostItem],
    claims: Sequence[Claim],
    rules: DistributionRules | None = None,
) -> DistributionPlan:
    """The distribution plan for ``proceeds_fen``. Pure and deterministic: same input, same plan."""
    if proceeds_fen < 0:
        raise ValueError("proceeds must be >= 0")
    rules = rules or DistributionRules()
    ids = [c.claim_id for c in claims] + [c.cost_id for c in costs]
    if len(ids) != len(set(ids)):
        raise ValueError("claim and cost ids must be unique")
    planner = _Planner(proceeds_fen)
    planner.pay(COSTS, [_Item(ref=c.cost_id, payee=c.payee, amount=c.amount_fen) for c in costs if c.amount_fen])

    paid_in_priority: dict[str, int] = {}
    placed: set[str] = set()
    for cls in rules.classes:
        if not cls.enabled:
            continue
        candidates = [c for c in claims if c.kind in cls.kinds and c.claim_id not in placed]
        for group in _ranks(cls, candidates):
            paid = planner.pay(cls, [_Item(ref=c.claim_id, payee=c.creditor, amount=c.priority_fen) for c in group])
            for claim, amount in zip(group, paid, strict=True):
                placed.add(claim.claim_id)
                paid_in_priority[claim.claim_id] = amount

    ordinary: list[tuple[Claim, int]] = []
    for c in claims:
        if c.claim_id not in placed:
            ordinary.append((c, c.amount_fen))
        elif c.has_enforcement_title and c.amount_fen > paid_in_priority[c.claim_id]:
            ordinary.append((c, c.amount_fen - paid_in_priority[c.claim_id]))
    if rules.ordinary_ordering is Ordering.SEIZURE_ORDER:
        for same_time in _by_key(ordinary, lambda pair: _seizure_key(pair[0])):
            items = [_Item(ref=c.claim_id, payee=c.creditor, amount=a) for c, a in same_time if a]
            planner.pay(ORDINARY_BY_SEIZURE, items)
    else:
        planner.pay(ORDINARY, [_Item(ref=c.claim_id, payee=c.creditor, amount=a) for c, a in ordinary if a])

    planner.pay(
        DOUBLED_INTEREST,
        [
            _Item(ref=c.claim_id, payee=c.creditor, amount=c.doubled_interest_fen)
            for c in claims
            if c.doubled_interest_fen and (c.kind is ClaimKind.ORDINARY or c.has_enforcement_title)
        ],
    )
    return DistributionPlan(proceeds_fen=proceeds_fen, lines=planner.lines, surplus_to_debtor_fen=planner.remaining)


RESIDENCE_RESERVE = "residence-reserve"


def concede_to_debtor(
    plan: DistributionPlan, claim_id: str, amount_fen: int, debtor: str
) -> tuple[DistributionPlan, int]:
    """The rent reserve of 异议复议规定 Art. 20(1)(3): the applying creditor agreed that years of rent
    are deducted from the price and left to the debtor. It is that creditor's concession, so it comes
    out of that creditor's share (its lowest-ranked lines first) — never out of senior creditors'.
    Returns the plan with the reserve as the debtor's line, and the amount reserved: at most what the
    creditor was to receive."""
    lines = [line.model_copy() for line in plan.lines]
    wanted = max(amount_fen, 0)
    taken = 0
    for line in reversed(lines):
        if line.ref != claim_id or taken == wanted:
            continue
        part = min(line.paid_fen, wanted - taken)
        line.paid_fen -= part
        taken += part
    if taken:
        lines.append(
            PlanLine(
                rank=max((line.rank for line in lines), default=0) + 1,
                class_key="residence_reserve",
                class_title="保留租金 (申请执行人让与)",
                basis="异议复议规定 第二十条第一款第三项",
                ref=RESIDENCE_RESERVE,
                payee=debtor,
                claimed_fen=wanted,
                paid_fen=taken,
            )
        )
    conceded = DistributionPlan(
        proceeds_fen=plan.proceeds_fen, lines=lines, surplus_to_debtor_fen=plan.surplus_to_debtor_fen
    )
    return conceded, taken


def _ranks(cls: PriorityClass, claims: list[Claim]) -> list[list[Claim]]:
    if not claims:
        return []
    if cls.ordering is Ordering.PRO_RATA:
        return [claims]
    if cls.ordering is Ordering.SEIZURE_ORDER:
        return [[c for c, _ in g] for g in _by_key([(c, 0) for c in claims], lambda p: _seizure_key(p[0]))]
    return _security_ranks(claims)


def _security_ranks(claims: list[Claim]) -> list[list[Claim]]:
    """Registered securities by registration time (ties share a rank), then unregistered ones pro rata
    (民法典 Art. 414); each tax goes just before the first security created after its arrears arose
    (税收征管法 Art. 45). A tax that precedes no security stays for the next class."""
    securities = [c for c in claims if c.kind is ClaimKind.SECURED]
    registered = sorted((c for c in securities if c.registered_at), key=lambda c: c.registered_at or datetime.min)
    ranks: list[list[Claim]] = [list(g) for _, g in groupby(registered, key=lambda c: c.registered_at)]
    unregistered = [c for c in securities if c.registered_at is None]
    if unregistered:
        ranks.append(unregistered)
    taxes_before: dict[int, list[Claim]] = {}
    for tax in sorted((c for c in claims if c.kind is ClaimKind.TAX), key=lambda c: c.tax_arrears_since or date.min):
        for i, rank in enumerate(ranks):
            if any(_tax_precedes(tax, s) for s in rank):
                taxes_before.setdefault(i, []).append(tax)
                break
    ordered: list[list[Claim]] = []
    for i, rank in enumerate(ranks):
        if i in taxes_before:
            ordered.append(taxes_before[i])
        ordered.append(rank)
    return ordered


def _tax_precedes(tax: Claim, security: Claim) -> bool:
    created = security.security_created_on
    return created is not None and tax.tax_arrears_since is not None and tax.tax_arrears_since < created


def _seizure_key(claim: Claim) -> tuple[int, datetime]:
    # Claims without a seizure of their own come after every seizing creditor.
    return (0, claim.seized_at) if claim.seized_at else (1, datetime.min)


def _by_key(
    pairs: list[tuple[Claim, int]], key: Callable[[tuple[Claim, int]], tuple[int, datetime]]
) -> list[list[tuple[Claim, int]]]:
    return [list(g) for _, g in groupby(sorted(pairs, key=key), key=key)]


class PrincipalRequired(ValueError):
    """The doubled interest cannot be computed: the principal within the adjudicated amount is not given."""


def doubled_interest_base_fen(claim: Claim) -> int:
    """What the doubled interest runs on: the principal debt, not the general interest or the costs in
    the adjudicated amount (迟延利息解释 Art. 1: 除一般债务利息之外的金钱债务). Never the whole amount by
    default: a claim whose interest is computed must give its principal."""
    if claim.principal_fen is None:
        raise PrincipalRequired(
            f"principal_fen: required for {claim.claim_id!r} to compute the doubled interest (迟延利息解释 第一条)"
        )
    return claim.principal_fen


def debtor_share_hold(open_claims: Sequence[str], disputed_fen: int) -> str | None:
    """Why nothing may reach the debtor yet, or None. A security the court knows of is extinguished by the
    sale and paid from the price (拍卖变卖规定 Art. 28): while a known mortgagee or another seizing court
    has not declared, or an objection to the plan is unresolved (民诉法解释 Arts. 509–510), the debtor's
    share stays in the case account (提存)."""
    reasons = []
    if open_claims:
        reasons.append(f"已知债权人尚未申报或未受偿: {', '.join(open_claims)} (拍卖变卖规定 第二十八条)")
    if disputed_fen:
        reasons.append(f"分配方案异议未解决, 争议款 {disputed_fen} 分已提存 (民诉法解释 第五百零九条、第五百一十条)")
    return "; ".join(reasons) or None


def delayed_interest_fen(
    debt_fen: int, performance_due: date, until: date, daily_rate: Decimal, excluded_days: int = 0
) -> int:
    """加倍部分债务利息 = unpaid adjudicated debt × daily rate × days of delay (迟延利息解释 Arts. 1–3).

    Delay runs from the day after ``performance_due`` to ``until`` (payment, deduction, or the day the
    成交/抵债 ruling takes effect), less stays not caused by the debtor. Rounded half up to the fen.
    """
    days = max((until - performance_due).days - excluded_days, 0)
    exact = Decimal(debt_fen) * daily_rate * days
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


# --- an objection to the plan and the others' answer (民诉法解释 Art. 510) ------------------------------------


class ObjectionOutcome(StrEnum):
    """What becomes of one written objection to the plan (分配方案异议), 民诉法解释 Art. 510 (2022):
    the court notifies the creditors and the debtor who did not object; then"""

    REVISED = "revised"  # no opposition within 15 days of the notice: the plan is revised per the objection
    ORIGINAL_PLAN = "original_plan"  # opposed, and the objector did not sue within 15 days: the plan as it was
    DEPOSITED = "deposited"  # opposed and sued (分配方案异议之诉): the disputed amount is deposited (提存)


# Art. 510 as a table: (someone opposed within the period, the objector sued within the period) → outcome.
# Without an opposition there is nothing to sue over, so the suit is not asked.
OBJECTION_OUTCOMES: dict[tuple[bool, bool], ObjectionOutcome] = {
    (False, False): ObjectionOutcome.REVISED,
    (False, True): ObjectionOutcome.REVISED,
    (True, False): ObjectionOutcome.ORIGINAL_PLAN,
    (True, True): ObjectionOutcome.DEPOSITED,
}


def objection_outcome(opposed: bool, sued: bool) -> ObjectionOutcome:
    """Art. 510: 未提出反对意见的, 依异议人的意见对分配方案审查修正; 提出反对意见, 异议人逾期未起诉的, 按照原分配
    方案分配; 诉讼期间进行分配的, 提存与争议债权数额相应的款项."""
    return OBJECTION_OUTCOMES[(opposed, sued)]


def revise_for_objection(
    plan: DistributionPlan, ref: str, disputed_fen: int, in_favour_of: str | None
) -> DistributionPlan:
    """The plan revised per an unopposed objection (Art. 510): the disputed amount leaves ``ref``'s
    lowest-ranked lines and goes to the line the objector claims it for — its own claim, or the debtor's
    surplus when ``in_favour_of`` is None. Sums to the same proceeds."""
    lines = [line.model_copy() for line in plan.lines]
    moved = 0
    for line in reversed(lines):
        if line.ref == ref and moved < disputed_fen:
            part = min(line.paid_fen, disputed_fen - moved)
            line.paid_fen -= part
            moved += part
    surplus = plan.surplus_to_debtor_fen
    target = next((line for line in lines if line.ref == in_favour_of), None) if in_favour_of else None
    if target is None:
        surplus += moved
    else:
        target.paid_fen += moved
    return DistributionPlan(proceeds_fen=plan.proceeds_fen, lines=lines, surplus_to_debtor_fen=surplus)
