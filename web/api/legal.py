"""Legal calculators a judge's forms and partner systems use: the enforcement application fee
(申请执行费, 诉讼费用交纳办法 Art. 14(一)), from the versioned legal parameters (domain/fees.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from domain.errors import ValidationFailed
from domain.fees import enforcement_fee
from domain.legal_params import MissingParameter, params_at
from domain.legal_time import CHINA_TZ
from domain.money import MAX_FEN
from web.api.common import IsoDay, errors
from web.deps import AnyActor

router = APIRouter(prefix="/legal", tags=["legal"])


class FeeAnswer(BaseModel):
    fee_fen: int = Field(description="the fee in fen")
    basis: str = Field(description="instrument, article and the computation")
    as_of: date = Field(description="the date whose legal parameters applied")


@router.get("/fees/enforcement", response_model=FeeAnswer, responses=errors(401, 422))
async def enforcement_application_fee(
    _: AnyActor,
    amount_fen: Annotated[int, Query(ge=0, le=MAX_FEN, description="执行金额 in fen")],
    on: Annotated[IsoDay | None, Query(description="the date whose rules apply; default today (China time)")] = None,
) -> FeeAnswer:
    """申请执行费 for an amount to enforce: ¥50 up to ¥10,000, then 1.5 % / 1 % / 0.5 % / 0.1 % on the
    part in each band (诉讼费用交纳办法 Art. 14(一))."""
    as_of = on or datetime.now(CHINA_TZ).date()
    try:
        params = params_at(as_of)
    except MissingParameter as exc:
        raise ValidationFailed("NO_LEGAL_PARAMETERS", f"无该日期适用的法律参数 / {exc}", "on") from None
    fee = enforcement_fee(amount_fen, params)
    return FeeAnswer(fee_fen=fee.fee_fen, basis=fee.basis, as_of=as_of)
