"""The enforcement case's words: Chinese first, English beside it."""

from __future__ import annotations

from workflows.foundation.words import Word, Words

WORDS = Words(
    title=Word("执行案件", "Enforcement case"),
    statuses={
        "open": Word("执行中", "open"),
        "fully-performed": Word("已全部履行, 待解除措施", "fully performed, releasing measures"),
        "closed": Word("已结案", "closed"),
    },
    decisions={
        "approve-term-extension": Word("批准延长审限", "approve the term's extension"),
        "refuse-term-extension": Word("不批准延长审限", "refuse the term's extension"),
        "president-sign": Word("院长批准罚款/拘留并签发决定书", "approve the fine or detention and sign its decision"),
        "president-refuse": Word("院长不予批准罚款/拘留", "refuse the fine or detention"),
    },
    actions={
        "filed": Word("立案", "filed"),
        "matter-started": Word("启动执行事项", "matter started"),
        "matter-ended": Word("执行事项办结", "matter ended"),
        "matter-attached": Word("已有执行事项并入本案", "existing matter attached"),
        "measure-placed": Word("采取措施", "measure placed"),
        "measure-renewed": Word("措施续行", "measure renewed"),
        "measure-released": Word("解除措施", "measure released"),
        "measure-lapsed": Word("措施到期失效", "measure lapsed"),
        "money-recovered": Word("执行到位", "money recovered"),
        "money-paid-out": Word("案款发放", "paid out"),
        "closure-ruled": Word("裁定终结本次执行程序", "current procedure closed by ruling"),
        "full-performance": Word("全部履行完毕", "full performance"),
        "notice-sent": Word("通知执行事项解除措施", "matter told to release"),
        "notice-failed": Word("通知执行事项失败", "matter could not be told"),
        "term-period-excluded": Word("记录不计入审限的期间", "period excluded from the term"),
        "term-extension-requested": Word("申请延长审限", "term extension requested"),
        "term-extended": Word("审限延长", "term extended"),
        "term-extension-refused": Word("延长审限未获批准", "term extension refused"),
        "closed": Word("结案", "closed"),
        "continued": Word("案件记录续接", "case continued as new"),
        "party-filed": Word("当事人提交", "a party filed"),
        "party-answered": Word("法官答复当事人", "the judge answered a party"),
        "party-consented": Word("对方当事人表态", "the other side answered"),
        "paid-online": Word("网上缴费到账", "paid online"),
        "title-resumed": Word(
            "准予恢复执行原执行依据; 执行和解事项未能记录 (已结束或未应答), 由本案记录",
            "Original title resumed; the settlement could not record it (ended or no answer), so the case does",
        ),
        "payment-refunded": Word("退还案件未收取的缴款", "a payment the case did not take refunded"),
        "node-pushed": Word("执行节点", "enforcement node"),
        "report-sanctioned": Word("违反报告财产令的处罚", "sanction for breaching the report order"),
        "sanction-approved": Word("院长批准处罚", "the president approved the sanction"),
        "sanction-not-approved": Word("院长不予批准处罚", "the president refused the sanction"),
        "sanction-received": Word("处罚决定书已送达", "sanction decision received"),
        "sanction-reconsideration-applied": Word("申请复议", "reconsideration applied for"),
        "sanction-reconsidered": Word("上一级法院作出复议决定", "the higher court decided the reconsideration"),
    },
    effects={
        "approve-term-extension": Word(
            "批准延长审限三个月, 审限届满日随之顺延",
            "Extends the term by three months; its end moves accordingly",
        ),
        "refuse-term-extension": Word(
            "不批准延长, 审限届满日不变",
            "Refuses the extension; the term ends as before",
        ),
        "president-sign": Word(
            "批准最早一项待批的罚款或拘留; 随即作出决定书并送达被执行人, 被执行人可在收到后三日内申请复议",
            "Approves the oldest fine or detention awaiting; its decision is issued and served on the debtor, "
            "who may apply for reconsideration within 3 days of receipt",
        ),
        "president-refuse": Word(
            "不批准该项罚款或拘留, 须写明理由; 不作出决定书",
            "Refuses the fine or detention with reasons; no decision is issued",
        ),
    },
)
