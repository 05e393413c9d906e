"""Distribution of the proceeds (分配): the creditors the register shows (mortgagees, other courts'
seizures) notified and invited to declare, the plan by legal priority (``domain.distribution``) approved
by the judge and served on every creditor and the debtor, the parties' 15-day objection window (disputed
amounts stay in escrow, 民诉法解释 Arts. 509–510), then payment by the bank holding the case account: the
creditors first, and the debtor only when no known security and no dispute is open."""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError

with workflow.unsafe.imports_passed_through():
    from activities.disposal_payments import PaymentActivities, PayoutInput, PayoutItem
    from domain.auction import apply_forfeited_deposit
    from domain.distribution import (
        RESIDENCE_RESERVE,
        ClaimKind,
        DistributionPlan,
        ObjectionOutcome,
        concede_to_debtor,
        debtor_share_hold,
        delayed_interest_fen,
        doubled_interest_base_fen,
        objection_outcome,
        plan_distribution,
        revise_for_objection,
    )
    from domain.documents import APPLICANT, DEBTOR, DocumentKind
    from domain.joint_review import KnownCreditor, known_creditors
    from domain.legal_params import P as LP
    from domain.legal_time import CHINA_TZ
    from domain.money import format_yuan
    from workflows.foundation import retries
    from workflows.foundation.case_link import RecoverySource
    from workflows.foundation.timeline import failure_code
    from workflows.real_estate_disposal.models import (
        APPROVE_PLAN,
        COUNTER_OBJECTION,
        DECLARE_CLAIM,
        DISTRIBUTION_OBJECTION,
        OBJECTOR_SUIT,
        ClaimDeclaration,
        Cost,
        CounterObjection,
        Creditor,
        DistributionObjection,
        ObjectorSuit,
        Payment,
        PaymentStatus,
        Status,
    )

from workflows.real_estate_disposal.case import CALL, DisposalCase

APPLICATION_FEE = "application-fee"  # the fee's line in the plan
APPLICATION_FEE_PATCH = "distribution-application-fee"
# Runs recorded before the plan was the judge's decision (no invitation, approval or debtor's hold) keep
# their path.
PLAN_DECISION_PATCH = "distribution-plan-decision"
# Runs recorded before an objection was settled per 民诉法解释 Art. 510 kept its amount in escrow for good.
COUNTER_OBJECTION_PATCH = "distribution-counter-objection"
# Runs recorded before the plan was served as a document (执行财产分配方案) and each payment to the case's
# applicants was told by a 执行款发放通知书 only noted both on the timeline.
DOCUMENTS_PATCH = "distribution-documents"
SURPLUS = "surplus"
DEBTOR_REFS = (RESIDENCE_RESERVE, SURPLUS)


async def distribute(case: DisposalCase, taker: str | None) -> None:
    req, params = case.req, case.params
    assert case.sale_price_fen is not None
    _apply_forfeitures(case)
    # A forfeited deposit pays the costs the default caused and joins the money for this case (Art. 24).
    default_costs = [
        Cost(
            cost_id=f"default-costs-{i + 1}",
            title="悔拍造成的拍卖费用",
            payee=req.court,
            amount_fen=f.auction_costs_fen,
        )
        for i, f in enumerate(case.forfeitures)
        if f.auction_costs_fen
    ]
    proceeds = case.sale_price_fen + sum(f.into_proceeds_fen + f.auction_costs_fen for f in case.forfeitures)
    decided = workflow.patched(PLAN_DECISION_PATCH)
    if decided:
        await _invite_known_creditors(case)
    case.claims = [*_claims_with_interest(case), *case.tax_claims, *_known_claims(case)]
    costs = [*req.execution_costs, *default_costs, *_application_fee(case)]
    plan = plan_distribution(proceeds, costs, case.claims, case.inp.rules)
    if case.residence_reserve_fen and case.residence_conceded_by:
        plan, reserved = concede_to_debtor(
            plan, case.residence_conceded_by, case.residence_reserve_fen, req.debtor.name
        )
        if decided and reserved < case.residence_reserve_fen:
            # Said, not silent: the concession cannot take more than the conceding creditor receives.
            case.timeline.record(
                "residence_reserve_capped",
                wanted_fen=case.residence_reserve_fen,
                reserved_fen=reserved,
                conceded_by=case.residence_conceded_by,
                basis="异议复议规定 第二十条第一款第三项",
            )
    case.plan = plan
    reserve = plan.paid_to(RESIDENCE_RESERVE)
    if decided:
        _record_plan(case, proceeds, reserve)
        case.set_status(Status.AWAITING_PLAN_APPROVAL)
        await case.decided(APPROVE_PLAN)
        case.timeline.record("plan_served", served_on=_served_on(case), basis="民诉法解释 第五百零九条")
        await _issue_plan(case, plan, proceeds)
    case.set_status(Status.DISTRIBUTION_OBJECTION_WINDOW)
    if not decided:  # recorded histories drew the plan up after this status
        _record_plan(case, proceeds, reserve)
    window = await case.period("distribution_objection", params.duration(LP.DISTRIBUTION_OBJECTION))
    while (decision := await case.decision_within(DISTRIBUTION_OBJECTION, window)) is not None:
        objection = DistributionObjection.model_validate(decision.payload)
        case.escrow[objection.ref] = case.escrow.get(objection.ref, 0) + objection.disputed_fen
        case.objections.append(objection)
        case.timeline.record("distribution_objection", decision.reason, **objection.model_dump())
    if case.objections and workflow.patched(COUNTER_OBJECTION_PATCH):
        await _settle_objections(case)
    case.set_status(Status.PAYING)
    await _pay(case, taker, reserve, decided)


async def _settle_objections(case: DisposalCase) -> None:
    """民诉法解释 Art. 510: the creditors and the debtor who did not object are told and may oppose within 15
    days; an unopposed objection revises the plan; an opposed objector may sue within 15 days — the
    disputed amount is deposited (提存) while the suit runs, and without a suit the original plan is paid."""
    params = case.params
    case.set_status(Status.COUNTER_OBJECTION_WINDOW)
    refs = sorted({o.ref for o in case.objections})
    case.timeline.record(
        "objection_notified", objections=refs, served_on=_served_on(case), basis="民诉法解释 第五百一十条"
    )
    window = await case.period("counter_objection", params.duration(LP.DISTRIBUTION_COUNTER_OBJECTION))
    while (decision := await case.decision_within(COUNTER_OBJECTION, window)) is not None:
        counter = CounterObjection.model_validate(decision.payload)
        case.opposed.add(counter.ref)
        case.timeline.record("counter_objection", decision.reason, ref=counter.ref)
    sued: set[str] = set()
    if case.opposed:
        case.set_status(Status.OBJECTOR_SUIT_WINDOW)
        window = await case.period("objector_suit", params.duration(LP.DISTRIBUTION_OBJECTOR_SUIT))
        while sued != case.opposed and (decision := await case.decision_within(OBJECTOR_SUIT, window)) is not None:
            suit = ObjectorSuit.model_validate(decision.payload)
            sued.add(suit.ref)
            case.timeline.record("objector_sued", ref=suit.ref, suit_ref=suit.suit_ref)
    assert case.plan is not None
    for objection in case.objections:
        outcome = objection_outcome(objection.ref in case.opposed, objection.ref in sued)
        if outcome is not ObjectionOutcome.DEPOSITED:
            case.escrow[objection.ref] = max(case.escrow.get(objection.ref, 0) - objection.disputed_fen, 0)
        if outcome is ObjectionOutcome.REVISED:
            case.plan = revise_for_objection(case.plan, objection.ref, objection.disputed_fen, objection.in_favour_of)
        case.timeline.record(
            "objection_settled",
            ref=objection.ref,
            outcome=outcome.value,
            disputed_fen=objection.disputed_fen,
            in_favour_of=objection.in_favour_of,
        )


async def _issue_plan(case: DisposalCase, plan: DistributionPlan, proceeds: int) -> None:
    """The 执行财产分配方案 the judge approved, served on the case's applicants and debtor in their case space
    (民诉法解释 Art. 509; the other creditors the register named are served on paper, as the timeline says):
    one line a payee share, in payment order, and the 15 days for objections."""
    lines = [
        f"{line.rank}|{line.class_title}|{line.payee}|{format_yuan(line.claimed_fen)}|{format_yuan(line.paid_fen)}"
        for line in plan.lines
    ]
    fields = {
        **case.party_fields(),
        "proceeds_fen": proceeds,
        "lines": lines,
        "surplus_fen": plan.surplus_to_debtor_fen or None,
        "objection_days": str(case.params.duration(LP.DISTRIBUTION_OBJECTION).amount),
    }
    await case.documents.issue(
        "distribution-plan",
        DocumentKind.DISTRIBUTION_PLAN,
        fields,
        patch=DOCUMENTS_PATCH,
        issued_on=case.legal_now().astimezone(CHINA_TZ).date(),
        addressed_to=(APPLICANT, DEBTOR),
    )


async def _issue_payout_notices(case: DisposalCase) -> None:
    """A 执行款发放通知书 to each of the case's own creditors the bank paid (or whose share was set off by a taking
    in kind): the amount, the day, how, and what stays in escrow while an objection is disputed."""
    req = case.req
    paid_on = case.legal_now().astimezone(CHINA_TZ).date()
    for creditor in req.creditors:
        mine = [p for p in case.payments if p.ref == creditor.claim_id]
        paid = [p for p in mine if p.status == PaymentStatus.PAID]
        set_off = [p for p in mine if p.status == PaymentStatus.SET_OFF]
        held = sum(p.amount_fen for p in mine if p.status == PaymentStatus.ESCROWED)
        if not paid and not set_off:
            continue
        channel = "转入你方指定的银行账户" if paid else "以物抵债的方式冲抵你方应得的价款"
        fields = {
            "payee_name": creditor.creditor,
            "applicant_name": case.party_fields()["applicant_name"],
            "debtor_name": req.debtor.name,
            "source": f"处置被执行人所有的{req.property.description}所得价款",
            "paid_on": paid_on,
            "amount_fen": sum(p.amount_fen for p in (*paid, *set_off)),
            "channel": channel,
            "held_fen": held or None,
            "held_reason": "因分配方案异议涉及争议，依法予以提存",
        }
        await case.documents.issue(
            f"payout-notice/{creditor.claim_id}",
            DocumentKind.PAYOUT_NOTICE,
            fields,
            patch=DOCUMENTS_PATCH,
            issued_on=paid_on,
            addressed_to=(APPLICANT,),
        )


def _record_plan(case: DisposalCase, proceeds: int, reserve: int) -> None:
    plan = case.plan
    assert plan is not None
    case.timeline.record(
        "distribution_plan",
        proceeds_fen=proceeds,
        residence_reserve_fen=reserve,
        lines=len(plan.lines),
        surplus_fen=plan.surplus_to_debtor_fen,
    )


async def _invite_known_creditors(case: DisposalCase) -> None:
    """The register's mortgagees and other seizing courts not among the creditors are notified and
    invited to declare (民诉法解释 Art. 506; 拍卖变卖规定 Art. 28); the judge records each declaration as
    the court receives it, until all have declared or the declaration period ends."""
    req = case.req
    case.known = known_creditors(case.title, req.court, req.case_number, {c.creditor for c in req.creditors})
    if not case.known:
        return
    for known in case.known:
        case.timeline.record(
            "creditor_invited",
            claim_id=known.claim_id,
            holder=known.holder,
            kind=known.kind.value,
            secured_amount_fen=known.secured_amount_fen,
            basis=known.basis,
        )
    case.set_status(Status.CLAIM_DECLARATION)
    window = await case.period("claim_declaration", case.params.duration(LP.DISTRIBUTION_CLAIM_DECLARATION))
    while len(case.declared) < len(case.known):
        decision = await case.decision_within(DECLARE_CLAIM, window)
        if decision is None:
            break
        declaration = ClaimDeclaration.model_validate(decision.payload)
        known = next(k for k in case.known if k.claim_id == declaration.claim_id)
        case.declared[known.claim_id] = _declared_claim(known, declaration)
        case.timeline.record(
            "claim_declared", decision.reason, claim_id=known.claim_id, amount_fen=declaration.amount_fen
        )
    undeclared = [k.claim_id for k in case.known if k.claim_id not in case.declared]
    if undeclared:
        case.timeline.record("claims_undeclared", claim_ids=undeclared)


def _declared_claim(known: KnownCreditor, declaration: ClaimDeclaration) -> Creditor:
    secured = known.kind is ClaimKind.SECURED
    return Creditor(
        claim_id=known.claim_id,
        creditor=declaration.creditor or known.holder,
        kind=known.kind,
        amount_fen=declaration.amount_fen,
        principal_fen=declaration.principal_fen,
        registered_at=known.registered_at if secured else None,
        secured_limit_fen=known.secured_amount_fen if secured and known.maximum_amount else None,
        seized_at=None if secured else known.registered_at,
        id_number=declaration.id_number,
        account=declaration.account,
    )


def _known_claims(case: DisposalCase) -> list[Creditor]:
    """The declared claims; a mortgage that did not declare still ranks for its registered amount, held
    by the court (提存) — the auction extinguished it, its price stands in its place (Art. 28)."""
    out = []
    for known in case.known:
        if known.claim_id in case.declared:
            out.append(case.declared[known.claim_id])
        elif known.kind is ClaimKind.SECURED and known.secured_amount_fen:
            out.append(
                Creditor(
                    claim_id=known.claim_id,
                    creditor=known.holder,
                    kind=ClaimKind.SECURED,
                    amount_fen=known.secured_amount_fen,
                    registered_at=known.registered_at,
                )
            )
    return out


def _served_on(case: DisposalCase) -> list[str]:
    """Every creditor in the plan and the debtor (民诉法解释 Art. 509)."""
    names = [c.creditor for c in case.claims] + [case.req.debtor.name]
    return list(dict.fromkeys(names))


def _open_known_claims(case: DisposalCase) -> list[str]:
    """Known creditors not yet paid in full: undeclared, or their share held or failed."""
    paid: dict[str, int] = {}
    for p in case.payments:
        if p.status in (PaymentStatus.PAID, PaymentStatus.SET_OFF):
            paid[p.ref] = paid.get(p.ref, 0) + p.amount_fen
    assert case.plan is not None
    return [
        k.claim_id
        for k in case.known
        if k.claim_id not in case.declared or paid.get(k.claim_id, 0) < case.plan.paid_to(k.claim_id)
    ]


def _application_fee(case: DisposalCase) -> list[Cost]:
    """申请执行费 (诉讼费用交纳办法 Art. 14(一)): borne by the debtor and paid after enforcement (Arts. 20,
    38), so the court takes it from the proceeds with the other costs, first. Runs recorded before the fee
    was part of the plan keep their plan (patch marker)."""
    fee = case.req.application_fee_fen
    listed = any(c.cost_id == APPLICATION_FEE for c in case.req.execution_costs)  # the judge listed it already
    if not fee or listed or not workflow.patched(APPLICATION_FEE_PATCH):
        return []
    return [Cost(cost_id=APPLICATION_FEE, title="申请执行费", payee=case.req.court, amount_fen=fee)]


def _apply_forfeitures(case: DisposalCase) -> None:
    """Each defaulting buyer's deposit, in the Art. 24 order, against the price finally obtained."""
    req = case.req
    for deposit, original in case.forfeited:
        case.forfeitures.append(
            apply_forfeited_deposit(deposit, req.auction_costs_fen, original, case.sale_price_fen, req.amount_owed_fen)
        )


def _claims_with_interest(case: DisposalCase) -> list[Creditor]:
    """The doubled interest runs to the day the 成交/抵债 ruling takes effect (迟延利息解释 Art. 3)."""
    rate = case.params.ratio(LP.DELAYED_INTEREST_DAILY)
    out = []
    for c in case.req.creditors:
        if c.performance_due_on is not None and c.doubled_interest_fen == 0 and case.ruling_effective_on:
            # build_input requires the principal; only runs started before it did lack one.
            base = c.amount_fen if c.principal_fen is None else doubled_interest_base_fen(c)
            interest = delayed_interest_fen(base, c.performance_due_on, case.ruling_effective_on, rate)
            c = c.model_copy(update={"doubled_interest_fen": interest})
        out.append(c)
    return out


async def _pay(case: DisposalCase, taker: str | None, reserve: int, decided: bool) -> None:
    """From the case account; escrowed amounts stay (民诉法解释 Art. 510), an in-kind taker's share is set
    off, a payee without an account is held; items the bank timed out are sent again. The creditors are
    paid first; the debtor's share follows only when no known security and no dispute is open."""
    req, plan = case.req, case.plan
    assert plan is not None
    payees = {c.claim_id: (c.creditor, c.id_number, c.account) for c in req.creditors}
    payees |= {c.cost_id: (c.payee, c.id_number, c.account) for c in req.execution_costs}
    payees[APPLICATION_FEE] = (req.court, "", "")  # the court's own: retained from the case account
    payees |= {c.claim_id: (c.creditor, c.id_number, c.account) for c in case.tax_claims}
    payees |= {c.claim_id: (c.creditor, c.id_number, c.account) for c in _known_claims(case)}
    owed = {line.ref: plan.paid_to(line.ref) for line in plan.lines}
    debtor = (req.debtor.name, req.debtor.id_number, req.debtor_account)
    for ref, amount in ((RESIDENCE_RESERVE, reserve), (SURPLUS, plan.surplus_to_debtor_fen)):
        if amount:
            owed[ref], payees[ref] = amount, debtor
    to_send: list[PayoutItem] = []
    for ref, amount in owed.items():
        name, id_number, account = payees.get(ref, (ref, "", ""))
        held = min(case.escrow.get(ref, 0), amount)
        if held:
            case.payments.append(Payment(ref=ref, payee=name, amount_fen=held, status=PaymentStatus.ESCROWED))
        rest = amount - held
        if rest == 0:
            continue
        if ref == taker:
            case.payments.append(Payment(ref=ref, payee=name, amount_fen=rest, status=PaymentStatus.SET_OFF))
        elif not account or not id_number:
            case.payments.append(Payment(ref=ref, payee=name, amount_fen=rest, status=PaymentStatus.HELD))
        else:
            to_send.append(PayoutItem(ref=ref, payee_name=name, id_number=id_number, account=account, amount_fen=rest))
    if decided:
        await _send_batches(case, [i for i in to_send if i.ref not in DEBTOR_REFS])
        await _pay_debtor(case, [i for i in to_send if i.ref in DEBTOR_REFS])
    else:
        await _send_batches(case, to_send)
    await _report_to_case(case)
    await _issue_payout_notices(case)
    case.timeline.record(
        "paid_out",
        paid_fen=_total(case, PaymentStatus.PAID),
        escrowed_fen=_total(case, PaymentStatus.ESCROWED),
        held_fen=_total(case, PaymentStatus.HELD),
        failed=[p.ref for p in case.payments if p.status == PaymentStatus.FAILED],
    )


async def _report_to_case(case: DisposalCase) -> None:
    """The case's ledger (执行案件): of the price, what the plan gives this case's own claims and its fee is
    recovered (the mortgagees', other creditors' and the debtor's shares are not this case's money: counted
    in, they would show a balance paid that is not); what of it reached the applicants (paid, or set off by
    a taking in kind) is paid out, each payment once."""
    plan, req = case.plan, case.req
    assert plan is not None
    ours = {c.claim_id: c.creditor for c in req.creditors}
    recovered = sum(plan.paid_to(ref) for ref in (*ours, APPLICATION_FEE))
    await case.reporter.recovered("proceeds", recovered, RecoverySource.AUCTION, f"{req.property.description} 变价款")
    for p in case.payments:
        if p.ref in ours and p.status in (PaymentStatus.PAID, PaymentStatus.SET_OFF):
            await case.reporter.paid_out(f"pay-{p.ref}", p.amount_fen, f"分配 {ours[p.ref]}")


async def _pay_debtor(case: DisposalCase, items: list[PayoutItem]) -> None:
    """The debtor's share, after every creditor's: held while a known creditor is unpaid or a dispute open."""
    if not items:
        return
    hold = debtor_share_hold(_open_known_claims(case), sum(case.escrow.values()))
    if hold is None:
        await _send_batches(case, items, step="pay-debtor")
        return
    case.payments += [_payment(i, PaymentStatus.HELD, None) for i in items]
    case.timeline.record("debtor_share_held", hold, held_fen=sum(i.amount_fen for i in items))


async def _send_batches(case: DisposalCase, items: list[PayoutItem], attempts: int = 5, step: str = "pay") -> None:
    req = case.req
    for attempt in range(1, attempts + 1):
        if not items:
            return
        try:
            lines = await workflow.execute_activity_method(
                PaymentActivities.pay_out,
                PayoutInput(
                    bank=req.case_bank,
                    step=f"{step}/{attempt}",
                    case_number=req.case_number,
                    from_account=case.case_account(),
                    items=items,
                ),
                start_to_close_timeout=CALL,
                retry_policy=retries.PARTNER,
            )
        except ActivityError as exc:
            code = failure_code(exc)
            case.payments += [_payment(i, PaymentStatus.FAILED, code) for i in items]
            return
        by_ref = {line.ref: line for line in lines}
        retry = []
        for item in items:
            line = by_ref.get(item.ref)
            if line is None or line.status == "timeout":
                retry.append(item)
            elif line.status == "paid":
                case.payments.append(_payment(item, PaymentStatus.PAID, line.bank_ref))
            else:
                case.payments.append(_payment(item, PaymentStatus.FAILED, line.code or line.status))
        items = retry
        if items:
            # The bank timed some items out: give it a moment more each time before sending them again.
            await workflow.sleep(timedelta(seconds=attempt))
    case.payments += [_payment(i, PaymentStatus.FAILED, "TIMEOUT") for i in items]


def _total(case: DisposalCase, status: PaymentStatus) -> int:
    return sum(p.amount_fen for p in case.payments if p.status == status)


def _payment(item: PayoutItem, status: PaymentStatus, reference: str | None) -> Payment:
    return Payment(ref=item.ref, payee=item.payee_name, amount_fen=item.amount_fen, status=status, reference=reference)
