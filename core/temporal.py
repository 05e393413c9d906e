"""Temporal wiring in one place: the client every process uses, and our search attributes."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.common import (
    HeaderCodecBehavior,
    SearchAttributeIndexedValueType,
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
)
from temporalio.runtime import Runtime

from core.converter import build_data_converter
from core.identity import ActorClientInterceptor
from core.settings import Settings

# Search attributes carry no personal data: a case number, the scenario name, a status word, the court
# (the tenant a case belongs to), the user id of whoever started it and the user ids of whoever took a
# decision in it (account ids, never names).
CASE_NUMBER = SearchAttributeKey.for_keyword("OmCaseNumber")
SCENARIO = SearchAttributeKey.for_keyword("OmScenario")
STATUS = SearchAttributeKey.for_keyword("OmStatus")
COURT = SearchAttributeKey.for_keyword("OmCourt")
STARTED_BY = SearchAttributeKey.for_keyword("OmStartedBy")
# Who decided (经办): every user whose decision the workflow's decision desk accepted, so "my cases" is
# one visibility query — started by me or decided by me. Written by the workflow, never at start.
DECIDED_BY = SearchAttributeKey.for_keyword_list("OmDeciders")

SEARCH_ATTRIBUTES = (CASE_NUMBER, SCENARIO, STATUS, COURT, STARTED_BY, DECIDED_BY)

# How `temporal server start-dev --search-attribute` and `temporal operator search-attribute create`
# spell each type we use.
_CLI_TYPE = {
    SearchAttributeIndexedValueType.KEYWORD: "Keyword",
    SearchAttributeIndexedValueType.KEYWORD_LIST: "KeywordList",
}


def dev_server_search_attribute_args() -> list[str]:
    args: list[str] = []
    for key in SEARCH_ATTRIBUTES:
        args += ["--search-attribute", f"{key.name}={_CLI_TYPE[key.indexed_value_type]}"]
    return args


async def connect(settings: Settings, runtime: Runtime | None = None) -> Client:
    """``runtime`` carries telemetry (the worker's Prometheus endpoint); None is the SDK default."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=build_data_converter(settings.codec_keys, require_encryption=not settings.codec_allow_plaintext),
        interceptors=[ActorClientInterceptor(settings.actor_signer())],
        header_codec_behavior=HeaderCodecBehavior.CODEC,
        tls=settings.temporal_tls_config(),
        runtime=runtime,
    )


def scenario_search_attributes(
    case_number: str, scenario: str, status: str, court: str, started_by: str | None = None
) -> TypedSearchAttributes:
    """Search attributes a scenario workflow starts with (visible in Temporal's UI and list filters).
    ``started_by`` is the starting user's id (a judge's "my cases"); a workflow starting a follow-up
    case of its own leaves it out."""
    pairs = [
        SearchAttributePair(CASE_NUMBER, case_number),
        SearchAttributePair(SCENARIO, scenario),
        SearchAttributePair(STATUS, status),
        SearchAttributePair(COURT, court),
    ]
    if started_by:
        pairs.append(SearchAttributePair(STARTED_BY, started_by))
    return TypedSearchAttributes(pairs)
