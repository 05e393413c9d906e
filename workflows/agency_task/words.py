"""What an agency task (协助事项) says to a person: its states and what happened to it."""

from __future__ import annotations

from workflows.kit.words import Word, Words

WORDS = Words(
    title=Word("协助事项", "Agency task"),
    statuses={
        "open": Word("待签收", "Open"),
        "claimed": Word("办理中", "Claimed"),
        "completed": Word("已完成", "Completed"),
        "rejected": Word("已退回", "Rejected"),
        "cancelled": Word("已撤销", "Cancelled"),
    },
    actions={
        "assigned": Word("交办", "Assigned"),
        "claimed": Word("签收", "Claimed"),
        "completed": Word("完成", "Completed"),
        "rejected": Word("退回", "Rejected"),
        "cancelled": Word("撤销", "Cancelled"),
        "reassigned": Word("改派", "Reassigned"),
        "extended": Word("延长期限", "Extended"),
        "deadline_recomputed": Word("重新计算期限", "Deadline recomputed"),
        "deadline_rechecked": Word("复核暂定期限", "Provisional deadline rechecked"),
        "overdue": Word("超期", "Overdue"),
        "turned_yellow": Word("转为黄灯", "Turned yellow"),
        "turned_red": Word("转为红灯", "Turned red"),
        "escalated": Word("升级督办", "Escalated"),
        "task_assigned": Word("交办事项", "Task assigned"),
        "task_open": Word("事项交办", "Task open"),
        "task_claimed": Word("事项签收", "Task claimed"),
        "task_completed": Word("事项完成", "Task completed"),
        "task_rejected": Word("事项退回", "Task rejected"),
        "task_cancelled": Word("事项撤销", "Task cancelled"),
    },
    fields={
        "result": Word("办理结果", "Result"),
        "attachments": Word("附件", "Attachments"),
        "note": Word("备注", "Note"),
        "reason": Word("理由", "Reason"),
        "agency": Word("协助单位", "Agency"),
        "extra": Word("延长", "Extension"),
        "amount": Word("数量", "Amount"),
        "unit": Word("单位", "Unit"),
    },
    enums={
        "calendar_day": Word("自然日", "calendar days"),
        "working_day": Word("工作日", "working days"),
        "hour": Word("小时", "hours"),
        "month": Word("月", "months"),
        "year": Word("年", "years"),
    },
)
