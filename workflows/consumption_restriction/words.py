"""What the consumption restriction (限制消费令) says to a person."""

from __future__ import annotations

from workflows.consumption_restriction.models import (
    APPROVE_EXEMPTION,
    DECLINE,
    DISMISS,
    ISSUE,
    LIFT,
    REFUSE_EXEMPTION,
    REPORT_VIOLATION,
    SANCTION,
)
from workflows.kit.words import CASE_FIELDS, Word, Words

# Shared with the dishonest list (the same enum value must say the same in every scenario).
PARTY_ENUMS = {
    "person": Word("自然人", "Person"),
    "organisation": Word("法人或其他组织", "Organisation"),
    "full-performance": Word("已履行全部义务", "Full performance"),
}
PARTY_FIELDS = {
    "case_number": Word("案号", "Case number"),
    "court": Word("执行法院", "Court"),
    "debtor": Word("被执行人", "Debtor"),
    "kind": Word("类型", "Kind"),
    "name": Word("姓名或名称", "Name"),
    "id_number": Word("证件号码", "ID number or credit code"),
}

WORDS = Words(
    title=Word("限制消费令", "Consumption restriction"),
    statuses={
        "awaiting_order": Word("待签发限制消费令", "Awaiting the order"),
        "order_declined": Word("不予限制消费", "Order declined"),
        "restricted": Word("限制消费中", "Restricted"),
        "violation_review": Word("审查违反限消令举报", "Reviewing a breach report"),
        "lifting": Word("解除中", "Lifting"),
        "lifted": Word("已解除限制消费", "Lifted"),
    },
    decisions={
        ISSUE: Word("签发限制消费令", "Issue the order"),
        DECLINE: Word("不予限制消费", "Decline"),
        APPROVE_EXEMPTION: Word("批准例外消费", "Approve an exemption"),
        REFUSE_EXEMPTION: Word("不准例外消费", "Refuse an exemption"),
        REPORT_VIOLATION: Word("登记违反限消令举报", "Record a breach report"),
        SANCTION: Word("对违反限消令予以惩戒", "Sanction the breach"),
        DISMISS: Word("举报不成立", "Dismiss the report"),
        LIFT: Word("解除限制消费令", "Lift the order"),
    },
    actions={
        "restriction_requested": Word("申请限制消费", "Restriction requested"),
        "order_issued": Word("签发限制消费令", "Order issued"),
        "decision": Word("法官决定", "Judge's decision"),
        "exemption_approved": Word("批准例外消费", "Exemption approved"),
        "exemption_refused": Word("不准例外消费", "Exemption refused"),
        "violation_reported": Word("收到违反限消令举报", "Breach reported"),
        "violation_sanctioned": Word("惩戒违反限消令", "Breach sanctioned"),
        "violation_dismissed": Word("举报不成立", "Report dismissed"),
        "dishonest_list_changed": Word("失信名单状态变化", "Dishonest-list status changed"),
        "dishonest_list_other_case": Word("他案失信通知, 不予处理", "Another case's list notice, ignored"),
        "must_lift": Word("履行完毕, 依法应当解除", "Full performance: must lift"),
        "lifted": Word("已解除限制消费", "Lifted"),
        "order_declined": Word("不予限制消费", "Order declined"),
    },
    fields={
        **CASE_FIELDS,
        **PARTY_FIELDS,
        "trigger": Word("限制事由", "Trigger"),
        "applicant_requested": Word("依申请执行人申请", "On the applicant's request"),
        "items": Word("限制事项", "Banned items"),
        "bound_persons": Word("同受约束的人员", "Persons bound too"),
        "role": Word("身份", "Role"),
        "airlines": Word("民航协助单位", "Airlines"),
        "railways": Word("铁路协助单位", "Railways"),
        "hotels": Word("宾馆酒店协助单位", "Hotels"),
        "order_number": Word("限制消费令文号", "Order number"),
        "item": Word("事项", "Item"),
        "purpose": Word("事由", "Purpose"),
        "valid_from": Word("自", "From"),
        "valid_until": Word("至", "Until"),
        "reporter": Word("举报人或报告单位", "Reported by"),
        "occurred_on": Word("发生日期", "Occurred on"),
        "description": Word("情况", "Description"),
        "measure": Word("惩戒措施", "Measure"),
        "fine_fen": Word("罚款金额", "Fine"),
        "ground": Word("事由", "Ground"),
        "document_number": Word("文书文号", "Document number"),
    },
    help={
        "trigger": Word(
            "未按执行通知履行的, 可以限制; 纳入失信名单的, 应当限制 (限消规定 第一条)",
            "May restrict a debtor who did not pay within the notice; must restrict a listed one (Art. 1)",
        ),
        "applicant_requested": Word(
            "一般依申请执行人书面申请; 必要时依职权 (第四条)",
            "Usually on the applicant's written request; ex officio if necessary (Art. 4)",
        ),
        "items": Word("第三条所列事项, 默认全部", "The bans of Art. 3; all by default"),
        "bound_persons": Word(
            "单位被限制消费的, 其法定代表人、主要负责人、直接责任人员、实际控制人同受约束 (第三条第二款)",
            "An organisation's order binds its legal representative, principals, responsible persons and "
            "actual controller (Art. 3)",
        ),
        "order_number": Word("由院长签发 (第五条)", "Signed by the court president (Art. 5)"),
    },
    summary={
        "order_number": Word("限制消费令文号", "Order number"),
        "items": Word("限制事项", "Banned items"),
        "dishonest_listed": Word("在失信名单中", "On the dishonest list"),
        "units": Word("已通知的协助单位", "Units notified"),
        "exemptions": Word("例外消费", "Exemptions"),
        "violations": Word("违反限消令举报", "Breach reports"),
        "lifted": Word("解除事由", "Lifted on"),
    },
    columns={
        "item": Word("事项", "Item"),
        "valid_from": Word("自", "From"),
        "valid_until": Word("至", "Until"),
        "decision": Word("处理", "Decision"),
    },
    tasks={
        "consumption-restriction.order-notice": Word("协助执行限制消费令", "Enforce the restriction"),
        "consumption-restriction.exemption-notice": Word("准予例外消费通知", "Exemption notice"),
        "consumption-restriction.lift-notice": Word("解除限制消费通知", "Lifting notice"),
    },
    enums={
        **PARTY_ENUMS,
        "notice-unpaid": Word("未按执行通知书履行", "Did not pay within the notice"),
        "dishonest-listed": Word("已纳入失信被执行人名单", "On the dishonest list"),
        "flights-soft-sleepers": Word(
            "乘坐飞机、列车软卧、轮船二等以上舱位", "Flights, soft sleepers, 2nd class+ berths"
        ),
        "star-hotels-clubs": Word("星级以上宾馆、酒店、夜总会、高尔夫球场", "Star hotels, nightclubs, golf"),
        "real-estate": Word("购买不动产或新建、扩建、高档装修房屋", "Buying or building real estate"),
        "premium-offices": Word("租赁高档写字楼、宾馆、公寓办公", "Renting premium offices"),
        "vehicles": Word("购买非经营必需车辆", "Buying non-essential vehicles"),
        "travel": Word("旅游、度假", "Travel and holidays"),
        "private-schools": Word("子女就读高收费私立学校", "High-fee private schools"),
        "premium-insurance": Word("支付高额保费购买保险理财产品", "High-premium insurance"),
        "high-speed-trains": Word("乘坐G字头动车组全部座位、其他动车组一等以上座位", "G-trains, first class on EMUs"),
        "legal-representative": Word("法定代表人", "Legal representative"),
        "principal": Word("主要负责人", "Principal"),
        "directly-responsible": Word("直接责任人员", "Directly responsible person"),
        "actual-controller": Word("实际控制人", "Actual controller"),
        "security": Word("提供确实有效的担保", "Valid security given"),
        "applicant-consent": Word("申请执行人同意", "Applicant's consent"),
        "fine": Word("罚款", "Fine"),
        "detention": Word("拘留", "Detention"),
        "criminal-referral": Word("移送追究刑事责任", "Criminal referral"),
        "dishonest-listing": Word("纳入失信被执行人名单", "Dishonest listing"),
    },
)
