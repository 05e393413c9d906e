"""What the refusal-to-execute referral (拒执移送) says to a person."""

from __future__ import annotations

from workflows.foundation.words import CASE_ACTIONS, CASE_FIELDS, DOCUMENT_ACTIONS, Word, Words
from workflows.refusal_referral.models import (
    CLOSE,
    DEBTOR_PERFORMED,
    NOT_REFER,
    PRIVATE_PROSECUTION,
    REFER,
    REQUEST_VERIFICATION,
    SEEK_SUPERVISION,
)

_STATUSES = {
    "collecting_evidence": Word("证据收集中", "Collecting evidence"),
    "awaiting_referral": Word("待决定是否移送", "Awaiting the referral decision"),
    "awaiting_police": Word("待公安机关受案立案", "Awaiting the police's filing decision"),
    "police_declined": Word("公安机关不予立案", "Police declined to file"),
    "awaiting_supervision": Word("检察院立案监督中", "Procuratorate supervising"),
    "investigating": Word("公安机关侦查中", "Police investigating"),
    "investigation_dropped": Word("侦查终止", "Investigation dropped"),
    "awaiting_prosecution": Word("检察院审查起诉中", "Procuratorate reviewing"),
    "prosecution_declined": Word("检察院不起诉", "Procuratorate declined to prosecute"),
    "awaiting_docket": Word("自诉立案审查中", "Private prosecution awaiting docketing"),
    "performed_in_full": Word("已全部履行", "Performed in full"),
    "not_referred": Word("不予移送", "Not referred"),
    "prosecuted": Word("已提起公诉", "Prosecuted"),
    "private_prosecution_docketed": Word("自诉已立案", "Private prosecution docketed"),
    "private_prosecution_refused": Word("自诉未予立案", "Private prosecution not docketed"),
    "closed": Word("移送程序结束", "Referral closed"),
}

WORDS = Words(
    title=Word("拒执移送", "Refusal-to-execute referral"),
    statuses=_STATUSES,
    decisions={
        REFER: Word("移送公安机关", "Refer to the police"),
        NOT_REFER: Word("不予移送", "Close without referral"),
        DEBTOR_PERFORMED: Word("记录履行情况", "Record performance"),
        REQUEST_VERIFICATION: Word("发出协助查证请求", "Request assistance in verification"),
        SEEK_SUPERVISION: Word("提请检察院立案监督", "Ask the procuratorate to supervise"),
        PRIVATE_PROSECUTION: Word("记录申请执行人自诉", "Record the applicant's private prosecution"),
        CLOSE: Word("结束移送程序", "Close the referral"),
    },
    actions={
        **DOCUMENT_ACTIONS,
        **CASE_ACTIONS,
        **_STATUSES,
        "case_opened": Word("拒执移送立项", "Referral opened"),
        "decision": Word("法官决定", "Judge's decision"),
        "referral_sent": Word("发出移送函", "Referral letter sent"),
        "filed_on_supervision": Word("经立案监督后立案", "Filed after supervision"),
    },
    fields={
        **CASE_FIELDS,
        "case_number": Word("案号", "Case number"),
        "court": Word("执行法院", "Court"),
        "person": Word("负有执行义务的人", "Person bound to perform"),
        "kind": Word("类型", "Kind"),
        "name": Word("姓名或名称", "Name"),
        "id_number": Word("证件号码", "ID number or credit code"),
        "duty_holder": Word("义务人身份", "Capacity"),
        "owed_fen": Word("未履行金额", "Amount unpaid"),
        "refusal_grounds": Word("拒执情形", "Refusal grounds"),
        "conduct": Word("拒不执行的行为", "Conduct"),
        "sanctioned": Word("已采取罚款、拘留", "Fine or detention already imposed"),
        "maintenance_or_wages": Word("涉及赡养费、劳动报酬等", "Maintenance or wages involved"),
        "catalogue": Word("任务颗粒清单", "Granule catalogue"),
        "agencies": Word("责任部门指定单位", "Agencies per department"),
        "letter_ref": Word("移送函文号", "Referral letter no."),
        "statement": Word("移送理由及事实", "Grounds and facts"),
        "performed_fen": Word("已履行金额", "Amount performed"),
        "in_full": Word("全部履行", "In full"),
        "department": Word("责任部门", "Department"),
        "matter": Word("查证事项", "Matter to verify"),
        "complaint_ref": Word("自诉状编号", "Complaint no."),
        "declined_by": Word("不予追究的机关及文书", "Who declined, and the document"),
        "complaint_declined_by": Word("对控告决定不予追究的机关", "Which body declined the complaint"),
    },
    help={
        "person": Word(
            "被执行人、协助执行义务人、担保人等 (拒执解释第一条)", "Debtor, assisting party, guarantor … (Art. 1)"
        ),
        "refusal_grounds": Word(
            "拒执解释第三条 (情节严重)、第四条 (情节特别严重)、第六条; 第三条第四至七项须先经罚款、拘留",
            "Arts. 3, 4, 6; items 4–7 of Art. 3 only after a fine or detention",
        ),
        "sanctioned": Word("第三条第四至七项的前提", "Required by Art. 3 items 4–7"),
        "maintenance_or_wages": Word("依法从重处罚 (第十条)", "Punished more heavily (Art. 10)"),
        "catalogue": Word("默认: national-2024 (拒执解释 2024, 14 个颗粒)", "Default: national-2024 (14 granules)"),
        "agencies": Word(
            '如 {"police": "police-huzhou"}; 留空: 公安、检察为本院辖区的 (第十五条), 其他用清单默认单位',
            'e.g. {"police": "police-huzhou"}; empty: the district\'s police and procuratorate, else the catalogue\'s',
        ),
        "letter_ref": Word("须至少一个证据颗粒已查实", "At least one evidence granule must show the conduct"),
        "department": Word("清单中的部门代码, 如 bank、realestate、police", "A department key of the catalogue"),
        "performed_fen": Word(
            "提起公诉前履行的, 可依法不起诉 (第十一条)", "Before prosecution: may not be prosecuted (Art. 11)"
        ),
        "complaint_ref": Word(
            "公安机关或检察院不予追究后 (第十四条)", "After police or procuratorate declined (Art. 14)"
        ),
    },
    summary={
        "catalogue": Word("任务颗粒清单", "Granule catalogue"),
        "person": Word("义务人证件号 (遮蔽)", "Person's ID (masked)"),
        "owed_fen": Word("未履行金额", "Amount unpaid"),
        "performed_fen": Word("已履行金额", "Amount performed"),
        "letter_ref": Word("移送函文号", "Referral letter no."),
        "checklist": Word("任务颗粒清单 (状态与期限)", "Granule checklist (states and deadlines)"),
        "by_department": Word("各部门颗粒统计", "Granules per department"),
    },
    columns={
        "amount_fen": Word("金额", "Amount"),
        "articles": Word("适用条款", "Articles"),
        "especially_serious": Word("情节特别严重", "Especially serious"),
        "evidence": Word("证据", "Evidence"),
        "grounds": Word("理由", "Grounds"),
        "heavier_punishment": Word("从重处罚", "Heavier punishment"),
        "issued_at": Word("出具时间", "Issued at"),
        "letter": Word("移送函", "Referral letter"),
        "person_masked_id": Word("证件号码 (已遮蔽)", "ID (masked)"),
        "status": Word("状态", "Status"),
        "granule": Word("颗粒", "Granule"),
        "phase": Word("阶段", "Phase"),
        "department": Word("责任部门", "Department"),
        "agency": Word("协助单位", "Agency"),
        "title": Word("事项", "Step"),
        "task_id": Word("事项", "Task"),
        "state": Word("状态", "State"),
        "due_at": Word("期限", "Due"),
        "provisional": Word("期限暂定", "Provisional deadline"),
        "answer": Word("结果", "Answer"),
        "source": Word("依据", "Source"),
        "key": Word("部门代码", "Department key"),
        "not_started": Word("未开始", "Not started"),
        "open": Word("办理中", "Open"),
        "completed": Word("已完成", "Completed"),
        "rejected": Word("已退回", "Declined"),
        "cancelled": Word("已撤回", "Cancelled"),
        "skipped": Word("未进行", "Not needed"),
        "done": Word("已办结", "Done"),
    },
    tasks={
        "refusal-referral.evidence": Word("拒执证据调取", "Refusal evidence"),
        "refusal-referral.filing": Word("拒执案件受案立案", "Filing decision"),
        "refusal-referral.supervision": Word("立案监督", "Filing supervision"),
        "refusal-referral.investigation": Word("拒执案件侦查", "Investigation"),
        "refusal-referral.prosecution": Word("审查起诉", "Prosecution review"),
        "refusal-referral.private-prosecution": Word("自诉立案审查", "Private prosecution docketing"),
        "refusal-referral.verification": Word("协助查证", "Assistance in verification"),
    },
    enums={
        "person": Word("自然人", "Person"),
        "organisation": Word("法人或其他组织", "Organisation"),
        "judgment-debtor": Word("被执行人", "Judgment debtor"),
        "assisting-party": Word("协助执行义务人", "Assisting party"),
        "guarantor": Word("担保人", "Guarantor"),
        "accomplice": Word("通谋的案外人", "Colluding third party"),
        "serious-1-gratuitous-disposal": Word("无偿处分、虚假和解或转让 (三(一))", "Gratuitous or sham disposal (3.1)"),
        "serious-2-reducing-assets": Word("高价受让、为他人担保 (三(二))", "Inflated purchases, guarantees (3.2)"),
        "serious-3-destroying-evidence": Word(
            "伪造、毁灭、隐匿履行能力证据 (三(三))", "Destroying evidence of means (3.3)"
        ),
        "serious-4-reporting-after-sanction": Word(
            "经罚款拘留仍拒绝或虚假报告财产、违反限消令 (三(四))",
            "After sanction: no or false report, restriction breached (3.4)",
        ),
        "serious-5-handover-after-sanction": Word(
            "经罚款拘留仍拒不交付、迁出 (三(五))", "After sanction: refuses to hand over or vacate (3.5)"
        ),
        "serious-6-act-after-sanction": Word(
            "经罚款拘留仍拒不履行作为义务 (三(六))", "After sanction: refuses a required act (3.6)"
        ),
        "serious-7-protection-order-after-sanction": Word(
            "经罚款拘留仍违反人身安全保护令等 (三(七))", "After sanction: breaches a protection order (3.7)"
        ),
        "serious-8-obstructing-officers": Word("阻碍执行人员进入现场 (三(八))", "Obstructing officers (3.8)"),
        "serious-9-destroying-equipment": Word(
            "毁损抢夺案件材料、车辆、器械 (三(九))", "Destroying files or equipment (3.9)"
        ),
        "serious-10-other": Word("其他情节严重 (三(十))", "Other serious conduct (3.10)"),
        "especially-1-false-litigation": Word("虚假诉讼、仲裁、公证 (四(一))", "False litigation or arbitration (4.1)"),
        "especially-2-mobbing": Word("聚众冲击执行现场 (四(二))", "Mobbing the site (4.2)"),
        "especially-3-violence": Word("暴力攻击执行人员 (四(三))", "Violence against officers (4.3)"),
        "especially-4-severe-consequences": Word("致申请执行人自杀、自残等 (四(四))", "Severe consequences (4.4)"),
        "especially-5-other": Word("其他情节特别严重 (四(五))", "Other especially serious conduct (4.5)"),
        "pre-judgment-hiding": Word("诉讼中隐藏、转移财产 (第六条)", "Hiding assets during the suit (Art. 6)"),
        "national-2024": Word("拒执解释 2024 默认清单 (14 个颗粒)", "拒执解释 2024 default (14 granules)"),
        # Checklist phases, states and answers.
        "evidence": Word("证据收集", "Evidence"),
        "referral": Word("移送", "Referral"),
        "filing": Word("受案立案", "Filing"),
        "supervision": Word("立案监督", "Supervision"),
        "investigation": Word("侦查", "Investigation"),
        "prosecution": Word("审查起诉", "Prosecution"),
        "private-prosecution": Word("自诉", "Private prosecution"),
        "verification": Word("协助查证", "Verification"),
        "not_started": Word("未开始", "Not started"),
        "open": Word("办理中", "Open"),
        "completed": Word("已完成", "Completed"),
        "rejected": Word("已退回", "Declined"),
        "cancelled": Word("已撤回", "Cancelled"),
        "skipped": Word("未进行", "Not needed"),
        "done": Word("已办结", "Done"),
        "found": Word("查实", "Found"),
        "not_found": Word("未查实", "Not found"),
        "filed": Word("已立案", "Filed"),
        "not_filed": Word("不予立案", "Not filed"),
        "ordered_to_file": Word("通知立案", "Police told to file"),
        "not_ordered": Word("维持不立案", "Refusal upheld"),
        "prosecuted": Word("已起诉", "Prosecuted"),
        "not_prosecuted": Word("不起诉", "Not prosecuted"),
        "docketed": Word("已立案", "Docketed"),
        "not_docketed": Word("不予受理", "Not docketed"),
        "verified": Word("属实", "Verified"),
        "not_verified": Word("不属实", "Not verified"),
    },
    effects={
        "close-referral": Word(
            "结束移送程序, 不再跟进公安或检察院的办理",
            "Ends the referral; police and procuratorate are no longer followed",
        ),
        "close-without-referral": Word(
            "不予移送公安机关, 本程序结束",
            "Does not refer; the matter ends",
        ),
        "debtor-performed": Word(
            "记录负有执行义务的人已经履行, 可从宽处理 (拒执解释第十一条)",
            "Records that the person performed (Art. 11: leniency)",
        ),
        "private-prosecution": Word(
            "记录申请执行人向刑事审判庭提起自诉, 跟进立案",
            "Records the applicant's private prosecution; its docketing is followed",
        ),
        "refer-to-police": Word(
            "出具移送函, 把拒执线索和证据移送公安机关, 公安须在期限内决定是否立案",
            "Issues the referral letter and sends the evidence to the police, who must decide in time whether to "
            "open a case",
        ),
        "request-verification": Word(
            "向所选单位发出协助查证请求, 五个工作日内答复",
            "Sends a request for verification, answered within 5 working days",
        ),
        "seek-supervision": Word(
            "提请人民检察院对公安不立案进行立案监督",
            "Asks the procuratorate to supervise the police's refusal to open a case",
        ),
    },
)
