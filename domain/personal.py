"""Personal data (个人信息) declared where it is carried: a marker on the model fields that hold names,
identity, account, plate or vehicle numbers.

A field is marked with one of the aliases below (``name: PersonName``) or with the marker itself
(``Annotated[str, Personal(PersonalKind.PHONE)]``). The marker changes neither validation nor the JSON
schema nor the serialized payload, so it can be added to models already recorded in histories. Whoever
must keep personal data out of a text (the audit trail, for one) walks the models it is given and reads
the markers: a new scenario declares its personal fields on its own models and nothing else changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated


class PersonalKind(StrEnum):
    NAME = "name"  # 姓名或名称: a person's or organisation's name
    ID_NUMBER = "id_number"  # 居民身份证号 / 统一社会信用代码
    ACCOUNT_NUMBER = "account_number"  # 银行账号, 案款账户, 不动产单元号 and other asset references
    PLATE = "plate"  # 号牌
    VIN = "vin"  # 车辆识别代号
    PHONE = "phone"  # 电话号码


# How many trailing characters a masked value keeps: a name keeps one (a surname alone must not show),
# numbers keep four, enough for a person to tell two of their own accounts apart.
_KEEP = {PersonalKind.NAME: 1}
NUMBER_KEEP = 4


@dataclass(frozen=True)
class Personal:
    """Marks a field as personal data of ``kind``; read from ``FieldInfo.metadata``."""

    kind: PersonalKind

    @property
    def keep(self) -> int:
        return keep_for(self.kind)


def keep_for(kind: PersonalKind) -> int:
    return _KEEP.get(kind, NUMBER_KEEP)


PersonName = Annotated[str, Personal(PersonalKind.NAME)]
IdNumber = Annotated[str, Personal(PersonalKind.ID_NUMBER)]
AccountNumber = Annotated[str, Personal(PersonalKind.ACCOUNT_NUMBER)]
PlateNumber = Annotated[str, Personal(PersonalKind.PLATE)]
Vin = Annotated[str, Personal(PersonalKind.VIN)]
PhoneNumber = Annotated[str, Personal(PersonalKind.PHONE)]

# A mainland mobile number (手机号): 11 digits from 13x to 19x, as parties register with and codes go to.
PHONE_PATTERN = r"^1[3-9][0-9]{9}$"
