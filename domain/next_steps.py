"""The next step (下一步): from a case's facts and its matters' results, the matters the law and the facts
allow now, each pre-filled with what is known and with the rule that allows it. Pure: plain values in,
proposals out; the case's workflow asks after each result and shows them as buttons (issue 20 item 6).

- real estate found and seized, still owed → dispose of it (拍卖、变卖, CPL Art. 258);
- nothing to enforce found and more than three months since filing → the 终本 checklist
  (终本规定 Art. 1(四), ``domain.closure.earliest_closure``);
- the debtor ignored the 报告财产令 → 失信 on ground (四) (失信规定 Art. 1(四)) or the sanction (拒执,
  CPL Art. 114; 财产调查规定 Art. 9);
- property found in the 终本 watch → resumption in a linked 执恢 case (终本规定 Art. 9; CPL Art. 268).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from domain.closure import earliest_closure


class ProposalKind(StrEnum):
    MATTER = "matter"  # start a scenario from the case
    RESUMPTION_CASE = "resumption-case"  # open a linked 执恢 case


class MatterOutcome(BaseModel):
    """One matter as the rules see it: its scenario, state and the result facts it reported."""

    scenario: str
    workflow_id: str
    status: str = Field(description="running | awaiting_resumption | … | the matter's final status")
    result: dict[str, int | str | bool] = Field(default_factory=dict)


class HeldMeasure(BaseModel):
    """A measure in force in the case's register (kind as the register names it: freeze, seize …)."""

    register_kind: str
    matter_workflow_id: str
    description: str = ""
    amount_fen: int | None = None
    asset_kind: str | None = Field(default=None, description="deposit, real_estate, vehicle … (domain.assets)")
    unit_number: str | None = Field(default=None, description="不动产单元号 of a seized unit (older registers: none)")
    unit_description: str = Field(default="", description="the unit as the registry reported it")


class CaseSituation(BaseModel):
    today: date
    filed_on: date | None = None
    balance_fen: int
    property_report_ignored: bool = False
    in_force: list[HeldMeasure] = Field(default_factory=list)
    matters: list[MatterOutcome] = Field(default_factory=list)


class Proposal(BaseModel):
    """A next step: what to start, why (zh, en), the rule, and what it is pre-filled with."""

    kind: ProposalKind = ProposalKind.MATTER
    scenario: str | None = Field(default=None, description="the scenario to start (kind = matter)")
    reason: str
    reason_en: str
    law: str
    prefill: dict[str, Any] = Field(default_factory=dict, description="the matter's own fields, pre-filled")
    because_of: str | None = Field(default=None, description="the matter whose result prompts it")


ASSET_INQUIRY = "asset-inquiry"
DISPOSAL = "real-estate-disposal"
CLOSURE = "periodic-reinquiry"
DISHONEST = "dishonest-list"
REFUSAL = "refusal-referral"
RUNNING = "running"


def propose(situation: CaseSituation) -> list[Proposal]:
    """Every next step the facts allow now; none once the balance is paid (full performance closes the
    case, DOMAIN §17.7). A step already taken (its matter started) is not proposed again."""
    if situation.balance_fen <= 0:
        return []
    started = {m.scenario for m in situation.matters}
    return [
        *_disposal(situation, started),
        *_closure(situation, started),
        *_report_ignored(situation, started),
        *_resumption(situation),
    ]


def _disposal(s: CaseSituation, started: set[str]) -> list[Proposal]:
    seized = [m for m in s.in_force if m.register_kind == "seize" and m.asset_kind == "real_estate"]
    if not seized or DISPOSAL in started:
        return []
    return [
        Proposal(
            scenario=DISPOSAL,
            reason=f"已查封不动产 {len(seized)} 处, 尚欠 {s.balance_fen} 分: 可依法拍卖、变卖",
            reason_en=f"{len(seized)} real-estate unit(s) seized with {s.balance_fen} fen still owed: may be sold",
            law="民事诉讼法 第二百五十八条; 网拍规定",
            prefill={"property": _unit(m)},
            because_of=m.matter_workflow_id,
        )
        for m in seized
    ]


def _unit(m: HeldMeasure) -> dict[str, str]:
    """The disposal's unit as the register holds it (a register written before units were structured has
    only its words)."""
    if m.unit_number is None:
        return {"description": m.description}
    return {"unit_number": m.unit_number, "description": m.unit_description or m.description}


def _nothing_found(s: CaseSituation) -> bool:
    inquiries = [m for m in s.matters if m.scenario == ASSET_INQUIRY]
    ended = [m for m in inquiries if m.status != RUNNING]
    return bool(ended) and len(ended) == len(inquiries) and not any(_found(m) for m in ended) and not s.in_force


def _found(m: MatterOutcome) -> bool:
    return any(int(m.result.get(k, 0) or 0) > 0 for k in ("frozen_fen", "deducted_fen", "real_estate"))


def _closure(s: CaseSituation, started: set[str]) -> list[Proposal]:
    if CLOSURE in started or s.filed_on is None or not _nothing_found(s):
        return []
    earliest = earliest_closure(s.filed_on)
    if s.today < earliest:
        return []
    return [
        Proposal(
            scenario=CLOSURE,
            reason=f"网络查控未发现可供执行的财产, 立案已满三个月 ({earliest.isoformat()} 起可终本): 终本核查清单",
            reason_en=f"No property found and over three months since filing (from {earliest.isoformat()}): "
            "the 终本 checklist",
            law="终本规定 第一条 (四)",
        )
    ]


def _report_ignored(s: CaseSituation, started: set[str]) -> list[Proposal]:
    if not s.property_report_ignored:
        return []
    out: list[Proposal] = []
    listed = any(m.register_kind == "dishonest-list" for m in s.in_force)
    if DISHONEST not in started and not listed:
        out.append(
            Proposal(
                scenario=DISHONEST,
                reason="被执行人拒不报告财产: 可纳入失信被执行人名单 (违反财产报告制度)",
                reason_en="The debtor ignored the order to report assets: may be listed as dishonest",
                law="失信规定 第一条 (四); 财产调查规定 第九条",
                prefill={"applicant_requested": False},
            )
        )
    if REFUSAL not in started:
        out.append(
            Proposal(
                scenario=REFUSAL,
                reason="被执行人拒不报告财产: 可予罚款、拘留; 情节严重的移送追究拒执罪",
                reason_en="The debtor ignored the order to report assets: fine, detention, or referral",
                law="民事诉讼法 第一百一十四条; 财产调查规定 第九条; 拒执解释 第三条",
                prefill={"refusal_grounds": ["serious-4-reporting-after-sanction"]},
            )
        )
    return out


def _resumption(s: CaseSituation) -> list[Proposal]:
    return [
        Proposal(
            kind=ProposalKind.RESUMPTION_CASE,
            reason="终本后发现可供执行的财产: 恢复执行, 另立执恢案件",
            reason_en="Property found after 终本: resume enforcement in a linked 执恢 case",
            law="终本规定 第九条; 民事诉讼法 第二百六十八条",
            because_of=m.workflow_id,
        )
        for m in s.matters
        if m.scenario == CLOSURE and (m.status == "awaiting_resumption" or int(m.result.get("hits", 0) or 0) > 0)
    ]
