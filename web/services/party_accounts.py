"""Parties' accounts (当事人账户): real-name registration with a one-time code by SMS, login by phone and
code, and the cases a party may see — exactly those whose request names the party's number in the party
index (web/services/parties.py). DOMAIN §19.1: real-name accounts (在线诉讼规则 Art. 7); an organisation acts
through its legal representative, with its credit code.

Nothing personal is stored in clear: numbers and the phone as keyed hashes (the party index's keys, so one
number hashes alike in both), the rest sealed (store/sealing.py). Code requests are rate-limited per phone
and a code takes a few tries, so guessing one is hopeless: at most ``CODE_ATTEMPTS × CODES_PER_HOUR`` tries
an hour against a million codes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, Field, model_validator
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from adapters.base import PartnerError
from adapters.sms import SmsGateway
from domain.actors import Actor, Role
from domain.errors import Forbidden
from domain.parties import Party, PartyKind, check_credit_code, check_resident_id
from domain.personal import PHONE_PATTERN, IdNumber, PersonName, PhoneNumber
from runtime.logging import get_logger
from security.identity import ActorKeys
from web.accounts import SESSION, issue_token
from web.db import Database, PartyAccount, PartyCode, User, utcnow
from web.errors import ServiceUnavailable, TooManyRequests, Unauthorized
from web.security import hash_password
from web.services.parties import digests, normalise

log = get_logger(__name__)

CODE_TTL = timedelta(minutes=5)
CODE_ATTEMPTS = 5  # wrong tries before a code is dead
CODE_INTERVAL = timedelta(seconds=60)  # between two codes to one phone
CODES_PER_HOUR = 5
PARTY_DISPLAY_NAME = "当事人"  # users.display_name: never the party's name in clear


class Registration(BaseModel):
    """实名注册. A person: name, ID number, phone. An organisation: its name and credit code, and its legal
    representative's name and ID number (who acts for it)."""

    kind: PartyKind = PartyKind.PERSON
    name: PersonName = Field(min_length=1, max_length=200, description="姓名 (或单位名称)")
    id_number: IdNumber = Field(min_length=15, max_length=18, description="居民身份证号 (单位: 法定代表人的)")
    phone: PhoneNumber = Field(pattern=PHONE_PATTERN, description="手机号 (接收验证码)")
    credit_code: IdNumber | None = Field(default=None, max_length=18, description="统一社会信用代码 (单位)")
    representative_name: PersonName | None = Field(default=None, max_length=200, description="法定代表人姓名 (单位)")

    @model_validator(mode="after")
    def _checked(self) -> Registration:
        try:
            self.id_number = check_resident_id(normalise(self.id_number))
        except ValueError as exc:
            raise ValueError(f"id_number: 身份证号码校验不通过 / not a valid resident ID number ({exc})") from exc
        if self.kind is PartyKind.ORGANISATION:
            if not self.credit_code or not self.representative_name:
                raise ValueError(
                    "credit_code: 单位须填统一社会信用代码和法定代表人 / credit code and representative required"
                )
            try:
                self.credit_code = check_credit_code(normalise(self.credit_code))
            except ValueError as exc:
                raise ValueError(f"credit_code: 统一社会信用代码校验不通过 / not a valid credit code ({exc})") from exc
        elif self.credit_code:
            raise ValueError("credit_code: 自然人不填统一社会信用代码 / only organisations have a credit code")
        return self

    @property
    def party_number(self) -> str:
        """The number the party's cases name: a person's ID number, an organisation's credit code."""
        return self.credit_code or self.id_number


class CodeRequest(BaseModel):
    phone: PhoneNumber = Field(pattern=PHONE_PATTERN, description="手机号")


class PartyLogin(BaseModel):
    phone: PhoneNumber = Field(pattern=PHONE_PATTERN, description="手机号")
    code: str = Field(pattern=r"^[0-9]{6}$", description="短信验证码 (6 位数字)")


class CodeSent(BaseModel):
    status: str = "code-sent"
    expires_in_seconds: int = int(CODE_TTL.total_seconds())
    next_code_in_seconds: int = int(CODE_INTERVAL.total_seconds())


class PartyToken(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime | None


@dataclass(frozen=True)
class PartyDesk:
    """What the party routes need: the database, the keys of the party index, the SMS gateway."""

    db: Database
    keys: ActorKeys
    sms: SmsGateway | None

    def _digest(self, value: str) -> str:
        return hmac.new(self.keys.key_bytes()[self.keys.active], normalise(value).encode(), hashlib.sha256).hexdigest()

    def _code_digest(self, phone: str, code: str) -> str:
        return self._digest(f"{phone}:{code}")


def _rate_limit(s: Session, phone_digests: list[str], now: datetime) -> None:
    recent = select(func.count(PartyCode.id), func.max(PartyCode.created_at)).where(
        PartyCode.phone_digest.in_(phone_digests), PartyCode.created_at > now - timedelta(hours=1)
    )
    count, last = s.execute(recent).one()
    if last is not None and last > now - CODE_INTERVAL:
        wait = int((last + CODE_INTERVAL - now).total_seconds()) + 1
        raise TooManyRequests(
            "CODE_TOO_SOON", f"验证码已发送, 请 {wait} 秒后再试 / wait {wait} s for a new code", "phone"
        )
    if count >= CODES_PER_HOUR:
        raise TooManyRequests("CODE_LIMIT", "一小时内验证码请求过多, 请稍后再试 / too many codes this hour", "phone")


def _account_by_phone(s: Session, phone_digests: list[str]) -> PartyAccount | None:
    return s.scalar(select(PartyAccount).where(PartyAccount.phone_digest.in_(phone_digests)))


def _new_code(s: Session, desk: PartyDesk, phone: str, now: datetime) -> tuple[int, str]:
    code = f"{secrets.randbelow(10**6):06d}"
    row = PartyCode(
        phone_digest=desk._digest(phone),
        code_digest=desk._code_digest(phone, code),
        created_at=now,
        expires_at=now + CODE_TTL,
        attempts=0,
    )
    s.add(row)
    s.flush()
    return row.id, code


def _register(desk: PartyDesk, reg: Registration) -> tuple[int, str] | None:
    """(code id, code) to send, or None when the phone belongs to another party (the answer is the same)."""
    now = utcnow()
    phones = list(digests(desk.keys, reg.phone).values())
    assert desk.db.sealer is not None
    with desk.db.session() as s:
        _rate_limit(s, phones, now)
        account = _account_by_phone(s, phones)
        party_digests = set(digests(desk.keys, reg.party_number).values())
        if account is not None and account.party_digest not in party_digests:
            log.info("registration for a phone bound to another party refused")
            return None
        if account is None:
            user = User(
                username=f"party-{secrets.token_hex(8)}",
                password_hash=hash_password(secrets.token_urlsafe(32)),  # parties log in by code, never by password
                role=Role.PARTY.value,
                display_name=PARTY_DISPLAY_NAME,
                active=True,
                created_at=now,
            )
            s.add(user)
            s.flush()
            personal = reg.model_dump(mode="json", exclude_none=True)
            account = PartyAccount(
                user_id=user.id,
                kind=reg.kind.value,
                party_digest=desk._digest(reg.party_number),
                representative_digest=desk._digest(reg.id_number) if reg.credit_code else None,
                phone_digest=desk._digest(reg.phone),
                key_id=desk.keys.active,
                sealed="",
                created_at=now,
            )
            s.add(account)
            s.flush()
            account.sealed = desk.db.sealer.seal(json.dumps(personal, ensure_ascii=False), f"party:{account.id}")
        return _new_code(s, desk, reg.phone, now)


def _code_for_login(desk: PartyDesk, phone: str) -> tuple[int, str] | None:
    now = utcnow()
    phones = list(digests(desk.keys, phone).values())
    with desk.db.session() as s:
        _rate_limit(s, phones, now)
        if _account_by_phone(s, phones) is None:
            return None
        return _new_code(s, desk, phone, now)


def _forget_code(desk: PartyDesk, code_id: int) -> None:
    with desk.db.session() as s:
        row = s.get(PartyCode, code_id)
        if row is not None:
            s.delete(row)


async def _send(desk: PartyDesk, phone: str, issued: tuple[int, str] | None, other_party: str) -> CodeSent:
    if desk.sms is None:
        raise ServiceUnavailable("SMS_NOT_CONFIGURED", "短信网关未配置 / no SMS gateway is configured here")
    if issued is None:
        text = other_party
        key = f"party-notice:{desk._digest(phone)}:{utcnow():%Y%m%d%H%M}"
    else:
        code_id, code = issued
        text = f"【执行一件事】您的验证码为 {code}, {int(CODE_TTL.total_seconds() // 60)} 分钟内有效。请勿告诉他人。"
        key = f"party-code:{code_id}"
    try:
        await desk.sms.send(key, phone, text)
    except PartnerError as exc:
        if issued is not None:
            await desk.db.run(_forget_code, desk, issued[0])
        log.warning("sms not sent", code=exc.code)
        raise ServiceUnavailable("SMS_UNAVAILABLE", "短信发送失败, 请稍后再试 / the SMS could not be sent") from exc
    return CodeSent()


async def register(desk: PartyDesk, reg: Registration) -> CodeSent:
    """Creates the account if the phone is new (unverified until the first login) and sends a code. A phone
    already bound to another party gets a notice instead of a code; the caller sees the same answer."""
    issued = await desk.db.run(_register, desk, reg)
    notice = "【执行一件事】有人尝试用本手机号注册其他当事人账户。如非本人操作, 请忽略本短信。"
    return await _send(desk, reg.phone, issued, notice)


async def request_code(desk: PartyDesk, request: CodeRequest) -> CodeSent:
    """A login code for a registered phone; an unknown phone gets a hint to register, and the same answer."""
    issued = await desk.db.run(_code_for_login, desk, request.phone)
    notice = "【执行一件事】本手机号尚未注册当事人账户, 请先实名注册。"
    return await _send(desk, request.phone, issued, notice)


def _login(desk: PartyDesk, login: PartyLogin, ttl: timedelta) -> PartyToken | None:
    now = utcnow()
    phones = list(digests(desk.keys, login.phone).values())
    with desk.db.session() as s:
        code = s.scalar(
            select(PartyCode)
            .where(PartyCode.phone_digest.in_(phones), PartyCode.used_at.is_(None), PartyCode.expires_at > now)
            .order_by(PartyCode.created_at.desc())
            .limit(1)
        )
        if code is None or code.attempts >= CODE_ATTEMPTS:
            return None
        if not hmac.compare_digest(code.code_digest, desk._code_digest(login.phone, login.code)):
            code.attempts += 1
            return None
        code.used_at = now
        account = _account_by_phone(s, phones)
        if account is None:
            return None
        user = s.get(User, account.user_id)
        if user is None or not user.active:
            return None
        if account.verified_at is None:
            account.verified_at = now  # the phone is the party's: the code reached it
        token, expires = issue_token(s, user, SESSION, ttl)
        return PartyToken(access_token=token, expires_at=expires)


async def login(desk: PartyDesk, login: PartyLogin, ttl: timedelta) -> PartyToken:
    """A session token for the phone's party, if the code is the phone's latest, live and not yet used."""
    out = await desk.db.run(_login, desk, login, ttl)
    if out is None:
        # One answer for an unknown phone, a wrong, used or expired code: nothing to enumerate.
        raise Unauthorized(
            "INVALID_CODE", "验证码错误或已失效, 请重新获取 / the code is wrong, used or expired", "code"
        )
    return out


def require_party(actor: Actor) -> Actor:
    if actor.role is not Role.PARTY:
        raise Forbidden("PARTIES_ONLY", "仅当事人可用 / for parties only")
    return actor


# Built once: every party page asks whose number the party's account holds.
_ACCOUNT = (
    select(PartyAccount.id, PartyAccount.sealed)
    .join(User, User.id == PartyAccount.user_id)
    .where(User.username == bindparam("username"))
)


def _registered(db: Database, username: str) -> Registration | None:
    """What the party registered with, opened from its sealed row."""
    assert db.sealer is not None
    rows = db.rows(_ACCOUNT, {"username": username})
    if not rows:
        return None
    row = rows[0]
    return Registration.model_validate_json(db.sealer.open(row.sealed, f"party:{row.id}"))


def _party_number(db: Database, username: str) -> str | None:
    registered = _registered(db, username)
    return registered.party_number if registered else None


async def own_party(desk: PartyDesk, actor: Actor) -> Party:
    """The party as their cases name them (a person by ID number, an organisation by credit code): what an
    application form offers as its applicant."""
    require_party(actor)
    reg = await desk.db.run(_registered, desk.db, actor.user_id)
    if reg is None:
        raise Forbidden("PARTIES_ONLY", "仅当事人可用 / for parties only")
    return Party(kind=reg.kind, name=reg.name, id_number=reg.party_number)


def own_digests(db: Database, keys: ActorKeys, username: str) -> list[str]:
    """The keyed hashes, under every index key, of the number whose cases this party sees (its ID number,
    or its organisation's credit code): a search must find entries made before a key rotation."""
    number = _party_number(db, username)
    if number is None:
        raise Forbidden("PARTIES_ONLY", "仅当事人可用 / for parties only")
    return list(digests(keys, number).values())


async def party_digests(desk: PartyDesk, actor: Actor) -> list[str]:
    """:func:`own_digests` of this party: one short read on the hot path of every party page."""
    require_party(actor)
    return await desk.db.read(own_digests, desk.db, desk.keys, actor.user_id)
