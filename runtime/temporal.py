"""Temporal wiring in one place: the client every process uses, and our search attributes."""

from __future__ import annotations

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.common import (
    HeaderCodecBehavior,
    SearchAttributeIndexedValueType,
    SearchAttributeKey,
    SearchAttributePair,
    TypedSearchAttributes,
)
from temporalio.runtime import Runtime
from temporalio.service import RPCError, RPCStatusCode

from config.settings import Settings
from runtime.logging import get_logger
from runtime.tracing import Tracing
from security.converter import build_data_converter
from security.identity import ActorClientInterceptor

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

_log = get_logger(__name__)

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


async def missing_search_attributes(client: Client) -> dict[str, SearchAttributeIndexedValueType]:
    """Our search attributes the namespace does not know (name → type)."""
    known = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=client.namespace), retry=True
    )
    return {k.name: k.indexed_value_type for k in SEARCH_ATTRIBUTES if k.name not in known.custom_attributes}


async def register_search_attributes(client: Client) -> list[str]:
    """Adds those of our search attributes the namespace lacks; returns their names.

    `temporal server start-dev --search-attribute` registers attributes only when it creates its
    database, so a dev stack whose var/temporal.db predates an attribute (OmDeciders) would lack it —
    and a workflow upserting an unknown attribute fails its workflow task, again and again. Workers and
    the web call this at startup; docker-compose's temporal-setup does the same for production. Safe to
    run concurrently (an attribute another process added meanwhile is fine)."""
    missing = await missing_search_attributes(client)
    if not missing:
        return []
    try:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(
                namespace=client.namespace,
                search_attributes={n: IndexedValueType.ValueType(t) for n, t in missing.items()},
            ),
            retry=True,
        )
    except RPCError as exc:
        if exc.status is not RPCStatusCode.ALREADY_EXISTS:
            raise
    return sorted(missing)


async def ensure_search_attributes(client: Client) -> None:
    """:func:`register_search_attributes` at a process's startup: what it added is logged. A server that
    refuses (no operator rights: the deployment registers them then, as compose's temporal-setup does)
    or does not answer is logged as an error, and startup goes on — the process is still of use."""
    try:
        added = await register_search_attributes(client)
    except Exception as exc:  # any failure: logged with what we needed; never a crash-loop at startup
        _log.error("search attributes not checked", wanted=[k.name for k in SEARCH_ATTRIBUTES], error=str(exc))
        return
    if added:
        _log.info("search attributes registered", added=added, namespace=client.namespace)


async def connect(settings: Settings, runtime: Runtime | None = None, tracing: Tracing | None = None) -> Client:
    """``runtime`` carries telemetry (the worker's Prometheus endpoint); None is the SDK default. With
    ``tracing``, calls carry the trace they are made in, and a worker on this client traces its work."""
    traced = tracing.interceptors() if tracing else []
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=build_data_converter(settings.codec_keys, require_encryption=not settings.codec_allow_plaintext),
        interceptors=[*traced, ActorClientInterceptor(settings.actor_signer())],
        header_codec_behavior=HeaderCodecBehavior.CODEC,
        tls=settings.temporal_tls_config(),
        api_key=settings.temporal_api_key or None,
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
