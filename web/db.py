"""The web's own tables (用户与令牌): users and their bearer tokens, and the files agencies attach to tasks.

They live in the one database the worker shares (``store.db``: engine, sessions, the single Alembic
chain in ``store/migrations``); the names the web's modules use from there are re-exported here.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.db import Base, Database, UTCDateTime, make_engine, upgrade_to_head, utcnow

__all__ = [
    "ApiToken",
    "Attachment",
    "Base",
    "CaseRead",
    "Database",
    "PartyAccount",
    "PartyAgent",
    "PartyApplication",
    "PartyCode",
    "PartyFile",
    "PartyPayment",
    "PaymentCallback",
    "UTCDateTime",
    "User",
    "make_engine",
    "upgrade_to_head",
    "utcnow",
]


class User(Base):
    """一个用户: a judge or approver (of one court), a supervisor or auditor (of a set of courts), an
    agency user or partner system (bound to one agency), or an admin. ``courts_json`` is the JSON list of
    the user's courts, by the names cases carry."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    agency: Mapped[str | None] = mapped_column(String(64), default=None)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    courts_json: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    tokens: Mapped[list[ApiToken]] = relationship(back_populates="user")

    @property
    def courts(self) -> tuple[str, ...]:
        return tuple(json.loads(self.courts_json or "[]"))

    @courts.setter
    def courts(self, value: tuple[str, ...] | list[str]) -> None:
        self.courts_json = json.dumps(list(value), ensure_ascii=False)


class ApiToken(Base):
    """A bearer token, stored only as its SHA-256. ``session`` tokens come from logging in and expire;
    ``api`` tokens belong to partner systems and scripts and last until revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    label: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    user: Mapped[User] = relationship(back_populates="tokens")


class Attachment(Base):
    """A file an agency uploaded to one task (附件). The bytes live encrypted in the blob store under their
    SHA-256; this row says whose they are: the task, its case and court, and the uploading agency —
    which is what decides who may fetch them."""

    __tablename__ = "attachments"

    task_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    workflow_id: Mapped[str] = mapped_column(String(200))
    agency: Mapped[str] = mapped_column(String(64))
    court: Mapped[str] = mapped_column(String(100))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PartyAccount(Base):
    """A party's real-name account (当事人实名账户): an applicant, a debtor or their lawyer, bound to one
    ``users`` row of role ``party``. Nothing personal in clear: the ID number (or, for an organisation, its
    credit code and its legal representative's ID) and the phone as keyed hashes for look-ups (the party
    index's keys), and name, numbers and phone sealed for the few places that must show or use them."""

    __tablename__ = "party_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    # The number whose cases the party sees: a person's ID number, an organisation's credit code.
    party_digest: Mapped[str] = mapped_column(String(64), index=True)
    representative_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    phone_digest: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str] = mapped_column(String(32))
    sealed: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class PartyCode(Base):
    """A one-time code sent by SMS to a party's phone (短信验证码), kept as its keyed hash. Good once, for a
    few minutes and a few tries; how many were sent to one phone lately is what rate-limits sending."""

    __tablename__ = "party_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    phone_digest: Mapped[str] = mapped_column(String(64), index=True)
    code_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class PartyFile(Base):
    """A file a party uploaded (the title of an application, a lead's photo): the bytes live encrypted in the
    blob store under their SHA-256; this row says whose they are, so only their owner can attach them."""

    __tablename__ = "party_files"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PartyApplication(Base):
    """An application for enforcement submitted online (网上申请执行): the filing clerk's queue until it is
    docketed (a case, with its number) or refused with reasons, within the period (``decide_by``). The
    application itself — parties, title, claim — is sealed; the row holds only what the queue sorts by."""

    __tablename__ = "party_applications"

    application_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    court: Mapped[str] = mapped_column(String(100), index=True)
    sealed: Mapped[str] = mapped_column(Text)
    title_sha256: Mapped[str | None] = mapped_column(String(64), default=None)  # a resumption filed on paper: none
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decide_by: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    decided_by: Mapped[str | None] = mapped_column(String(64), default=None)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    reasons: Mapped[str | None] = mapped_column(Text, default=None)
    case_id: Mapped[str | None] = mapped_column(String(64), default=None)
    case_number: Mapped[str | None] = mapped_column(String(64), default=None)


class PartyPayment(Base):
    """An order to pay a case's account online (网上缴费), opened by a debtor of that case. The case it pays
    is fixed here when the order opens — never taken from the payer afterwards — and the payment, once the
    platform confirms it, is credited to that case alone (once: the case keys it by ``payment_id``)."""

    __tablename__ = "party_payments"

    order_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    workflow_id: Mapped[str] = mapped_column(String(200))
    case_number: Mapped[str] = mapped_column(String(64))
    amount_fen: Mapped[int] = mapped_column(Integer)
    # created | credited | unapplied (paid after the case ended: not in the ledger, a refund item)
    status: Mapped[str] = mapped_column(String(16), default="created")
    payment_id: Mapped[str | None] = mapped_column(String(80), default=None, unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    credited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # A refund item (待退款): what of the payment the case did not take, why (closed | paid | overpaid), and the
    # judge's decision on it — pending until a judge refunds it (who, when, why, the platform's refund id).
    refund_fen: Mapped[int | None] = mapped_column(Integer, default=None)
    refund_cause: Mapped[str | None] = mapped_column(String(16), default=None)
    refund_state: Mapped[str | None] = mapped_column(String(16), default=None, index=True)  # pending | refunded
    refund_found_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    refund_by: Mapped[str | None] = mapped_column(String(64), default=None)
    refund_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    refund_reason: Mapped[str | None] = mapped_column(Text, default=None)
    refund_ref: Mapped[str | None] = mapped_column(String(80), default=None)


class PaymentCallback(Base):
    """A payment platform's server callback (支付结果通知) as received: credited, a duplicate of a payment
    already taken, or refused (unsigned, a bad or stale signature, a replay, an order not ours) — on record
    either way. A signature is taken once: its digest is unique, so a replayed message is refused."""

    __tablename__ = "payment_callbacks"
    # The refused notices of one address lately: the notice endpoint's rate limit counts them.
    __table_args__ = (Index("ix_payment_callbacks_remote_received", "remote", "received_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(16))  # credited | unapplied | duplicate | pending | refused
    code: Mapped[str] = mapped_column(String(40))
    order_id: Mapped[str | None] = mapped_column(String(80), default=None)
    payment_id: Mapped[str | None] = mapped_column(String(80), default=None)
    signature_sha256: Mapped[str | None] = mapped_column(String(64), default=None, unique=True)
    remote: Mapped[str] = mapped_column(String(64), default="")


class PartyAgent(Base):
    """A lawyer or other agent (委托代理人) of one party's side in one case: pending until the judge confirms
    the power of attorney (filed in the case as an ``agency`` request), then the agent sees the case and acts
    for that side — the acts needing special authority (特别授权) only if the power grants it."""

    __tablename__ = "party_agents"

    request_id: Mapped[str] = mapped_column(String(80), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[str] = mapped_column(String(64), index=True)
    workflow_id: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))  # the principal's role in the case (applicants, debtors …)
    # Which party of that side signed the power: the principal's party-index digest (a keyed hash, never the
    # number), so the agent receives the documents addressed to that party alone (``debtor-2``). Empty for a
    # power recorded before it was kept: that agent receives the side's documents only.
    principal_digest: Mapped[str | None] = mapped_column(String(64), default=None)
    special_authority: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | confirmed | refused
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class CaseRead(Base):
    """When a judge last read a case's party requests: what is filed after it is unread (the case page's badge)."""

    __tablename__ = "case_reads"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime)
