"""What the cross-region seizure (异地扣押) says to a person."""

from __future__ import annotations

from workflows.cross_region_seizure.models import DEBTOR_PAID, HAND_OVER, RETURN, VEHICLE_SOLD
from workflows.foundation.words import CASE_ACTIONS, CASE_FIELDS, Word, Words

WORDS = Words(
    title=Word("异地扣押", "Cross-region vehicle seizure"),
    statuses={
        "requested": Word("已请求", "Requested"),
        "waiting_accept": Word("待受托法院接受", "Awaiting the receiving court"),
        "waiting_police": Word("待交警扣押", "Awaiting the traffic police"),
        "waiting_custody": Word("待入库保管", "Awaiting custody"),
        "waiting_confirm": Word("待受托法院确认", "Awaiting confirmation"),
        "awaiting_disposition": Word("待决定处置", "Awaiting disposition"),
        "handed_over": Word("已移交处置", "Handed over to disposal"),
        "disposing": Word("已移交处置, 待处置结果", "Handed over; awaiting the disposal's end"),
        "sold": Word("已拍卖成交, 解除扣押", "Sold; seizure released"),
        "returned": Word("已返还", "Returned"),
        "cancelled_paid": Word("已履行撤销", "Cancelled: debtor paid"),
        "task_failed": Word("协助未完成", "Assistance not completed"),
        "registry_refused": Word("登记机关拒绝查封", "Registry refused the seizure"),
    },
    decisions={
        DEBTOR_PAID: Word("被执行人已履行", "Debtor paid"),
        HAND_OVER: Word("移交处置", "Hand over to disposal"),
        RETURN: Word("解除扣押并返还", "Release and return"),
        VEHICLE_SOLD: Word("登记车辆已拍卖成交", "Record the vehicle sold"),
    },
    actions={
        **CASE_ACTIONS,
        "requested": Word("发出请求", "Requested"),
        "registry_seizure": Word("登记查封", "Seizure registered"),
        "registry_seizure_refused": Word("登记查封被拒", "Registry refused the seizure"),
        "registry_released": Word("解除登记查封", "Registry seizure released"),
        "decision": Word("法官决定", "Judge's decision"),
        "handed_over": Word("已移交处置", "Handed over"),
        "returned": Word("已返还", "Returned"),
        "cancelled_paid": Word("已履行撤销", "Cancelled: debtor paid"),
        "task_failed": Word("协助未完成", "Assistance not completed"),
        "registry_refused": Word("登记机关拒绝查封", "Registry refused"),
        "vehicle_claimed_for_disposal": Word("车辆由本案处置 (一物一处置)", "Vehicle taken for this disposal"),
        "vehicle_claim_released": Word("车辆处置结束, 可由他案处置", "Disposal ended: the vehicle is free"),
        "vehicle_transferred": Word("车辆已过户, 不得再处置", "Title passed: never disposed of again"),
        "sold": Word("已拍卖成交", "Sold"),
        "asset_held_elsewhere": Word(
            "该车辆已在他案处置或已过户, 不得重复处置", "The vehicle is disposed of by another matter"
        ),
    },
    fields={
        **CASE_FIELDS,
        "case_number": Word("案号", "Case number"),
        "court": Word("请求法院", "Requesting court"),
        "ruling_ref": Word("裁定书文号", "Ruling reference"),
        "vehicle": Word("车辆", "Vehicle"),
        "plate": Word("号牌", "Plate"),
        "vin": Word("车辆识别代号", "VIN"),
        "owner": Word("登记所有人", "Registered owner"),
        "kind": Word("类型", "Kind"),
        "name": Word("姓名或名称", "Name"),
        "id_number": Word("证件号码", "ID number or credit code"),
        "receiving_court": Word("受托法院", "Receiving court"),
        "traffic_police": Word("交警", "Traffic police"),
        "car_station": Word("车辆停放站", "Car station"),
        "vehicle_registry": Word("车辆登记系统", "Vehicle registry"),
        "holder_case": Word("正在处置的案件", "Case disposing of it"),
        "state": Word("状态", "State"),
    },
    help={
        "ruling_ref": Word("裁定书及协助执行通知书文号", "The ruling and the notice of assistance"),
        "vin": Word("17 位, 不含 I、O、Q", "17 characters, no I, O or Q"),
    },
    summary={
        "plate": Word("号牌", "Plate"),
        "open_task": Word("当前事项", "Current task"),
        "tasks": Word("协助事项", "Tasks"),
    },
    columns={
        "disposition": Word("处置决定", "Disposition"),
        "registry_measure_id": Word("查封登记编号", "Registry seizure no."),
        "status": Word("状态", "Status"),
        "task_id": Word("事项", "Task"),
        "state": Word("状态", "State"),
        "agency": Word("协助单位", "Agency"),
    },
    tasks={
        "cross-region-seizure.accept": Word("受托法院接受事项委托", "Receiving court accepts"),
        "cross-region-seizure.police": Word("查控并扣押车辆", "Locate and seize the vehicle"),
        "cross-region-seizure.custody": Word("车辆入库保管 (附照片)", "Custody with photos"),
        "cross-region-seizure.confirm": Word("受托法院确认扣押与保管", "Court confirms seizure and custody"),
    },
    enums={
        "person": Word("自然人", "Person"),
        "organisation": Word("法人或其他组织", "Organisation"),
        # 顺位 of a seizure (domain.measures.SeizureRank): the first to register, or queued behind it.
        "first": Word("首封", "first seizure"),
        "queued": Word("轮候", "queued"),
    },
    effects={
        "debtor-paid": Word(
            "记录被执行人已履行, 解除扣押并通知保管单位返还车辆",
            "Records that the debtor performed, releases the seizure and has the custodian return the vehicle",
        ),
        "hand-over-to-disposal": Word(
            "把扣押的车辆移交处置 (评估、拍卖), 保管单位按移交手续交付",
            "Hands the seized vehicle over for disposal (valuation, auction); the custodian delivers it",
        ),
        "return-vehicle": Word(
            "解除扣押, 通知保管单位把车辆返还被执行人",
            "Releases the seizure; the custodian returns the vehicle to the debtor",
        ),
        VEHICLE_SOLD: Word(
            "记录处置已拍卖成交 (所有权转移): 解除扣押, 该车辆不得再由他案处置",
            "Records the sale (title passed): the seizure is released and the vehicle is never disposed of again",
        ),
    },
)
