"""The one data converter every client, worker and replayer uses: pydantic JSON + AES-GCM codec,
with failure messages moved into encrypted attributes (an error text may quote personal data)."""

from __future__ import annotations

import dataclasses
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.contrib.pydantic import PydanticPayloadConverter, pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes, EncodingPayloadConverter
from temporalio.exceptions import ApplicationError

from config.settings import CodecKeys
from security.codec import REFUSED, AesGcmCodec

PLAINTEXT_PAYLOAD = "PLAINTEXT_PAYLOAD"


class _RefusedPlaintext(EncodingPayloadConverter):
    """Reads what the strict codec left of an unencrypted payload: a refusal, never a value."""

    @property
    def encoding(self) -> str:
        return REFUSED.decode()

    def to_payload(self, value: Any) -> Payload | None:
        return None  # never chosen to encode anything

    def from_payload(self, payload: Payload, type_hint: type | None = None) -> Any:
        # An ApplicationError (not a plain exception) so the SDK rejects an Update / fails a start with a
        # code instead of failing the workflow task again and again.
        raise ApplicationError(
            "an unencrypted payload was sent to an encrypted namespace; refused",
            type=PLAINTEXT_PAYLOAD,
            non_retryable=True,
        )


class PayloadConverter(PydanticPayloadConverter):
    def __init__(self) -> None:
        super().__init__()
        refused = _RefusedPlaintext()
        self.converters = {**self.converters, refused.encoding.encode(): refused}


def build_codec(keys: CodecKeys, require_encryption: bool = True) -> AesGcmCodec:
    return AesGcmCodec(keys.key_bytes(), keys.active, require_encryption=require_encryption)


def build_data_converter(keys: CodecKeys, require_encryption: bool = True) -> DataConverter:
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=PayloadConverter,
        payload_codec=build_codec(keys, require_encryption),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
