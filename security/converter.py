"""The one data converter every client, worker and replayer uses: pydantic JSON + AES-GCM codec,
with failure messages moved into encrypted attributes (an error text may quote personal data)."""

from __future__ import annotations

import dataclasses
import functools
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
    """pydantic JSON, and the refusal of plaintext; its encoding converters are made once per process.

    The SDK makes a new payload converter with every data converter it derives — one or two for each
    workflow activation, one for each activity — and the pydantic JSON converter keeps its cache of
    ``TypeAdapter``s (one per type read) on itself: a fresh one built a ``TypeAdapter`` (~40 µs) for every activity
    result a workflow read, and itself cost ~9 µs, ~30 times an asset inquiry (docs/performance.md
    "worker-loop"). The encoding converters hold no state but that cache (thread-safe), so all share them."""

    def __init__(self) -> None:
        self._set_converters(*_encoding_converters())


@functools.cache
def _encoding_converters() -> tuple[EncodingPayloadConverter, ...]:
    refused = _RefusedPlaintext()
    return (*PydanticPayloadConverter().converters.values(), refused)


def build_codec(keys: CodecKeys, require_encryption: bool = True) -> AesGcmCodec:
    return AesGcmCodec(keys.key_bytes(), keys.active, require_encryption=require_encryption)


def build_data_converter(keys: CodecKeys, require_encryption: bool = True) -> DataConverter:
    return dataclasses.replace(
        pydantic_data_converter,
        payload_converter_class=PayloadConverter,
        payload_codec=build_codec(keys, require_encryption),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
