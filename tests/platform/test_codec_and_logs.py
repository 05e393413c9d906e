"""Core pieces without a server: the payload codec, log scrubbing."""

from __future__ import annotations

import json
import logging
import os

import pytest
from cryptography.exceptions import InvalidTag
from temporalio.api.common.v1 import Payload

from runtime.logging import configure_logging, redact_personal_data, scrub_text
from security.codec import ENCODING, KEY_ID_METADATA, AesGcmCodec, UnknownKeyError


async def test_codec_round_trip_and_key_rotation():
    k1, k2 = os.urandom(32), os.urandom(32)
    old = AesGcmCodec({"k1": k1}, "k1")
    new = AesGcmCodec({"k1": k1, "k2": k2}, "k2")
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'{"id_number":"110105194912310021"}')
    [sealed] = await old.encode([plain])
    assert sealed.metadata["encoding"] == ENCODING and sealed.metadata[KEY_ID_METADATA] == b"k1"
    assert b"110105" not in sealed.data
    assert (await new.decode([sealed]))[0] == plain  # old payloads still readable after rotation
    [resealed] = await new.encode([plain])
    assert resealed.metadata[KEY_ID_METADATA] == b"k2"
    with pytest.raises(UnknownKeyError):
        await old.decode([resealed])


async def test_codec_detects_tampering_and_relabelling():
    codec = AesGcmCodec({"a": os.urandom(32), "b": os.urandom(32)}, "a")
    [sealed] = await codec.encode([Payload(data=b"x")])
    tampered = Payload(metadata=dict(sealed.metadata), data=sealed.data[:-1] + bytes([sealed.data[-1] ^ 1]))
    with pytest.raises(InvalidTag):
        await codec.decode([tampered])
    relabelled = Payload(metadata={**sealed.metadata, KEY_ID_METADATA: b"b"}, data=sealed.data)
    with pytest.raises(InvalidTag):
        await codec.decode([relabelled])


def test_logs_never_carry_identity_or_account_numbers(capsys):
    assert scrub_text("account 6222021234567890123 of 33010619900101001X") == "account [redacted] of [redacted]"
    event = redact_personal_data(None, "info", {"event": "x", "name": "张三", "nested": {"account_no": "1"}})
    assert event["name"] == "[redacted]" and event["nested"] == {"account_no": "[redacted]"}
    configure_logging("INFO", component="test")
    logging.getLogger("t").info("debtor %s frozen", "330106199001010018")
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert json.loads(line)["event"] == "debtor [redacted] frozen"
