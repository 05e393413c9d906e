"""Words of the mass payout (涉众案款发放): Chinese first, English beside it.

Keys are the values the code uses: ``Status`` members, decision names, timeline actions, field names of
``MassPayoutRequest`` (and the payee list, the clerk's correction and its task context), the status
summary's keys, the result's and the reconciliation report's columns, the correction task's type, and the
enum values a judge or clerk reads (bank answers, escrow reasons, reconciliation checks).
"""

from __future__ import annotations

from domain.payout import EscrowReason, ItemStatus
from workflows.foundation.words import CASE_ACTIONS, CASE_FIELDS, Word, Words
from workflows.mass_payout.models import APPROVE, CORRECTION_CHECK_TASK, CORRECTION_TASK, REJECT, Status

WORDS = Words(
    title=Word("涉众案款发放", "Mass payout of case funds"),
    statuses={
        Status.CHECKING: Word("核对名单与余额", "Checking the list and the balance"),
        Status.AWAITING_APPROVAL: Word("待法官批准发放", "Awaiting the judge's release"),
        Status.AWAITING_SECOND_APPROVAL: Word("待第二位法官批准", "Awaiting a second judge's approval"),
        Status.PAYING: Word("发放中", "Paying"),
        Status.RECONCILING: Word("对账中", "Reconciling"),
        Status.COMPLETED: Word("已完成", "Completed"),
        Status.RECONCILIATION_MISMATCH: Word("对账不平", "Reconciliation does not balance"),
        Status.REJECTED: Word("不予批准", "Rejected"),
        Status.LIST_INVALID: Word("名单无效", "Payee list invalid"),
        Status.BALANCE_UNAVAILABLE: Word("无法查询案款余额", "Case account balance unavailable"),
        Status.INSUFFICIENT_FUNDS: Word("案款余额不足", "Insufficient case funds"),
    },
    decisions={
        APPROVE: Word("批准发放", "Approve the release"),
        REJECT: Word("不予发放", "Reject the release"),
    },
    actions={
        **CASE_ACTIONS,
        "started": Word("启动", "Started"),
        "list_refused": Word("名单核对未通过", "Payee list refused"),
        "balance_unavailable": Word("无法查询案款余额", "Case account balance unavailable"),
        "balance_checked": Word("已核对案款余额", "Case account balance checked"),
        "first_approval": Word("第一位法官批准", "First approval"),
        "release_approved": Word("批准发放", "Release approved"),
        "release_rejected": Word("不予发放", "Release rejected"),
        "continued_as_new": Word("续接新的运行", "Continued in a new run"),
        "reconciled": Word("对账完成", "Reconciled"),
        # The payout's last entry is its final status.
        "completed": Word("完成", "Completed"),
        "reconciliation_mismatch": Word("对账不平", "Reconciliation does not balance"),
        "rejected": Word("退回", "Rejected"),
        "list_invalid": Word("名单无效", "Payee list invalid"),
        "insufficient_funds": Word("案款余额不足", "Insufficient case funds"),
    },
    fields={
        **CASE_FIELDS,
        # MassPayoutRequest
        "case_number": Word("案号", "Case number"),
        "court": Word("执行法院", "Court"),
        "payee_list": Word("收款人名单", "Payee list"),
        "case_account": Word("案款账户", "Case account"),
        "bank": Word("银行", "Bank"),
        "correction_agency": Word("更正承办单位", "Who corrects failed payees"),
        "collecting_agents": Word("代理人代收笔数 (须双人审批)", "Rows an agent collects (second approval)"),
        # PayeeListRef
        "sha256": Word("名单摘要 (SHA-256)", "List hash (SHA-256)"),
        "count": Word("收款人数", "Number of payees"),
        "total_fen": Word("发放总额", "Total to pay"),
        # The clerk's correction (PayeeCorrection) and the context of its task
        "account": Word("账号", "Account number"),
        "name": Word("姓名或名称", "Name"),
        "note": Word("备注", "Note"),
        "payout": Word("发放流程", "Payout"),
        "row": Word("名单行号", "Row in the list"),
        "amount_fen": Word("金额", "Amount"),
        "failure": Word("银行答复", "Bank's answer"),
        "code": Word("原因代码", "Reason code"),
        "round": Word("更正轮次", "Correction round"),
    },
    help={
        "case_number": Word("执行案件的案号", "The enforcement case's number"),
        "court": Word("发放案款的执行法院", "The court paying out the case funds"),
        "payee_list": Word(
            "先上传收款人名单 (CSV), 通过校验后填入其摘要、人数和总额",
            "Upload the payee list (CSV) first; once accepted, its hash, count and total go here",
        ),
        "case_account": Word("款项从此案款账户付出", "The case account the money is paid from"),
        "bank": Word(
            "案款账户所在银行 (协助单位编号); 更正时为收款人开户行",
            "The bank holding the case account (partner id); in a correction, the payee's bank",
        ),
        "correction_agency": Word(
            "银行退回的收款人交由此单位核实更正 (单位编号, 通常为书记员)",
            "Who verifies and corrects payees the bank refused (agency id, usually the court clerk)",
        ),
        "sha256": Word("上传名单时返回的内容摘要", "The content hash returned when the list was uploaded"),
        "count": Word("名单中的收款人数", "How many payees the list holds"),
        "total_fen": Word("名单金额合计, 须与案款账户余额相符", "The list's total; the case account must hold it"),
        "account": Word("更正后的收款账号", "The corrected account number"),
        "name": Word("银行登记的户名 (与名单不同时填写)", "The holder's name as the bank has it, if it differs"),
        "note": Word("如何核实了收款人信息", "How the details were confirmed"),
    },
    summary={
        "payees": Word("收款人数", "Payees"),
        "total_fen": Word("发放总额", "Total to pay"),
        "list_sha256": Word("收款人名单 (SHA-256)", "Payee list (SHA-256)"),
        "bank": Word("银行", "Bank"),
        "approvals": Word("已批准的法官", "Approved by"),
        "approvals_needed": Word("所需批准人数", "Approvals needed"),
        "batches": Word("批次数", "Batches"),
        "batches_started": Word("已开始批次", "Batches started"),
        "batches_closed": Word("已结束批次", "Batches closed"),
        "paid_count": Word("已付人数", "Payees paid"),
        "paid_fen": Word("已付金额", "Amount paid"),
        "percent_paid": Word("已付人数比例", "Payees paid (%)"),
        "percent_paid_fen": Word("已付金额比例", "Amount paid (%)"),
        "failures": Word("未付人数", "Payees not paid"),
        "awaiting_correction": Word("待更正人数", "Awaiting correction"),
        "escrowed_count": Word("提存人数", "Payees in escrow"),
        "escrowed_fen": Word("提存金额", "Amount in escrow"),
        "runs": Word("运行次数", "Runs"),
    },
    columns={
        # The result and its reconciliation
        "status": Word("状态", "Status"),
        "released_fen": Word("批准发放金额", "Amount released"),
        "reconciliation": Word("对账", "Reconciliation"),
        "report_sha256": Word("对账报告 (SHA-256)", "Reconciliation report (SHA-256)"),
        "bank_paid_count": Word("银行入账笔数", "Credits at the bank"),
        "bank_paid_fen": Word("银行入账金额", "Amount credited by the bank"),
        "mismatches": Word("不符笔数", "Mismatches"),
        "balanced": Word("账目平衡", "Balanced"),
        "mismatch_rows": Word("不符明细", "Mismatched rows"),
        # Timeline details
        "balance_fen": Word("案款余额", "Case account balance"),
        "approver": Word("批准法官", "Approver"),
        "run": Word("运行", "Run"),
        "code": Word("原因代码", "Reason code"),
        # The reconciliation report (CSV)
        "row": Word("行号", "Row"),
        "name": Word("姓名或名称", "Name"),
        "id_number": Word("证件号码", "ID number"),
        "account": Word("账号", "Account number"),
        "amount_yuan": Word("金额 (元)", "Amount (yuan)"),
        "state": Word("结果", "Outcome"),
        "escrow_reason": Word("提存原因", "Escrow reason"),
        "item_key": Word("付款幂等键", "Payment key"),
        "bank_status": Word("银行状态", "Bank status"),
        "bank_ref": Word("银行流水号", "Bank reference"),
        "check": Word("核对结果", "Check"),
    },
    tasks={
        CORRECTION_TASK: Word("案款发放收款人信息更正", "Payee correction (mass payout)"),
        CORRECTION_CHECK_TASK: Word("案款发放更正复核 (他人)", "Check of a payee correction (another clerk)"),
    },
    enums={
        ItemStatus.PAID: Word("已付", "paid"),
        ItemStatus.INVALID_ACCOUNT: Word("账号无效", "invalid account"),
        ItemStatus.NAME_MISMATCH: Word("户名不符", "name does not match"),
        ItemStatus.ACCOUNT_CLOSED: Word("账户已销户", "account closed"),
        ItemStatus.TIMEOUT: Word("银行超时", "bank timed out"),
        "escrowed": Word("已提存", "in escrow"),
        EscrowReason.CORRECTION_REJECTED: Word("更正被退回", "correction rejected"),
        EscrowReason.CORRECTION_CANCELLED: Word("更正已撤销", "correction cancelled"),
        EscrowReason.CORRECTION_DEADLINE_PASSED: Word("更正期限届满", "correction deadline passed"),
        EscrowReason.CORRECTION_ROUNDS_EXHAUSTED: Word("更正次数用尽", "corrections exhausted"),
        EscrowReason.BANK_TIMEOUT_UNRESOLVED: Word("银行持续超时", "bank kept timing out"),
        EscrowReason.BATCH_REFUSED: Word("银行拒绝整批", "bank refused the batch"),
        EscrowReason.CORRECTION_NOT_CONFIRMED: Word(
            "更正未经他人复核确认", "correction not confirmed by a second clerk"
        ),
        "ok": Word("相符", "ok"),
        "double_credit": Word("重复入账", "credited twice"),
        "paid_but_escrowed": Word("已入账却记为提存", "paid but recorded as escrowed"),
        "not_in_bank_statement": Word("银行流水中无此笔", "not in the bank's statement"),
        "key_mismatch": Word("付款键不符", "payment key differs"),
        "amount_mismatch": Word("金额不符", "amount differs"),
        "unknown_item": Word("名单外的入账", "credit not on the list"),
    },
    effects={
        "approve-release": Word(
            "批准按名单发放案款; 超过限额的须另一审批人复核后才付款",
            "Approves paying the list; above the limit a second approver must agree before any payment",
        ),
        "reject": Word(
            "不予发放, 名单上的款项一笔都不付",
            "Refuses the release; nobody on the list is paid",
        ),
    },
)
