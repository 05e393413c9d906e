"""The ISO 20022 messages of a bank's bulk-payment channel, built and read with pyiso20022's bindings
(xsdata-generated from the ISO schemas) — shared by our adapter and the simulated bank that speaks them:

- ``pain.001.001.09`` customer credit transfer initiation: one batch of the payout, one ``CdtTrfTxInf``
  per payee;
- ``pain.002.001.10`` customer payment status report: the bank's answer per transaction (``ACSC`` paid,
  ``RJCT`` with an ISO reason code, ``PDNG`` not executed yet), or the whole file rejected;
- ``camt.054.001.08`` debit notification: the case account's booked debits, what reconciliation reads;
- ``camt.052.001.08`` account report: the case account's available balance.

Identifiers are ``Max35Text``, so each is derived from our key by a hash (``reference``): ``MsgId`` from
the batch id (workflow id + step), ``EndToEndId`` from the payee's item key (workflow id + row + round).
A retried file carries the same identifiers, and the bank answers a repeated ``EndToEndId`` with its first
status, paying nothing twice. The item key itself travels as the unstructured remittance information
(``Ustrd``), which the bank echoes on camt.054: that is how a debit is matched to its payee. The case
number travels as the referred document (``RfrdDocInf/Nb``). Amounts are CNY with two decimals; in the
domain they are integer fen, converted here exactly (a third decimal is refused).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TypeVar

from pyiso20022.camt import camt_052_001_08 as camt052
from pyiso20022.camt import camt_054_001_08 as camt054
from pyiso20022.pain import pain_001_001_09 as pain001
from pyiso20022.pain import pain_002_001_10 as pain002
from xsdata.exceptions import ParserError
from xsdata.formats.dataclass.parsers import XmlParser
from xsdata.formats.dataclass.serializers import XmlSerializer
from xsdata.formats.dataclass.serializers.config import SerializerConfig
from xsdata.models.datatype import XmlDate, XmlDateTime

from domain.payout import BatchItem, BatchItemStatus, BatchTransfer

CURRENCY = "CNY"
PAIN_001 = "pain.001.001.09"
# ISO external status reason codes (ExternalStatusReason1Code) for the bank's per-payee refusals.
REASON_OF_STATUS: dict[BatchItemStatus, str] = {
    "invalid_account": "AC01",  # IncorrectAccountNumber
    "account_closed": "AC04",  # ClosedAccountNumber
    "name_mismatch": "BE01",  # InconsistentWithEndCustomer
}
STATUS_OF_REASON: dict[str, BatchItemStatus] = {code: status for status, code in REASON_OF_STATUS.items()}
INSUFFICIENT_FUNDS = "AM04"
INVALID_FILE = "FF01"

T = TypeVar("T")

_PARSER = XmlParser()
_SERIALIZER = XmlSerializer(config=SerializerConfig(xml_declaration=True, indent=None))


class MessageError(ValueError):
    """The bytes are not the ISO 20022 message expected, or break a rule this channel keeps."""


def reference(key: str, prefix: str = "OM") -> str:
    """A ``Max35Text`` identifier derived from one of our keys: the same key always gives the same id, and
    two keys practically never one (165 bits of SHA-256, base32)."""
    digest = base64.b32encode(hashlib.sha256(key.encode()).digest()).decode()
    return (prefix + digest)[:35]


def to_amount(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


def to_fen(amount: Decimal) -> int:
    fen = amount.scaleb(2)
    if fen != fen.to_integral_value():
        raise MessageError(f"amount {amount} has more than two decimals")
    return int(fen)


def _now() -> XmlDateTime:
    return XmlDateTime.from_datetime(datetime.now(UTC).replace(microsecond=0))


def _account(number: str) -> pain001.CashAccount38:
    return pain001.CashAccount38(
        id=pain001.AccountIdentification4Choice(othr=pain001.GenericAccountIdentification1(id=number))
    )


def _xml(document: object) -> bytes:
    namespace: str = type(document).Meta.namespace  # type: ignore[attr-defined]
    return _SERIALIZER.render(document, ns_map={None: namespace}).encode()


def _parse(data: bytes, document: type[T], what: str) -> T:
    try:
        return _PARSER.from_bytes(data, document)
    except (ParserError, ValueError, TypeError) as exc:
        raise MessageError(f"not a {what} document: {exc}") from None


# --- pain.001: the court's file ------------------------------------------------------------------------


def credit_transfer_initiation(batch: BatchTransfer, initiator: str) -> bytes:
    """pain.001 for one batch: paid from the case account, each payee by its item key."""
    items = batch["items"]
    total = to_amount(sum(i["amount_fen"] for i in items))
    txs = [
        pain001.CreditTransferTransaction34(
            pmt_id=pain001.PaymentIdentification6(
                instr_id=reference(item["item_key"], "IN"), end_to_end_id=reference(item["item_key"])
            ),
            amt=pain001.AmountType4Choice(
                instd_amt=pain001.ActiveOrHistoricCurrencyAndAmount(value=to_amount(item["amount_fen"]), ccy=CURRENCY)
            ),
            cdtr=pain001.PartyIdentification135(
                nm=item["payee_name"],
                id=pain001.Party38Choice(
                    prvt_id=pain001.PersonIdentification13(
                        othr=[pain001.GenericPersonIdentification1(id=item["id_number"])]
                    )
                ),
            ),
            cdtr_acct=_account(item["account"]),
            rmt_inf=pain001.RemittanceInformation16(
                ustrd=[item["item_key"]],
                strd=[
                    pain001.StructuredRemittanceInformation16(
                        rfrd_doc_inf=[pain001.ReferredDocumentInformation7(nb=batch["case_number"])]
                    )
                ],
            ),
        )
        for item in items
    ]
    document = pain001.Document(
        cstmr_cdt_trf_initn=pain001.CustomerCreditTransferInitiationV09(
            grp_hdr=pain001.GroupHeader85(
                msg_id=reference(batch["batch_id"]),
                cre_dt_tm=_now(),
                nb_of_txs=str(len(items)),
                ctrl_sum=total,
                initg_pty=pain001.PartyIdentification135(nm=initiator),
            ),
            pmt_inf=[
                pain001.PaymentInstruction30(
                    pmt_inf_id=reference(batch["batch_id"], "PI"),
                    pmt_mtd=pain001.PaymentMethod3Code.TRF,
                    btch_bookg=False,  # one debit per payee: camt.054 then names each payee's payment
                    nb_of_txs=str(len(items)),
                    ctrl_sum=total,
                    reqd_exctn_dt=pain001.DateAndDateTime2Choice(dt=XmlDate.from_date(datetime.now(UTC).date())),
                    dbtr=pain001.PartyIdentification135(nm=initiator),
                    dbtr_acct=_account(batch["from_account"]),
                    dbtr_agt=pain001.BranchAndFinancialInstitutionIdentification6(
                        fin_instn_id=pain001.FinancialInstitutionIdentification18()
                    ),
                    cdt_trf_tx_inf=txs,
                )
            ],
        )
    )
    return _xml(document)


@dataclass(frozen=True)
class ReceivedFile:
    """A pain.001 as the bank reads it: the file's id and the batch in the bank's keys (EndToEndId)."""

    msg_id: str
    batch: BatchTransfer
    remittance: dict[str, str]  # EndToEndId -> the remittance information to echo on camt.054


def read_credit_transfer_initiation(data: bytes) -> ReceivedFile:
    """The bank's reading of a pain.001: its checks (sums, counts, currency, one case account) and the items."""
    initiation = _parse(data, pain001.Document, PAIN_001).cstmr_cdt_trf_initn
    header = initiation.grp_hdr
    if len(initiation.pmt_inf) != 1:
        raise MessageError("one payment instruction (PmtInf) per file: the case account")
    instruction = initiation.pmt_inf[0]
    from_account = _other_id(instruction.dbtr_acct.id, "DbtrAcct")
    items: list[BatchItem] = []
    remittance: dict[str, str] = {}
    case_numbers: set[str] = set()
    for tx in instruction.cdt_trf_tx_inf:
        amount = tx.amt.instd_amt
        if amount is None or amount.ccy != CURRENCY:
            raise MessageError(f"{tx.pmt_id.end_to_end_id}: InstdAmt must be in {CURRENCY}")
        if tx.cdtr is None or not tx.cdtr.nm or tx.cdtr_acct is None:
            raise MessageError(f"{tx.pmt_id.end_to_end_id}: Cdtr/Nm and CdtrAcct are required")
        person = tx.cdtr.id.prvt_id if tx.cdtr.id is not None else None
        ustrd = tx.rmt_inf.ustrd if tx.rmt_inf is not None else []
        strd = tx.rmt_inf.strd if tx.rmt_inf is not None else []
        case_numbers.update(d.nb for s in strd for d in s.rfrd_doc_inf if d.nb)
        items.append(
            BatchItem(
                item_key=tx.pmt_id.end_to_end_id,
                payee_name=tx.cdtr.nm,
                id_number=person.othr[0].id if person is not None and person.othr else "",
                account=_other_id(tx.cdtr_acct.id, "CdtrAcct"),
                amount_fen=to_fen(amount.value),
            )
        )
        remittance[tx.pmt_id.end_to_end_id] = ustrd[0] if ustrd else ""
    if str(len(items)) != header.nb_of_txs or (
        header.ctrl_sum is not None and header.ctrl_sum != to_amount(sum(i["amount_fen"] for i in items))
    ):
        raise MessageError("GrpHdr NbOfTxs or CtrlSum differs from the transactions")
    if len(case_numbers) != 1:
        raise MessageError("every transaction names the one case (RmtInf/Strd/RfrdDocInf/Nb)")
    batch = BatchTransfer(
        batch_id=header.msg_id, case_number=case_numbers.pop(), from_account=from_account, items=items
    )
    return ReceivedFile(header.msg_id, batch, remittance)


def _other_id(account: pain001.AccountIdentification4Choice, where: str) -> str:
    if account.othr is None or not account.othr.id:
        raise MessageError(f"{where}/Id/Othr/Id is required (a domestic account number)")
    return account.othr.id


# --- pain.002: the bank's status report ----------------------------------------------------------------


@dataclass(frozen=True)
class TransactionStatus:
    end_to_end_id: str
    status: BatchItemStatus
    bank_ref: str | None = None


def payment_status_report(msg_id: str, answers: list[TransactionStatus]) -> bytes:
    """pain.002 for a file the bank took: one ``TxInfAndSts`` per transaction."""
    txs = [
        pain002.PaymentTransaction105(
            orgnl_end_to_end_id=a.end_to_end_id,
            tx_sts=_tx_status(a.status),
            acct_svcr_ref=a.bank_ref,
            sts_rsn_inf=[
                pain002.StatusReasonInformation12(rsn=pain002.StatusReason6Choice(cd=REASON_OF_STATUS[a.status]))
            ]
            if a.status in REASON_OF_STATUS
            else [],
        )
        for a in answers
    ]
    return _status_report(
        msg_id, None, None, [pain002.OriginalPaymentInstruction32(orgnl_pmt_inf_id=msg_id, tx_inf_and_sts=txs)]
    )


def file_rejection(msg_id: str, reason: str, message: str) -> bytes:
    """pain.002 rejecting the whole file (``GrpSts`` RJCT): nothing in it was executed."""
    return _status_report(msg_id, "RJCT", (reason, message), [])


def _status_report(
    msg_id: str,
    group_status: str | None,
    reason: tuple[str, str] | None,
    instructions: list[pain002.OriginalPaymentInstruction32],
) -> bytes:
    document = pain002.Document(
        cstmr_pmt_sts_rpt=pain002.CustomerPaymentStatusReportV10(
            grp_hdr=pain002.GroupHeader86(msg_id=reference(msg_id, "SR"), cre_dt_tm=_now()),
            orgnl_grp_inf_and_sts=pain002.OriginalGroupHeader17(
                orgnl_msg_id=msg_id,
                orgnl_msg_nm_id=PAIN_001,
                grp_sts=group_status,
                sts_rsn_inf=[
                    pain002.StatusReasonInformation12(
                        rsn=pain002.StatusReason6Choice(cd=reason[0]), addtl_inf=[reason[1][:105]]
                    )
                ]
                if reason
                else [],
            ),
            orgnl_pmt_inf_and_sts=instructions,
        )
    )
    return _xml(document)


def _tx_status(status: BatchItemStatus) -> str:
    if status == "paid":
        return "ACSC"  # AcceptedSettlementCompleted: the case account is debited
    if status == "timeout":
        return "PDNG"  # not executed: the bank keeps no answer, the same EndToEndId is sent again
    return "RJCT"


@dataclass(frozen=True)
class StatusReport:
    """A pain.002 as the court reads it: a rejected file's reason, or the status per EndToEndId."""

    original_msg_id: str
    rejected: tuple[str, str] | None
    statuses: list[TransactionStatus]
    unreadable: list[str]  # EndToEndIds with a status this channel does not know (left unanswered)


def read_payment_status_report(data: bytes) -> StatusReport:
    report = _parse(data, pain002.Document, "pain.002.001.10").cstmr_pmt_sts_rpt
    group = report.orgnl_grp_inf_and_sts
    if group.grp_sts == "RJCT":
        reasons = group.sts_rsn_inf[0] if group.sts_rsn_inf else None
        code = (reasons.rsn.cd or reasons.rsn.prtry or "RJCT") if reasons and reasons.rsn else "RJCT"
        text = reasons.addtl_inf[0] if reasons and reasons.addtl_inf else ""
        return StatusReport(group.orgnl_msg_id, (code, text), [], [])
    statuses: list[TransactionStatus] = []
    unreadable: list[str] = []
    for instruction in report.orgnl_pmt_inf_and_sts:
        for tx in instruction.tx_inf_and_sts:
            e2e = tx.orgnl_end_to_end_id or ""
            if tx.tx_sts == "ACSC":
                statuses.append(TransactionStatus(e2e, "paid", tx.acct_svcr_ref))
            elif tx.tx_sts == "PDNG":
                statuses.append(TransactionStatus(e2e, "timeout"))
            elif tx.tx_sts == "RJCT":
                code = tx.sts_rsn_inf[0].rsn.cd if tx.sts_rsn_inf and tx.sts_rsn_inf[0].rsn else None
                status = STATUS_OF_REASON.get(code or "")
                if status is None:
                    unreadable.append(e2e)
                else:
                    statuses.append(TransactionStatus(e2e, status))
            else:
                unreadable.append(e2e)
    return StatusReport(group.orgnl_msg_id, None, statuses, unreadable)


# --- camt.054: the case account's booked debits --------------------------------------------------------


@dataclass(frozen=True)
class Debit:
    end_to_end_id: str
    remittance: str
    amount_fen: int
    bank_ref: str
    booked_on: date


def debit_notification(account: str, debits: list[Debit], page: int, last_page: bool) -> bytes:
    """camt.054 of the case account's booked debits (``Sts`` BOOK, ``CdtDbtInd`` DBIT), a page at a time."""
    entries = [
        camt054.ReportEntry10(
            ntry_ref=d.bank_ref,
            amt=camt054.ActiveOrHistoricCurrencyAndAmount(value=to_amount(d.amount_fen), ccy=CURRENCY),
            cdt_dbt_ind=camt054.CreditDebitCode.DBIT,
            sts=camt054.EntryStatus1Choice(cd="BOOK"),
            bookg_dt=camt054.DateAndDateTime2Choice(dt=XmlDate.from_date(d.booked_on)),
            acct_svcr_ref=d.bank_ref,
            bk_tx_cd=camt054.BankTransactionCodeStructure4(
                prtry=camt054.ProprietaryBankTransactionCodeStructure1(cd="PMNT/ICDT/ESCT")
            ),
            ntry_dtls=[
                camt054.EntryDetails9(
                    tx_dtls=[
                        camt054.EntryTransaction10(
                            refs=camt054.TransactionReferences6(
                                end_to_end_id=d.end_to_end_id, acct_svcr_ref=d.bank_ref
                            ),
                            amt=camt054.ActiveOrHistoricCurrencyAndAmount(value=to_amount(d.amount_fen), ccy=CURRENCY),
                            cdt_dbt_ind=camt054.CreditDebitCode.DBIT,
                            rmt_inf=camt054.RemittanceInformation16(ustrd=[d.remittance]) if d.remittance else None,
                        )
                    ]
                )
            ],
        )
        for d in debits
    ]
    document = camt054.Document(
        bk_to_cstmr_dbt_cdt_ntfctn=camt054.BankToCustomerDebitCreditNotificationV08(
            grp_hdr=camt054.GroupHeader81(
                msg_id=reference(f"{account}/{page}/{datetime.now(UTC).isoformat()}", "NT"),
                cre_dt_tm=_now(),
                msg_pgntn=camt054.Pagination1(pg_nb=str(page), last_pg_ind=last_page),
            ),
            ntfctn=[
                camt054.AccountNotification17(
                    id=reference(f"{account}/{page}", "AN"),
                    acct=camt054.CashAccount39(
                        id=camt054.AccountIdentification4Choice(othr=camt054.GenericAccountIdentification1(id=account))
                    ),
                    ntry=entries,
                )
            ],
        )
    )
    return _xml(document)


@dataclass(frozen=True)
class Notification:
    debits: list[Debit]
    last_page: bool


def read_debit_notification(data: bytes) -> Notification:
    notification = _parse(data, camt054.Document, "camt.054.001.08").bk_to_cstmr_dbt_cdt_ntfctn
    debits: list[Debit] = []
    for account in notification.ntfctn:
        for entry in account.ntry:
            if entry.cdt_dbt_ind != camt054.CreditDebitCode.DBIT or entry.sts.cd != "BOOK" or entry.rvsl_ind:
                continue  # credits, pending entries and reversals are not payments out
            booked = entry.bookg_dt.dt.to_date() if entry.bookg_dt is not None and entry.bookg_dt.dt else None
            for details in entry.ntry_dtls:
                for tx in details.tx_dtls:
                    amount = tx.amt or entry.amt
                    if amount.ccy != CURRENCY:
                        raise MessageError(f"entry {entry.ntry_ref}: not in {CURRENCY}")
                    refs = tx.refs or camt054.TransactionReferences6()
                    ustrd = tx.rmt_inf.ustrd if tx.rmt_inf is not None else []
                    debits.append(
                        Debit(
                            end_to_end_id=refs.end_to_end_id or "",
                            remittance=ustrd[0] if ustrd else "",
                            amount_fen=to_fen(amount.value),
                            bank_ref=refs.acct_svcr_ref or entry.acct_svcr_ref or "",
                            booked_on=booked or datetime.now(UTC).date(),
                        )
                    )
    paging = notification.grp_hdr.msg_pgntn
    return Notification(debits, paging is None or paging.last_pg_ind)


# --- camt.052: the case account's balance --------------------------------------------------------------


def account_report(account: str, available_fen: int) -> bytes:
    """camt.052 with the account's interim available balance (``ITAV``)."""
    document = camt052.Document(
        bk_to_cstmr_acct_rpt=camt052.BankToCustomerAccountReportV08(
            grp_hdr=camt052.GroupHeader81(
                msg_id=reference(f"{account}/{datetime.now(UTC).isoformat()}", "AR"), cre_dt_tm=_now()
            ),
            rpt=[
                camt052.AccountReport25(
                    id=reference(account, "RP"),
                    acct=camt052.CashAccount39(
                        id=camt052.AccountIdentification4Choice(othr=camt052.GenericAccountIdentification1(id=account))
                    ),
                    bal=[
                        camt052.CashBalance8(
                            tp=camt052.BalanceType13(cd_or_prtry=camt052.BalanceType10Choice(cd="ITAV")),
                            amt=camt052.ActiveOrHistoricCurrencyAndAmount(
                                value=to_amount(abs(available_fen)), ccy=CURRENCY
                            ),
                            cdt_dbt_ind=camt052.CreditDebitCode.CRDT
                            if available_fen >= 0
                            else camt052.CreditDebitCode.DBIT,
                            dt=camt052.DateAndDateTime2Choice(dt_tm=_now()),
                        )
                    ],
                )
            ],
        )
    )
    return _xml(document)


def read_account_report(data: bytes, account: str) -> int:
    """The available balance (``ITAV``, else closing ``CLBD``) of ``account`` in a camt.052, in fen."""
    report = _parse(data, camt052.Document, "camt.052.001.08").bk_to_cstmr_acct_rpt
    for rpt in report.rpt:
        if rpt.acct.id.othr is None or rpt.acct.id.othr.id != account:
            continue
        balances = {b.tp.cd_or_prtry.cd: b for b in rpt.bal}
        balance = balances.get("ITAV") or balances.get("CLBD")
        if balance is not None:
            fen = to_fen(balance.amt.value)
            return fen if balance.cdt_dbt_ind == camt052.CreditDebitCode.CRDT else -fen
    raise MessageError(f"the account report has no available balance for account {account}")
