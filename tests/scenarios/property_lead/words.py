"""What the property-lead check says to a person."""

from __future__ import annotations

from tests.scenarios.property_lead.models import CONTROL, NO_ACTION
from workflows.foundation.words import CASE_FIELDS, Word, Words

WORDS = Words(
    title=Word("财产线索核查", "Property lead check"),
    statuses={
        "checking": Word("核查中", "Checking"),
        "awaiting_decision": Word("待法官决定", "Awaiting the judge's decision"),
        "control_ordered": Word("已决定控制", "Control ordered"),
        "no_action": Word("不予处理", "No action"),
        "lead_unfounded": Word("线索不实", "Lead unfounded"),
    },
    decisions={
        CONTROL: Word("决定控制该财产", "Control the asset"),
        NO_ACTION: Word("不予处理", "Take no action"),
    },
    effects={
        CONTROL: Word(
            "结束核查, 记录决定控制该财产; 控制措施另行启动网络查控", "Ends the check deciding to control the asset"
        ),
        NO_ACTION: Word("结束核查, 不采取措施", "Ends the check with no measure taken"),
    },
    actions={
        "lead_received": Word("收到财产线索", "Lead received"),
        "decision": Word("法官决定", "Judge's decision"),
    },
    fields={
        **CASE_FIELDS,
        "case_number": Word("案号", "Case number"),
        "court": Word("执行法院", "Court"),
        "lead": Word("财产线索", "Lead"),
        "agency": Word("核查单位", "Verifying agency"),
        "urgent": Word("紧急", "Urgent"),
        "note": Word("备注", "Note"),
    },
    help={"urgent": Word("紧急的, 三日内核查 (财产调查规定 第二条)", "Urgent leads are checked in 3 days (Art. 2)")},
    summary={
        "due_by": Word("核查期限", "Check due by"),
        "provisional": Word("期限暂定", "Provisional deadline"),
        "found": Word("是否属实", "Found"),
    },
    tasks={"property-lead.check": Word("核查财产线索", "Check the property lead")},
)
