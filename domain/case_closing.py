"""Closing an enforcement case (结案), DOMAIN §17.6: the six modes of 执行工作规定 Art. 64, each with its
checklist and the measures it must release or may keep — kept as data (``CLOSING_RULES``).

A case closes only when every matter has ended and no measure is in force that its mode does not keep
(the register's kinds: freeze, seize, dishonest-list, consumption-restriction). Suspension (中止) and stays
(暂缓) do not close a case [I].
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.closure import ART_517, SIGNATURE_OR_APPROVAL_REQUIRED, earliest_closure

FREEZE, SEIZE = "freeze", "seize"
DISHONEST_LIST, CONSUMPTION_RESTRICTION = "dishonest-list", "consumption-restriction"
ALL_MEASURES = frozenset({FREEZE, SEIZE, DISHONEST_LIST, CONSUMPTION_RESTRICTION})


class ClosingMode(StrEnum):
    COMPLETED = "completed"  # 执行完毕
    CURRENT_PROCEDURE_ENDED = "current-procedure-ended"  # 终结本次执行程序 (终本)
    TERMINATED = "terminated"  # 终结执行
    CANCELLED = "cancelled"  # 销案
    NOT_ENFORCED = "not-enforced"  # 不予执行
    APPLICATION_DISMISSED = "application-dismissed"  # 驳回申请


class ClosingRule(BaseModel):
    mode: ClosingMode
    title: str
    basis: str
    checklist: dict[str, str] = Field(description="item → what it means, in the users' words")
    document: str = Field(description="the document that closes it")
    keeps: frozenset[str] = Field(default=frozenset(), description="register kinds that may stay in force")
    needs_zero_balance: bool = False
    needs_three_months: bool = False
    needs_closure_ruling: bool = False


CLOSING_RULES: dict[ClosingMode, ClosingRule] = {
    r.mode: r
    for r in (
        ClosingRule(
            mode=ClosingMode.COMPLETED,
            title="执行完毕",
            basis="执行工作规定第六十四条; 查扣冻规定第二十八条第(四)项; 失信规定第十条第(一)(二)项; 限消规定第九条",
            checklist={"performance_confirmed": "已全部履行 (自动履行、强制执行或和解协议履行完毕)"},
            document="结案通知书",
            needs_zero_balance=True,
        ),
        ClosingRule(
            mode=ClosingMode.CURRENT_PROCEDURE_ENDED,
            title="终结本次执行程序",
            basis="民诉法解释第五百一十七条; 终本规定 (法〔2016〕373号) 第一条 [S]",
            checklist={
                "notice_served": "已发出执行通知、报告财产令 (第一条第(一)项)",
                "consumption_order_issued": "已发出限制消费令, 依法纳入失信名单 (第一条第(二)项)",
                "investigation_exhausted": "已穷尽财产调查措施, 未发现可供执行的财产 (第一条第(三)项)",
                "whereabouts_and_obstruction": "已查找下落不明的被执行人并处置妨害执行行为 (第一条第(五)项)",
            },
            document="终结本次执行程序裁定书",
            # Measures stay under 终本 (the five-year watch runs on them); 限消 must stay (Art. 1(二)).
            keeps=ALL_MEASURES,
            needs_three_months=True,
            # 民诉法解释 Art. 517: the applicant's signature or the panel and the president — on record in the case
            # as the closure matter's ruling, not a box the judge ticks.
            needs_closure_ruling=True,
        ),
        ClosingRule(
            mode=ClosingMode.TERMINATED,
            title="终结执行",
            basis="民事诉讼法第二百六十八条; 执行工作规定第六十一、六十二条; 失信规定第十条第(七)项",
            checklist={"ground_established": "具有民事诉讼法第二百六十八条等规定的终结执行情形"},
            document="终结执行裁定书",
        ),
        ClosingRule(
            mode=ClosingMode.CANCELLED,
            title="销案",
            basis="执行程序解释第二、三条 [I: 称销案为推断]",
            checklist={"duplicate_or_jurisdiction": "重复立案, 或管辖异议成立"},
            document="销案通知书",
            # A duplicate docket's controlled property goes over to the first court (执行程序解释 Art. 2).
            keeps=frozenset({FREEZE, SEIZE}),
        ),
        ClosingRule(
            mode=ClosingMode.NOT_ENFORCED,
            title="不予执行",
            basis="民事诉讼法第二百四十八、二百四十九条; 民诉法解释第四百八十一条; 失信规定第十条第(六)项",
            checklist={"ruling_effective": "不予执行的裁定已生效"},
            document="不予执行裁定书",
        ),
        ClosingRule(
            mode=ClosingMode.APPLICATION_DISMISSED,
            title="驳回申请",
            basis="2014意见第二十条 [I, recalled]",
            checklist={"inadmissible": "立案后发现不符合受理条件"},
            document="驳回执行申请裁定书",
        ),
    )
}


class ClosingProblem(BaseModel):
    code: str
    field: str
    message: str


def closing_problems(
    mode: ClosingMode,
    checklist: dict[str, bool],
    *,
    open_matters: list[str],
    in_force: list[tuple[str, str]],
    balance_fen: int,
    filed_on: date,
    today: date,
    closure_ruled: bool = False,
) -> list[ClosingProblem]:
    """What stands in the way of closing with ``mode`` on ``today`` (empty: it may close). ``in_force`` are
    (register kind, description) of the measures still in force."""
    rule = CLOSING_RULES[mode]
    problems = [
        ClosingProblem(code="CHECKLIST_INCOMPLETE", field=f"checklist.{item}", message=f"{rule.title}: 未确认 {words}")
        for item, words in rule.checklist.items()
        if not checklist.get(item)
    ]
    if rule.needs_closure_ruling and not closure_ruled:
        problems.append(
            ClosingProblem(
                code=SIGNATURE_OR_APPROVAL_REQUIRED,
                field="mode",
                message=f"{ART_517}: 终结本次执行程序须申请执行人签字确认, 或经合议庭审查核实并报院长批准 — "
                "本案尚无这样作出的终本裁定 (请由终本事项裁定)",
            )
        )
    if open_matters:
        problems.append(
            ClosingProblem(
                code="MATTERS_OPEN",
                field="matters",
                message=f"尚有 {len(open_matters)} 个执行事项未办结, 不能结案: {', '.join(open_matters)}",
            )
        )
    unreleased = [f"{kind} {what}".strip() for kind, what in in_force if kind not in rule.keeps]
    if unreleased:
        problems.append(
            ClosingProblem(
                code="MEASURES_NOT_RELEASED",
                field="measures",
                message=f"以{rule.title}结案须先解除这些措施: {'; '.join(unreleased)}",
            )
        )
    if rule.needs_zero_balance and balance_fen > 0:
        problems.append(
            ClosingProblem(code="BALANCE_NOT_ZERO", field="mode", message="尚未全部执行到位, 不能以执行完毕结案")
        )
    if rule.needs_three_months and today < earliest_closure(filed_on):
        problems.append(
            ClosingProblem(
                code="TOO_EARLY",
                field="mode",
                message=f"立案未满三个月, 最早于 {earliest_closure(filed_on).isoformat()} 终结本次执行程序",
            )
        )
    return problems
