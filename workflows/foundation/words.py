"""A scenario's words: Chinese first, English beside it, one pair per thing a person reads.

Each scenario folder has a ``words.py`` with one ``WORDS = Words(...)``. The web merges every
scenario's catalogue with its own chrome words; the contract test over ``SCENARIOS`` checks that every
status, decision, form field and result column a scenario shows has both languages here, so nothing
shows raw in the Chinese UI.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

LANGS = ("zh", "en")


class Word(NamedTuple):
    """One thing said in both languages."""

    zh: str
    en: str

    def in_lang(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


# What every scenario naming a party says of it (the same enum value must say the same in every scenario):
# the consumption restriction and the dishonest list.
PARTY_ENUMS = {
    "person": Word("自然人", "Person"),
    "organisation": Word("法人或其他组织", "Organisation"),
    "full-performance": Word("已履行全部义务", "Full performance"),
}
# The nine things a restricted debtor may not do (限消规定 Art. 3, domain.consumption_restriction.RestrictedItem):
# the consumption restriction's forms and the dishonest list's order (issued with its entry) say them alike.
RESTRICTED_ITEM_ENUMS = {
    "flights-soft-sleepers": Word("乘坐飞机、列车软卧、轮船二等以上舱位", "Flights, soft sleepers, 2nd class+ berths"),
    "star-hotels-clubs": Word("星级以上宾馆、酒店、夜总会、高尔夫球场", "Star hotels, nightclubs, golf"),
    "real-estate": Word("购买不动产或新建、扩建、高档装修房屋", "Buying or building real estate"),
    "premium-offices": Word("租赁高档写字楼、宾馆、公寓办公", "Renting premium offices"),
    "vehicles": Word("购买非经营必需车辆", "Buying non-essential vehicles"),
    "travel": Word("旅游、度假", "Travel and holidays"),
    "private-schools": Word("子女就读高收费私立学校", "High-fee private schools"),
    "premium-insurance": Word("支付高额保费购买保险理财产品", "High-premium insurance"),
    "high-speed-trains": Word("乘坐G字头动车组全部座位、其他动车组一等以上座位", "G-trains, first class on EMUs"),
}
PARTY_FIELDS = {
    "case_number": Word("案号", "Case number"),
    "court": Word("执行法院", "Court"),
    "debtor": Word("被执行人", "Debtor"),
    "kind": Word("类型", "Kind"),
    "name": Word("姓名或名称", "Name"),
    "id_number": Word("证件号码", "ID number or credit code"),
}


def _empty() -> Mapping[str, Word]:
    return {}


@dataclass(frozen=True)
class Words:
    """Everything a scenario shows a person, by kind. Keys are the values the code uses (a status
    string, a decision name, a field name); the catalogue namespaces them (``status.<key>`` …) so the
    templates' ``t.word('status', value)`` finds them."""

    title: Word
    statuses: Mapping[str, Word] = field(default_factory=_empty)
    decisions: Mapping[str, Word] = field(default_factory=_empty)
    actions: Mapping[str, Word] = field(default_factory=_empty)  # timeline entries
    fields: Mapping[str, Word] = field(default_factory=_empty)  # form and payload field labels
    help: Mapping[str, Word] = field(default_factory=_empty)  # help under a form field
    summary: Mapping[str, Word] = field(default_factory=_empty)  # the case page's summary entries
    columns: Mapping[str, Word] = field(default_factory=_empty)  # columns of result and summary tables
    tasks: Mapping[str, Word] = field(default_factory=_empty)  # agency task types
    enums: Mapping[str, Word] = field(default_factory=_empty)  # enum values shown in forms and tables
    # What each decision does, said on its panel before the judge takes it (its consequence).
    effects: Mapping[str, Word] = field(default_factory=_empty)

    def enum_zh(self, value: str) -> str:
        """An enum value in Chinese, as a document prints it (the value itself if it has no word)."""
        word = self.enums.get(value)
        return word.zh if word else value

    def catalogue(self, lang: str) -> dict[str, str]:
        """``{"status.freezing": "冻结中", …}`` for one language."""
        out: dict[str, str] = {}
        for prefix, words in (
            ("status", self.statuses),
            ("decision", self.decisions),
            ("action", self.actions),
            ("field", self.fields),
            ("help", self.help),
            ("summary", self.summary),
            ("column", self.columns),
            ("task", self.tasks),
            ("enum", self.enums),
            ("effect", self.effects),
        ):
            for key, word in words.items():
                out[f"{prefix}.{key}"] = word.in_lang(lang)
        return out


def merged_catalogue(all_words: list[Words], lang: str) -> dict[str, str]:
    """One catalogue for many scenarios. Two scenarios may share a key only with the same words
    (the contract test holds them to it), so the order does not matter."""
    out: dict[str, str] = {}
    for words in all_words:
        out.update(words.catalogue(lang))
    return out


# The request field every scenario has for the case it belongs to (workflows/foundation/case_link.py's CaseRef).
CASE_FIELDS: Mapping[str, Word] = {
    "case": Word("所属执行案件", "The enforcement case"),
    "case_id": Word("案件编号", "Case id"),
    "workflow_id": Word("案件流程编号", "The case's workflow id"),
}

# Timeline actions of every matter that belongs to a case (workflows/foundation/case_effects.py).
CASE_ACTIONS: Mapping[str, Word] = {
    "case_notice": Word("收到案件通知", "Notice from the case"),
    "case_not_told": Word("未能报告案件", "The case could not be told"),
    "performed_lift": Word("因履行完毕依职权解除", "Lifted ex officio on full performance"),
}

# A document issued, and the president's signature asked (workflows/foundation/issuing.py).
DOCUMENT_ACTIONS: Mapping[str, Word] = {
    "document_issued": Word("出具法律文书", "Document issued"),
    "document_not_issued": Word("文书未能出具", "Document not issued"),
    "president_signature_requested": Word("提请院长签发", "President's signature requested"),
}
PRESIDENT_STATUS_WORDS: Mapping[str, Word] = {
    "awaiting_president_signature": Word("待院长签发", "Awaiting the president's signature"),
}
PRESIDENT_DECISION_WORDS: Mapping[str, Word] = {
    "president-sign": Word("院长签发", "President signs"),
    "president-refuse": Word("院长不予签发", "President refuses to sign"),
}
PRESIDENT_DECISION_EFFECTS: Mapping[str, Word] = {
    "president-sign": Word(
        "以院长名义签发该文书, 文书随即编号、加盖院印并送达, 程序继续",
        "Signs the document as president; it is numbered, sealed and served, and the matter goes on",
    ),
    "president-refuse": Word(
        "不予签发, 退回承办法官, 文书不出具", "Refuses to sign and returns it to the judge; no document is issued"
    ),
}
