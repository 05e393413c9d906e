"""What the dishonest-debtor list (失信被执行人名单) says to a person."""

from __future__ import annotations

from workflows.dishonest_list.models import (
    ACCEPT_CORRECTION,
    DECLINE,
    ENTER,
    RECORD_RECONSIDERATION,
    REFUSE_CORRECTION,
    REGISTER_CORRECTION,
    REGISTER_RECONSIDERATION,
    REMOVE,
)
from workflows.foundation.words import (
    CASE_ACTIONS,
    CASE_FIELDS,
    DOCUMENT_ACTIONS,
    PARTY_ENUMS,
    PARTY_FIELDS,
    PRESIDENT_DECISION_EFFECTS,
    PRESIDENT_DECISION_WORDS,
    PRESIDENT_STATUS_WORDS,
    Word,
    Words,
)

WORDS = Words(
    title=Word("失信被执行人名单", "Dishonest-debtor list"),
    statuses={
        **PRESIDENT_STATUS_WORDS,
        "awaiting_entry_decision": Word("待决定是否纳入", "Awaiting the entry decision"),
        "entry_declined": Word("决定不予纳入", "Entry declined"),
        "publishing": Word("公布中", "Publishing"),
        "publication_refused": Word("名单库拒绝公布", "Publication refused"),
        "listed": Word("已纳入失信名单", "Listed"),
        "correction_review": Word("审查纠正申请", "Reviewing a correction request"),
        "removing": Word("删除中", "Removing"),
        "removed": Word("已删除失信信息", "Removed"),
        "revoked": Word("已撤销纳入", "Entry revoked"),
    },
    decisions={
        **PRESIDENT_DECISION_WORDS,
        ENTER: Word("决定纳入失信名单", "Enter on the list"),
        DECLINE: Word("决定不予纳入", "Decline the entry"),
        REGISTER_CORRECTION: Word("登记纠正申请", "Record a correction request"),
        ACCEPT_CORRECTION: Word("纠正申请成立", "Accept the correction request"),
        REFUSE_CORRECTION: Word("驳回纠正申请", "Refuse the correction request"),
        REMOVE: Word("删除失信信息", "Remove the entry"),
        REGISTER_RECONSIDERATION: Word("登记向上一级法院申请复议", "Record an application for reconsideration"),
        RECORD_RECONSIDERATION: Word("登记上一级法院复议决定", "Record the higher court's decision"),
    },
    actions={
        **DOCUMENT_ACTIONS,
        **CASE_ACTIONS,
        "entry_requested": Word("申请纳入失信名单", "Entry requested"),
        "entry_decision_overdue": Word("纳入申请审查超期", "Entry decision overdue"),
        "decision": Word("法官决定", "Judge's decision"),
        "entry_declined": Word("决定不予纳入", "Entry declined"),
        "published": Word("已在名单库公布", "Published"),
        "publication_refused": Word("名单库拒绝公布", "Publication refused"),
        "incident": Word("步骤失败", "Step failed"),
        "restriction_started": Word("一并限制消费", "Consumption restricted"),
        "restriction_signalled": Word("通知限制消费令", "Restriction order informed"),
        "restriction_signal_failed": Word("未找到所述限制消费令, 另行签发", "No such order running; a new one issued"),
        "correction_requested": Word("收到纠正申请", "Correction requested"),
        "correction_review_overdue": Word("纠正申请审查超期", "Correction review overdue"),
        "corrected": Word("已更正", "Corrected"),
        "correction_refused": Word("驳回纠正申请", "Correction refused"),
        "reconsideration_applied": Word(
            "向上一级法院申请复议 (复议期间不停止执行)", "Reconsideration sought (the entry stays meanwhile)"
        ),
        "reconsideration_decided": Word("上一级法院作出复议决定", "Higher court decided"),
        "reconsideration_unanswered": Word(
            "上一级法院未在任务中作出复议决定, 由本院登记其决定", "The higher court's task ended without a decision"
        ),
        "term_ended": Word("纳入期限届满", "Term ended"),
        "removal_ground": Word("删除事由出现", "Removal ground arose"),
        "removed": Word("已删除", "Removed"),
        "revoked": Word("已撤销", "Revoked"),
    },
    fields={
        **CASE_FIELDS,
        **PARTY_FIELDS,
        "legal_representative": Word("法定代表人或负责人", "Legal representative"),
        "title_document": Word("执行依据文号", "Title document"),
        "title_issuer": Word("作出执行依据的单位", "Issued by"),
        "obligation": Word("生效法律文书确定的义务", "Obligation"),
        "performance": Word("履行情况", "Performance"),
        "filed_on": Word("立案日期", "Filed on"),
        "applicant_requested": Word("依申请执行人申请", "On the applicant's request"),
        "previously_removed_on": Word("此前被删除的日期", "Earlier removal on"),
        "previously_removed_for": Word("此前被删除的事由", "Earlier removal ground"),
        "ground": Word("事由", "Ground"),
        "restriction_workflow_id": Word("本案已有的限制消费令", "Existing restriction order"),
        "list_partner": Word("失信名单库", "National list"),
        "credit_agency": Word("征信机构", "Credit agency"),
        "industry_agency": Word("行业主管部门", "Industry regulator"),
        "public_status": Word("被执行人身份 (第八条第三、四款)", "Public status (Art. 8 paras 3–4)"),
        "reported_to": Word("通报的所在单位或上级单位", "Unit or superior body told (Art. 8)"),
        "applied_on": Word("申请复议日期", "Applied on"),
        "higher_court": Word("上一级人民法院", "Higher court"),
        "outcome": Word("复议结果", "Outcome"),
        "decision_ref": Word("复议决定书文号", "Decision reference"),
        "extension_years": Word("延长年数", "Extension (years)"),
        "extension_condition": Word("延长事由 (第二条第二款)", "Ground of the extension (Art. 2 para 2)"),
        "ground_arose_on": Word("删除事由发生之日", "Day the ground arose"),
        "bars": Word("第三条情形", "Art. 3 bars"),
        "decision_number": Word("失信决定书文号", "Decision number"),
        "restriction_order_number": Word("限制消费令文号", "Restriction order number"),
        "claim": Word("纠正理由", "Claim"),
        "wrong_entry": Word("主张不应纳入", "Claims a wrong entry"),
        "revoke": Word("撤销纳入", "Revoke the entry"),
        "correction": Word("更正内容", "Correction"),
        "document_ref": Word("决定文号", "Decision reference"),
    },
    help={
        "applicant_requested": Word(
            "申请执行人申请的, 法院十五日内审查决定; 也可依职权纳入 (失信规定 第五条)",
            "An applicant's request is decided within 15 days; the court may also act ex officio (Art. 5)",
        ),
        "previously_removed_on": Word(
            "因申请执行人申请删除后六个月内, 申请执行人再申请纳入的不予支持 (第十条)",
            "After removal at the applicant's request, the applicant may not ask to re-enter within 6 months (Art. 10)",
        ),
        "restriction_workflow_id": Word(
            "纳入失信名单的, 应当限制消费 (限消规定 第一条)",
            "A listed debtor must be restricted (限消规定 Art. 1)",
        ),
        "extension_years": Word(
            "第二至六项: 二年; 情节严重的可延长一至三年; 第一项无固定期限 (第二条)",
            "Grounds 2–6: 2 years, plus 1–3 in serious cases; ground 1 has no fixed term (Art. 2)",
        ),
        "decision_number": Word("由院长签发 (第五条)", "Signed by the court president (Art. 5)"),
    },
    summary={
        "debtor": Word("被执行人", "Debtor"),
        "decide_by": Word("审查期限", "Decide by"),
        "entry_id": Word("名单库编号", "List entry"),
        "ground": Word("失信情形", "Ground"),
        "entered_at": Word("纳入日期", "Entered on"),
        "term_ends_at": Word("纳入期限届满", "Term ends"),
        "restriction": Word("限制消费令", "Restriction order"),
        "correction_due": Word("纠正申请审查期限", "Correction decided by"),
        "correction_fix_due": Word("更正期限", "Correct by"),
        "removal_ground": Word("删除事由", "Removal ground"),
        "removal_due": Word("删除期限", "Remove by"),
        "removed_on_time": Word("按期删除", "Removed in time"),
        "reconsideration_due": Word("复议决定期限", "Reconsideration decided by"),
        "correction_refused_on": Word(
            "驳回纠正申请日期 (十日内可申请复议)", "Correction refused on (10 days to seek review)"
        ),
    },
    columns={
        "due_at": Word("期限", "Due"),
        "provisional": Word("期限暂定", "Provisional deadline"),
        "notices": Word("通报", "Notices"),
        "status": Word("状态", "Status"),
    },
    tasks={
        "dishonest-list.entry-notice": Word("失信信息通报 (信用惩戒)", "Dishonest entry notice"),
        "dishonest-list.removal-notice": Word("删除失信信息通报", "Removal notice"),
        "dishonest-list.reconsideration": Word(
            "失信纠正申请复议 (上一级法院, 第十二条)", "Reconsideration by the higher court (Art. 12)"
        ),
        "dishonest-list.unit-removal-notice": Word(
            "删除失信信息通报所在单位或上级单位 (第八条)", "Removal notice to the debtor's unit or superior (Art. 8)"
        ),
        "dishonest-list.unit-notice": Word(
            "失信情况通报所在单位或上级单位 (第八条)", "Notice to the debtor's unit or superior (Art. 8)"
        ),
    },
    enums={
        **PARTY_ENUMS,
        "able-but-refuses": Word("有履行能力而拒不履行", "Able but refuses"),
        "obstruction": Word("以伪造证据、暴力、威胁等方法妨碍、抗拒执行", "Obstruction"),
        "evasion": Word("以虚假诉讼、仲裁或隐匿、转移财产等方法规避执行", "Evasion"),
        "asset-report-breach": Word("违反财产报告制度", "Breach of the asset report duty"),
        "restriction-breach": Word("违反限制消费令", "Breach of the restriction order"),
        "settlement-refusal": Word("无正当理由拒不履行执行和解协议", "Refuses the settlement"),
        "security-given": Word("已提供充分有效担保", "Security given"),
        "seized-assets-suffice": Word("已控制财产足以清偿", "Seized assets suffice"),
        "later-in-order": Word("履行顺序在后", "Later in the order of performance"),
        "settlement-performed": Word("和解协议已履行完毕", "Settlement performed"),
        "applicant-request": Word("申请执行人申请删除", "Applicant's request"),
        "no-assets-after-closure": Word("终本后两次以上查询无财产", "No assets after closure"),
        "stayed": Word("因审判监督或破产程序中止执行", "Stayed (retrial or bankruptcy)"),
        "not-enforced": Word("裁定不予执行", "Not enforced"),
        "terminated": Word("裁定终结执行", "Terminated"),
        "term-ended": Word("纳入期限届满", "Term ended"),
        "early-by-court": Word("积极履行或纠正失信行为, 提前删除", "Early removal by the court"),
        "wrong-entry": Word("不应纳入, 撤销", "Wrong entry, revoked"),
        "serious-obstruction": Word(
            "以暴力、威胁方法妨碍、抗拒执行情节严重", "serious obstruction by violence or threat"
        ),
        "multiple-acts": Word("具有多项失信行为", "several dishonest acts"),
        "state-functionary": Word("国家工作人员", "State functionary"),
        "npc-deputy": Word("人大代表", "People's Congress deputy"),
        "cppcc-member": Word("政协委员", "CPPCC member"),
        "state-organ": Word("国家机关", "State organ"),
        "public-institution": Word("事业单位", "Public institution"),
        "state-owned-enterprise": Word("国有企业", "State-owned enterprise"),
        "upheld": Word("维持", "Upheld"),
        "revoked": Word("撤销纳入", "Entry revoked"),
        "corrected": Word("更正", "Corrected"),
    },
    effects={
        **PRESIDENT_DECISION_EFFECTS,
        "accept-correction": Word(
            "纠正申请成立: 三个工作日内更正或删除失信信息并通知名单库",
            "Upholds the correction: the entry is corrected or removed within 3 working days and the registry told",
        ),
        "decline-entry": Word(
            "决定不予纳入失信名单, 本程序结束",
            "Decides not to list the debtor; the matter ends",
        ),
        "enter-list": Word(
            "决定将被执行人纳入失信名单并向名单库公布, 同时限制其高消费",
            "Lists the debtor as dishonest, publishes the entry and restricts their consumption",
        ),
        "refuse-correction": Word(
            "驳回纠正申请, 失信信息保持不变",
            "Refuses the correction; the entry stays as it is",
        ),
        "register-correction-request": Word(
            "登记被执行人的纠正申请, 十五日内须作出决定",
            "Records the debtor's correction request; it must be decided within 15 days",
        ),
        "register-reconsideration": Word(
            "登记被执行人对驳回纠正申请的复议申请 (十日内), 上一级法院十五日内决定; 复议期间失信信息不撤下",
            "Records the debtor's application to the higher court (within 10 days), decided within 15 days; the "
            "entry stays meanwhile",
        ),
        "record-reconsideration-decision": Word(
            "登记复议决定: 维持则保持, 撤销则撤下失信信息, 更正则三个工作日内更正",
            "Records the higher court's decision: upheld, the entry stays; revoked, it is taken down; corrected, "
            "it is corrected within 3 working days",
        ),
        "remove-entry": Word(
            "删除失信信息并通知名单库和各协助单位",
            "Removes the entry and tells the registry and every assisting unit",
        ),
    },
)
