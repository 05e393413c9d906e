"""The judge's side of the parties' space: pushing a node with photos and a location (执行节点: a seizure on
site, a car taken into custody) and the parties' requests read or unread on the case page (the badge).

Photos and short videos are uploaded first (encrypted, by SHA-256, owned by the judge, like a party's upload)
and named by the node; the node goes to the case (``push-node``), on record, and every party of the case gets
an SMS notice. A video's type is told by its first bytes and its size bounded before anything is stored (the
route's body limit refuses a larger one before it is read: web/limits.py).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from temporalio.client import Client

from config.settings import Settings
from domain.actors import Actor, Role
from domain.errors import NotFound, ValidationFailed
from domain.party_requests import PartySide
from web.db import CaseRead, Database, utcnow
from web.errors import GatewayTimeout
from web.services import cases
from web.services.access import READERS, require_role
from web.services.parties import file_type
from web.services.party_accounts import PartyDesk
from web.services.party_applications import (
    FileStored,
    check_attachments,
    keep_file,
    party_file_store,
    store_file,
    user_id_of,
)
from web.services.party_notices import notify
from web.services.workflows import execute_update_as
from workflows.case.models import PUSH_NODE_UPDATE, NodeLocation, PushedNode


class NodeIn(BaseModel):
    title: str = Field(min_length=1, max_length=100, description="节点: 如 查封现场、扣押车辆")
    text: str = Field(default="", max_length=2000, description="说明")
    attachments: list[str] = Field(default_factory=list, max_length=10, description="照片或视频 (先上传) 的 SHA-256")
    location: NodeLocation | None = Field(default=None, description="地点: 经纬度与文字")


async def upload(db: Database, settings: Settings, actor: Actor, case_id: str, data: bytes) -> FileStored:
    """A photo (or PDF) for a node of a case of the judge's court."""
    require_role(actor, Role.JUDGE)
    await cases.visible_entry(db, actor, case_id)
    return await store_file(db, party_file_store(settings), actor, data)


# 短视频 of an act on site: MP4 or QuickTime (an ISO base media file: 'ftyp' at byte 4, then a video brand)
# or WebM; at most 30 MB. HEIF photos and M4A audio share the 'ftyp' box and are refused by their brand.
MAX_VIDEO_BYTES = 30 * 2**20
VIDEO_BRANDS = {
    b"qt  ": "video/quicktime",
    **{
        brand: "video/mp4"
        for brand in (b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"3gp4", b"3gp5")
    },
}
WEBM_MAGIC = b"\x1aE\xdf\xa3"
VIDEO_HEAD_BYTES = 12


def sniff_video(head: bytes) -> str | None:
    """The video type the first bytes say, or None (what the file's name or header claims counts for nothing)."""
    if head.startswith(WEBM_MAGIC):
        return "video/webm"
    if head[4:8] == b"ftyp":
        return VIDEO_BRANDS.get(head[8:12])
    return None


async def upload_video(
    db: Database, settings: Settings, actor: Actor, case_id: str, head: bytes, rest: Callable[[], Awaitable[bytes]]
) -> FileStored:
    """A short video for a node of a case of the judge's court: who and which case are checked, then its
    type from ``head`` (its first bytes), then its size as ``rest`` reads the remainder (at most one byte
    over the limit) — each before anything is stored."""
    require_role(actor, Role.JUDGE)
    await cases.visible_entry(db, actor, case_id)
    content_type = sniff_video(head)
    if content_type is None:
        raise ValidationFailed("VIDEO_TYPE_REFUSED", "file: 仅限 MP4、MOV、WebM 视频 / only MP4, MOV or WebM", "file")
    data = head + await rest()
    if len(data) > MAX_VIDEO_BYTES:
        raise ValidationFailed("VIDEO_TOO_LARGE", f"file: 视频不能超过 {MAX_VIDEO_BYTES // 2**20} MB", "file")
    user_id = await db.run(user_id_of, db, actor.user_id)
    return await keep_file(db, party_file_store(settings), user_id, data, content_type)


async def push(desk: PartyDesk, client: Client, actor: Actor, case_id: str, body: NodeIn) -> PushedNode:
    require_role(actor, Role.JUDGE)
    entry = await cases.visible_entry(desk.db, actor, case_id)
    await check_attachments(desk.db, actor, body.attachments)
    node = PushedNode(node_id=f"nd-{utcnow():%Y%m%d}-{secrets.token_hex(6)}", **body.model_dump())

    async def closed() -> ValidationFailed:
        return ValidationFailed("CASE_CLOSED", f"案件 {case_id} 已结案 / the case is closed", "case_id")

    pushed: PushedNode = await execute_update_as(
        client,
        actor,
        entry.workflow_id,
        PUSH_NODE_UPDATE,
        node,
        closed=closed,
        timeout=GatewayTimeout("CASE_TIMEOUT", "案件未及时应答 / the case did not answer in time"),
        result_type=PushedNode,
    )
    text = f"您的案件 (案号 {entry.case_number}) 有新的执行节点: {body.title}。请登录执行案件空间查看。"
    await notify(desk, entry.workflow_id, case_id, set(PartySide), f"party-node:{node.node_id}", text)
    return pushed


async def party_file(
    client: Client, db: Database, settings: Settings, actor: Actor, case_id: str, sha256: str
) -> tuple[str, bytes]:
    """A file a party attached to a request of the case (a lead's photo, a power of attorney, the title), for
    the court's readers of the case: (content type, bytes). Any other file does not exist here."""
    require_role(actor, *READERS)
    entry = await cases.visible_entry(db, actor, case_id)
    view = await cases.case_view(client, entry)
    attached = {a for r in view.party_requests for a in r.attachments}
    content_type = await db.run(file_type, db, sha256) if sha256 in attached else None
    if content_type is None:
        raise NotFound("FILE_NOT_FOUND", "本案当事人未提交这个文件 / no such file in this case", "sha256")
    return content_type, await db.run(party_file_store(settings).get, sha256)


# --- read and unread (the case page's badge) ---------------------------------------------------------------------


def _read_at(db: Database, username: str, case_id: str) -> datetime | None:
    with db.session() as s:
        row = s.get(CaseRead, (username, case_id))
        return row.read_at if row is not None else None


def _mark_read(db: Database, username: str, case_id: str, at: datetime) -> None:
    with db.session() as s:
        row = s.get(CaseRead, (username, case_id), with_for_update=True)
        if row is None:
            s.add(CaseRead(username=username, case_id=case_id, read_at=at))
        elif row.read_at < at:
            row.read_at = at


async def read_requests(db: Database, actor: Actor, case_id: str, requests: list[dict[str, Any]]) -> list[str]:
    """The ids of the case's party requests filed since the reader last read them (the page's badge); the
    judge of the case reading the page reads them now. Others reading see the badge unchanged."""
    since = await db.run(_read_at, db, actor.user_id, case_id)
    unread = [r["request_id"] for r in requests if since is None or datetime.fromisoformat(r["filed_at"]) > since]
    if actor.role is Role.JUDGE and requests:
        newest = max(datetime.fromisoformat(r["filed_at"]) for r in requests)
        await db.run(_mark_read, db, actor.user_id, case_id, newest)
    return unread


__all__ = ["NodeIn", "push", "read_requests", "upload", "upload_video"]
