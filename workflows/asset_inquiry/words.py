"""What the asset inquiry (网络查控) and its measure-term watch (续行) say to a person."""

from __future__ import annotations

from workflows.asset_inquiry.models import APPROVE, REJECT, RELEASE
from workflows.kit.words import Word, Words

WORDS = Words(
    title=Word("网络查控", "Asset inquiry and control"),
    statuses={
        "inquiring": Word("查询中", "Inquiring"),
        "awaiting_decision": Word("待法官决定", "Awaiting the judge's decision"),
        "decided": Word("已决定", "Decided"),
        "freezing": Word("冻结中", "Freezing"),
        "seizing": Word("查封中", "Seizing"),
        "deducting": Word("扣划中", "Deducting"),
        "completed": Word("已完成", "Completed"),
        "rejected": Word("不予查控", "Control rejected"),
        "watching": Word("期限监控中", "Watching the term"),
        "reported": Word("已查询并报告", "Inquired and reported"),
        "releasing": Word("解除中", "Releasing"),
    },
    decisions={
        APPROVE: Word("批准查控措施", "Approve control measures"),
        REJECT: Word("不予查控", "Reject control measures"),
        RELEASE: Word("解除措施", "Release the measure"),
    },
    actions={
        "started": Word("启动", "Started"),
        "inquiry_completed": Word("查询完毕", "Inquiry completed"),
        "decision": Word("法官决定", "Judge's decision"),
        "freeze_registered": Word("冻结登记", "Freeze registered"),
        "seize_registered": Word("查封登记", "Seizure registered"),
        "over_freeze_released": Word("超额冻结部分已解除", "Excess of a freeze released"),
        "measure_refused": Word("措施被拒", "Measure refused"),
        "deducted": Word("扣划完成", "Deducted"),
        "deduction_refused": Word("扣划被拒", "Deduction refused"),
        "term_watch_started": Word("开始期限监控", "Term watch started"),
        "completed": Word("完成", "Completed"),
        "rejected": Word("不予查控", "Rejected"),
        "renewed": Word("续行查封冻结", "Renewed"),
        "renewal_refused": Word("续行被拒", "Renewal refused"),
        "released": Word("已解除", "Released"),
        "reported": Word("查询结果已报告", "Result reported"),
        "incident": Word("异常待处理", "Incident"),
    },
    fields={
        "case_number": Word("案号", "Case number"),
        "court": Word("执行法院", "Court"),
        "debtor": Word("被执行人", "Debtor"),
        "kind": Word("类型", "Kind"),
        "name": Word("姓名或名称", "Name"),
        "id_number": Word("证件号码", "ID number or credit code"),
        "amount_owed_fen": Word("执行标的", "Amount owed"),
        "execution_costs_fen": Word("执行费用", "Enforcement costs"),
        "case_account": Word("案款账户", "Case account"),
        "selection": Word("选择的财产 (报告序号)", "Selected assets (report numbers)"),
        "deduct": Word("扣划至案款账户", "Deduct into the case account"),
    },
    help={
        "id_number": Word(
            "自然人填居民身份证号, 法人或其他组织填统一社会信用代码", "Resident ID number or unified social credit code"
        ),
        "amount_owed_fen": Word("生效法律文书确定的金额, 单位: 元", "As the ruling states, in yuan"),
        "execution_costs_fen": Word(
            "申请执行费等, 单位: 元; 留空则按《诉讼费用交纳办法》第十四条计算申请执行费",
            "Application fee and other costs, in yuan; left empty, the application fee of the amount owed "
            "(Measures on Litigation Costs Art. 14) is proposed",
        ),
        "case_account": Word("留空则使用本案的案款账户", "Leave empty for the case's own account"),
        "selection": Word("留空即批准报告中的全部财产", "Leave empty to approve every reported asset"),
    },
    summary={
        "debtor": Word("被执行人", "Debtor"),
        "target_fen": Word("控制目标 (标的+费用)", "Control target (owed + costs)"),
        "frozen_fen": Word("已冻结", "Frozen"),
        "deducted_fen": Word("已扣划", "Deducted"),
        "partners": Word("协助单位答复", "Partners' answers"),
        "report": Word("财产报告", "Asset report"),
        "measures": Word("控制措施", "Control measures"),
        "refusals": Word("被拒事项", "Refusals"),
        "partner": Word("协助单位", "Partner"),
        "expires_at": Word("到期时间", "Expires"),
        "renewals": Word("续行次数", "Renewals"),
    },
    columns={
        "index": Word("序号", "No."),
        "partner_id": Word("协助单位", "Partner"),
        "kind": Word("类型", "Kind"),
        "reference": Word("账号或权证号", "Account or title"),
        "description": Word("说明", "Description"),
        "available_fen": Word("可控金额", "Available"),
        "status": Word("状态", "Status"),
        "asset_index": Word("财产序号", "Asset no."),
        "asset_kind": Word("财产类型", "Asset kind"),
        "amount_fen": Word("金额", "Amount"),
        "rank": Word("顺位", "Rank"),
        "registered_at": Word("登记时间", "Registered"),
        "expires_at": Word("到期时间", "Expires"),
        "renewals": Word("续行次数", "Renewals"),
    },
    enums={
        "person": Word("自然人", "Person"),
        "organisation": Word("法人或其他组织", "Organisation"),
    },
)
