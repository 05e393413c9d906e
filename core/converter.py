"""The one data converter every client, worker and replayer uses: pydantic JSON + AES-GCM codec,
with failure messages moved into encrypted attributes (an error text may quote personal data)."""

from __future__ import annotations

import dataclasses

from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes

from core.codec import AesGcmCodec
from core.settings import CodecKeys


def build_codec(keys: CodecKeys) -> AesGcmCodec:
    return AesGcmCodec(keys.key_bytes(), keys.active)


def build_data_converter(keys: CodecKeys) -> DataConverter:
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=build_codec(keys),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )
