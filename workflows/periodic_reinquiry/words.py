"""What the closure (终本) and its five-year watch say to a person."""

from __future__ import annotations

from workflows.foundation.words import (
    CASE_ACTIONS,
    CASE_FIELDS,
    DOCUMENT_ACTIONS,
    PRESIDENT_DECISION_EFFECTS,
    PRESIDENT_DECISION_WORDS,
    PRESIDENT_STATUS_WORDS,
    Word,
    Words,
)
from workflows.periodic_reinquiry.models import (
    CLOSE,
    CONTINUE,
    CORRECT_DATABASE_ENTRY,
    KEEP_CLOSED,
    REGISTER_LEAD,
    REMOVE_FROM_DATABASE,
    RESUME,
    SANCTION,
)

WORDS = Words(
    title=Word("终结本次执行与定期查询", "Closure of the current procedure and periodic re-inquiry"),
    statuses={
        **PRESIDENT_STATUS_WORDS,
        "awaiting_closure": Word("待法官决定终本", "Awaiting the judge's closure decision"),
        "enforcement_continued": Word("继续执行 (不予终本)", "Enforcement continued (not closed)"),
        "closure_watch": Word("终本后定期查询中", "Closed; periodic re-inquiry"),
        "reinquiring": Word("网络查控查询中", "Inquiring"),
        "awaiting_resumption": Word("发现财产, 待决定恢复执行", "Property found: awaiting a resumption decision"),
        "awaiting_lead_verification": Word(
            "线索未经网络查控证实, 待法官核查", "The network did not confirm the lead: the judge checks it"
        ),
        "resumed": Word("已恢复执行", "Enforcement resumed"),
        "watch_ended": Word("五年查询期满", "Five-year watch ended"),
        "performed": Word("已全部履行, 终本信息屏蔽", "Performed in full; withdrawn from the 终本 database"),
        "withdrawn_from_database": Word(
            "终本信息已屏蔽 (终结执行、不予执行、破产受理或和解履行完毕)",
            "Withdrawn from the 终本 database (terminated, not enforced, bankruptcy, settlement performed)",
        ),
    },
    decisions={
        **PRESIDENT_DECISION_WORDS,
        CLOSE: Word("裁定终结本次执行程序", "Close the current enforcement procedure"),
        CONTINUE: Word("不予终本, 继续执行", "Do not close; continue enforcement"),
        RESUME: Word("裁定恢复执行", "Resume enforcement"),
        REGISTER_LEAD: Word("登记申请执行人提供的财产线索", "Register the applicant's property lead"),
        KEEP_CLOSED: Word("维持终本 (财产不能处置等)", "Keep the case closed (property cannot be disposed of …)"),
        SANCTION: Word("对妨害执行的行为罚款、拘留 (终本后)", "Fine or detain for obstruction after closing"),
        REMOVE_FROM_DATABASE: Word("从终本案件信息库屏蔽 (第十六条)", "Withdraw from the 终本 database (Art. 16)"),
        CORRECT_DATABASE_ENTRY: Word("更正或删除错误的终本信息", "Correct or delete a wrong 终本 entry"),
    },
    actions={
        **DOCUMENT_ACTIONS,
        **CASE_ACTIONS,
        "started": Word("启动", "Started"),
        "decision": Word("法官决定", "Judge's decision"),
        "procedure_closed": Word("终结本次执行程序", "Current procedure closed"),
        "closure_unsigned": Word("院长不予签发终本裁定", "The president refused to sign the closure"),
        "closure_approved": Word(
            "终本经申请执行人签字确认或院长批准 (民诉法解释第五百一十七条)",
            "Closure approved: the applicant's signature or the president's approval (Art. 517)",
        ),
        "applicant_signed_closure": Word("申请执行人签字确认同意终本", "The applicant signed to confirm the closure"),
        "applicant_declined_closure": Word("申请执行人不同意终本", "The applicant declined the closure"),
        "lead_received": Word("收到财产线索", "Property lead received"),
        "reinquiry_completed": Word("网络查控查询完毕", "Network inquiry completed"),
        "reinquiry_failed": Word("查询失败", "Inquiry failed"),
        "enforcement_continued": Word("继续执行", "Enforcement continued"),
        "resumed": Word("已恢复执行", "Resumed"),
        "control_started": Word("启动网络查控以控制所发现的财产", "Asset inquiry started to control what was found"),
        "watch_ended": Word("五年查询期满", "Watch ended"),
        "incident": Word("异常待处理", "Incident"),
        "closure_database_entered": Word("录入终本案件信息库 (第十二条)", "Entered in the 终本 database (Art. 12)"),
        "closure_database_removed": Word(
            "从终本案件信息库屏蔽 (第十六条)", "Withdrawn from the 终本 database (Art. 16)"
        ),
        "performed": Word("已全部履行", "Performed in full"),
        "withdrawn_from_database": Word("终本信息已屏蔽, 查询结束", "Withdrawn from the database; watch ended"),
        "closure_database_removal_decided": Word(
            "法官决定屏蔽终本信息 (第十六条)", "The judge withdrew the case from the database (Art. 16)"
        ),
        "closure_database_corrected": Word("更正终本信息", "终本 entry corrected"),
        "closure_database_deleted": Word("删除错误录入的终本信息", "Wrong 终本 entry deleted"),
        "result_told_to_applicant": Word("查询结果告知申请执行人 (第九条)", "Result told to the applicant (Art. 9)"),
        "sanctioned_after_closure": Word("终本后妨害执行, 依法处罚 (第十七条)", "Obstruction sanctioned (Art. 17)"),
    },
    fields={
        **CASE_FIELDS,
        "case_number": Word("案号", "Case number"),
        "court": Word("执行法院", "Court"),
        "debtor": Word("被执行人", "Debtor"),
        "kind": Word("类型", "Kind"),
        "name": Word("姓名或名称", "Name"),
        "id_number": Word("证件号码", "ID number or credit code"),
        "outstanding_fen": Word("未履行金额", "Amount still owed"),
        "filed_on": Word("立案日期", "Filed on"),
        "notice_served": Word(
            "已发出执行通知书、报告财产令 (第一条第一项)", "Enforcement notice and report order served (Art. 1(1))"
        ),
        "consumption_order_issued": Word(
            "已发出限制消费令, 符合条件的已纳入失信名单 (第一条第二项)",
            "Consumption restricted; entered on the dishonest list where it applies (Art. 1(2))",
        ),
        "investigation_exhausted": Word(
            "已穷尽财产调查措施, 未发现可供执行的财产 (第一条第三项)",
            "Every investigation measure taken; nothing enforceable found (Art. 1(3))",
        ),
        "whereabouts_and_obstruction": Word(
            "已依法查找被执行人, 已对妨害执行依法采取强制措施 (第一条第五项)",
            "Missing debtor searched for; obstruction met with coercive measures (Art. 1(5))",
        ),
        "ruling_number": Word("终本裁定书文号", "Closure ruling number"),
        "resumed_case_number": Word("恢复执行案号", "Resumed case number"),
        "lead_verified": Word("线索经核查属实 (第九条第一款)", "The lead was verified (Art. 9 para 1)"),
        "applicant_heard": Word(
            "已告知申请执行人执行情况及终本依据、后果, 并听取意见 (第五条)",
            "The applicant was told and heard (Art. 5)",
        ),
        "applicant_opinion": Word("申请执行人的意见", "The applicant's opinion"),
        "approval": Word(
            "终本依据: 申请执行人签字确认, 或合议庭审查核实并报院长批准 (民诉法解释第五百一十七条)",
            "Closed on: the applicant's signature, or the panel's review and the president's approval (Art. 517)",
        ),
        "measure": Word("措施", "Measure"),
        "fine_fen": Word("罚款金额", "Fine"),
        "fined": Word("被罚款人", "Who is fined"),
        "conduct": Word("妨害执行的行为", "The obstruction"),
        "asset_lead": Word("财产线索", "Property lead"),
        "urgent": Word("紧急", "Urgent"),
        "ground": Word("屏蔽事由", "Ground"),
        "document_ref": Word("裁定书文号", "Ruling number"),
        "ground_arose_on": Word("事由发生之日", "The ground arose on"),
        "error": Word("错误之处", "What is wrong"),
        "correction": Word("更正后的内容", "Corrected content"),
        "delete": Word("不应录入, 删除", "Should not be there: delete"),
    },
    help={
        "id_number": Word(
            "自然人填居民身份证号, 法人或其他组织填统一社会信用代码", "Resident ID number or unified social credit code"
        ),
        "outstanding_fen": Word(
            "生效法律文书确定而尚未履行的金额, 单位: 元", "What the title still leaves unpaid, in yuan"
        ),
        "filed_on": Word(
            "立案满三个月后方可终本 (终本规定 第一条第四项)",
            "The procedure can close only after more than three months since filing (Art. 1(4))",
        ),
        "ruling_number": Word("如 (2026)浙0102执1234号之一", "e.g. (2026)浙0102执1234号之一"),
        "resumed_case_number": Word("可留空, 立案后补录", "May be left empty until the case is docketed"),
        "asset_lead": Word(
            "申请执行人提供的具体财产线索; 提交后立即查询 (财产调查规定 第二条: 七日内核查, 紧急的三日内)",
            "The applicant's specific lead; an inquiry runs at once (checked within 7 days, 3 if urgent)",
        ),
        "urgent": Word("紧急的, 三日内核查", "Urgent leads are checked within 3 days"),
    },
    summary={
        "debtor": Word("被执行人", "Debtor"),
        "outstanding_fen": Word("未履行金额", "Amount still owed"),
        "filed_on": Word("立案日期", "Filed on"),
        "ruling_number": Word("终本裁定书文号", "Closure ruling"),
        "closed_at": Word("终本日期", "Closed on"),
        "watch_ends_at": Word("查询期满日", "Watch ends"),
        "next_inquiry_at": Word("下次查询日", "Next inquiry"),
        "reinquiries": Word("已查询次数", "Inquiries made"),
        "scheduled_done": Word("定期查询次数", "Scheduled inquiries made"),
        "pending_leads": Word("待查线索", "Leads waiting"),
        "last_inquiry": Word("最近一次查询", "Latest inquiry"),
    },
    columns={
        "control_inquiry": Word("恢复执行查控", "Control inquiry"),
        "inquiries": Word("定期查询", "Inquiries"),
        "resumed_on": Word("恢复执行日期", "Resumed on"),
        "rounds_with_hits": Word("查到财产的轮次", "Rounds with hits"),
        "round": Word("查询轮次", "Round"),
        "trigger": Word("触发", "Trigger"),
        "lead": Word("线索编号", "Lead no."),
        "at": Word("查询时间", "Inquired at"),
        "inquiry_id": Word("查询流程", "Inquiry"),
        "outcome": Word("结果", "Outcome"),
        "assets": Word("发现财产数", "Assets found"),
        "hits": Word("可供执行财产", "Enforceable assets"),
        "no_answer": Word("未答复单位", "No answer from"),
        "index": Word("序号", "No."),
        "partner_id": Word("协助单位", "Partner"),
        "reference": Word("账号或权证号", "Account or title"),
        "available_fen": Word("可控金额", "Available"),
        "status": Word("状态", "Status"),
    },
    enums={
        "person": Word("自然人", "Person"),
        "organisation": Word("法人或其他组织", "Organisation"),
        "schedule": Word("定期查询", "Scheduled"),
        "lead": Word("线索触发", "Lead"),
        "reported": Word("已报告", "Reported"),
        "fine": Word("罚款", "Fine"),
        "detention": Word("拘留", "Detention"),
        "criminal-referral": Word("移送追究刑事责任", "Criminal referral"),
        "dishonest-listing": Word("纳入失信名单", "Dishonest listing"),
        "performed": Word("执行完毕", "Performed in full"),
        "settlement-performed": Word("执行和解协议履行完毕", "Settlement performed"),
        "terminated": Word("裁定终结执行", "Enforcement terminated"),
        "not-enforced": Word("裁定不予执行", "Title not enforced"),
        "bankruptcy-accepted": Word("被执行人破产申请已受理", "Debtor's bankruptcy accepted"),
        "applicant-signature": Word("申请执行人已签字确认", "The applicant has signed"),
        "president": Word("合议庭审查核实, 报院长批准", "The panel reviews, the president approves"),
    },
    effects={
        **PRESIDENT_DECISION_EFFECTS,
        "close-procedure": Word(
            "裁定终结本次执行程序; 此后每六个月自动查询一次财产, 发现财产可恢复执行",
            "Rules the current procedure ended; the debtor's assets are inquired every six months, and "
            "enforcement may resume when some are found",
        ),
        "continue-enforcement": Word(
            "不予终本, 案件继续执行",
            "Does not close; enforcement goes on",
        ),
        "keep-closed": Word(
            "发现的财产不足以恢复执行 (如不能处置), 维持终本, 继续定期查询",
            "What was found does not warrant resuming (it cannot be disposed of, say); the case stays closed and "
            "inquiries go on",
        ),
        "register-lead": Word(
            "登记申请执行人提供的财产线索, 立即发起一轮查询",
            "Records the applicant's lead and runs an inquiry at once",
        ),
        "sanction-obstruction": Word(
            "终本后对妨害执行的行为依法罚款、拘留 (罚款在民事诉讼法限额内), 终本状态不变",
            "Fines or detains for obstruction after closing (within the CPL's caps); the case stays closed",
        ),
        REMOVE_FROM_DATABASE: Word(
            "依第十六条从终本案件信息库屏蔽 (三日内), 定期查询结束",
            "Withdraws the case from the 终本 database under Art. 16 (within 3 days); the watch ends",
        ),
        CORRECT_DATABASE_ENTRY: Word(
            "更正错误的终本信息, 或删除不应录入的信息; 终本裁定和定期查询不受影响",
            "Corrects a wrong entry, or deletes one that should not be there; the ruling and the watch go on",
        ),
        "resume-enforcement": Word(
            "裁定恢复执行, 定期查询停止, 案件重新办理",
            "Rules enforcement resumed; periodic inquiries stop and the case is worked again",
        ),
    },
)
