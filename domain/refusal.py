"""Refusal to execute a judgment or ruling (拒不执行判决、裁定罪, 刑法 Art. 313) as the executing court
refers it: the grounds that make a refusal "serious", the checks a referral must pass, and who may
prosecute privately. Source: 拒执解释 (法释〔2024〕13号, in force 2024-12-01), DOMAIN.md §9.

Pure rules: plain values in, plain values out; no Temporal.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from enum import StrEnum
from importlib import resources


class DutyHolder(StrEnum):
    """负有执行义务的人 (Art. 1): natural persons or entities."""

    DEBTOR = "judgment-debtor"  # 被执行人
    ASSISTING_PARTY = "assisting-party"  # 协助执行义务人
    GUARANTOR = "guarantor"  # 担保人
    ACCOMPLICE = "accomplice"  # 通谋的案外人 (Art. 8: punished as an accomplice)


class Ground(StrEnum):
    """The conduct a referral rests on. ``serious-*`` are Art. 3 (情节严重), ``especially-*`` Art. 4
    (情节特别严重); ``pre-judgment-hiding`` is Art. 6."""

    GRATUITOUS_DISPOSAL = "serious-1-gratuitous-disposal"  # 无偿处分、虚假和解、虚假转让
    REDUCING_ASSETS = "serious-2-reducing-assets"  # 高价受让、为他人担保
    DESTROYING_EVIDENCE = "serious-3-destroying-evidence"  # 伪造、毁灭、隐匿履行能力证据
    REPORTING_AFTER_SANCTION = "serious-4-reporting-after-sanction"  # 拒绝或虚假报告财产、违反限消令
    HANDOVER_AFTER_SANCTION = "serious-5-handover-after-sanction"  # 拒不交付财物、迁出房屋
    ACT_AFTER_SANCTION = "serious-6-act-after-sanction"  # 拒不履行作为义务
    PROTECTION_ORDER_AFTER_SANCTION = "serious-7-protection-order-after-sanction"  # 违反人身安全保护令等
    OBSTRUCTING_OFFICERS = "serious-8-obstructing-officers"  # 阻碍执行人员进入现场
    DESTROYING_EQUIPMENT = "serious-9-destroying-equipment"  # 毁损、抢夺案件材料、车辆、器械
    OTHER_SERIOUS = "serious-10-other"  # 其他情节严重
    FALSE_LITIGATION = "especially-1-false-litigation"  # 虚假诉讼、仲裁、公证
    MOBBING = "especially-2-mobbing"  # 聚众冲击执行现场
    VIOLENCE = "especially-3-violence"  # 暴力攻击执行人员
    SEVERE_CONSEQUENCES = "especially-4-severe-consequences"  # 致申请执行人自杀、自残等
    OTHER_ESPECIALLY_SERIOUS = "especially-5-other"  # 其他情节特别严重
    PRE_JUDGMENT_HIDING = "pre-judgment-hiding"  # Art. 6: 诉讼开始后、裁判生效前隐藏、转移财产

    @property
    def article(self) -> str:
        if self is Ground.PRE_JUDGMENT_HIDING:
            return "第六条"
        item = self.value.split("-")[1]
        return f"{'第三条' if self.value.startswith('serious') else '第四条'}第({item})项"

    @property
    def especially_serious(self) -> bool:
        return self.value.startswith("especially")


# Art. 3 items (4)–(7): serious only "经采取罚款、拘留等强制措施后仍…" — after a fine or detention.
AFTER_SANCTION = frozenset(
    {
        Ground.REPORTING_AFTER_SANCTION,
        Ground.HANDOVER_AFTER_SANCTION,
        Ground.ACT_AFTER_SANCTION,
        Ground.PROTECTION_ORDER_AFTER_SANCTION,
    }
)


def grounds_problem(grounds: Iterable[Ground], sanctioned: bool) -> str | None:
    """Why these grounds cannot carry a referral, or None. Items (4)–(7) of Art. 3 need a fine or
    detention (罚款、拘留) already imposed and the refusal continuing after it."""
    chosen = set(grounds)
    if not chosen:
        return "refusal_grounds: name at least one ground of 拒执解释 Art. 3, 4 or 6"
    needing = sorted(g.value for g in chosen & AFTER_SANCTION)
    if needing and not sanctioned:
        return (
            f"refusal_grounds: {', '.join(needing)} apply only after a fine or detention (拒执解释 Art. 3(4)–(7)); "
            "record the coercive measure taken first"
        )
    return None


def heavier_punishment(maintenance_or_wages: bool) -> bool:
    """Art. 10: refusing to pay maintenance, support, medical costs or wages (劳动报酬) is punished more
    heavily — the referral letter says so."""
    return maintenance_or_wages


def private_prosecution_open(police_declined: bool, procuratorate_declined: bool) -> bool:
    """Art. 14(2): the applicant may prosecute privately (自诉) once the police or the procuratorate
    declined to pursue the person after the applicant's complaint."""
    return police_declined or procuratorate_declined


def private_prosecution_problem(declined_by_body: str | None, declining_document: str) -> str | None:
    """Art. 14(2) as the decision checks it: which body declined the applicant's own complaint, and the
    document by which it did; without them the private prosecution is not open."""
    if not private_prosecution_open(declined_by_body == "police", declined_by_body == "procuratorate"):
        return (
            "complaint_declined_by: 自诉须以公安机关或人民检察院对申请执行人控告决定不予追究为前提 "
            "(拒执解释 第十四条第二款) / name the police or procuratorate that declined the complaint"
        )
    if not declining_document.strip():
        return "declined_by: 写明不予追究的机关及文书 (拒执解释 第十四条第二款) / the declining document"
    return None


# The departments of a referral that belong to the executing court's district (Art. 15: the court where the
# executing court sits has jurisdiction, so the police and procuratorate of that place investigate and
# prosecute) — never a catalogue's sample agency for every court.
DISTRICT_DEPARTMENTS = ("police", "procuratorate")


# A row's other body: the court's higher court (上一级人民法院), which decides a reconsideration (复议), e.g. of
# a refused 失信 correction (失信规定 Art. 12).
HIGHER_COURT = "higher_court"
DISTRICT_KEYS = (*DISTRICT_DEPARTMENTS, HIGHER_COURT)


@functools.cache
def court_districts() -> dict[str, dict[str, str]]:
    """Court → {department → agency id} of its district and its higher court (``court_districts.json``,
    configuration as data)."""
    raw = json.loads(resources.files("domain").joinpath("court_districts.json").read_text(encoding="utf-8"))
    table: dict[str, dict[str, str]] = raw["courts"]
    for court, bodies in table.items():
        if set(bodies) != set(DISTRICT_KEYS):
            raise ValueError(f"court_districts.json: {court} names {sorted(bodies)}, not {list(DISTRICT_KEYS)}")
    return table


def higher_court_agency(court: str) -> str:
    """The agency of ``court``'s higher court (上一级人民法院) from configuration, or "" where none is configured."""
    return court_districts().get(court, {}).get(HIGHER_COURT, "")


def district_agencies(
    court: str, overrides: Mapping[str, str], districts: Mapping[str, Mapping[str, str]] | None = None
) -> dict[str, str] | str:
    """The agencies a referral from ``court`` goes to for the district's departments: the court's district
    from configuration, where the judge did not name one (a designated body, e.g. 指定管辖). Returns the
    agencies, or a problem when a department has neither."""
    table = court_districts() if districts is None else districts
    own = table.get(court, {})
    chosen = {dept: overrides.get(dept) or own.get(dept, "") for dept in DISTRICT_DEPARTMENTS}
    missing = [dept for dept, agency in chosen.items() if not agency]
    if missing:
        return (
            f"agencies: 本院辖区的{'、'.join(missing)}未配置, 请指定受移送机关 (拒执解释 第十五条) / "
            f"no {' or '.join(missing)} is configured for the district of {court}: name it in agencies"
        )
    return chosen
