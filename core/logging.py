"""JSON logs through structlog, for our own loggers and for Temporal's (workflow.logger, activity.logger).

Every line carries workflow id, run id, activity and case number where known. Identity numbers, account
numbers and names are scrubbed before a line is written: by key, and by pattern as a second net.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import MutableMapping
from typing import Any

import structlog
from opentelemetry import trace

SENSITIVE_KEYS = frozenset(
    {"id_number", "name", "account", "account_no", "account_number", "debtor", "owner", "payee", "holder"}
)
# 15–30 digits (ID numbers, bank cards, accounts), optionally ending in X; and 18-char credit codes.
# The borders are ASCII letters, digits and "-" only: in Python ``\w`` also matches CJK and "_", so
# ``身份证330106198503120319`` or ``id_330106198503120319`` would slip through a ``\w`` border. Letters
# still border, so a long hex hash or a workflow id with a digit run is left alone.
_SENSITIVE_PATTERN = re.compile(
    r"(?<![0-9A-Za-z-])(\d{14,29}[\dXx]|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})(?![0-9A-Za-z-])"
)
_REDACTED = "[redacted]"


def scrub_text(text: str) -> str:
    return _SENSITIVE_PATTERN.sub(_REDACTED, text)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return scrub_text(value)
    if isinstance(value, dict):
        return {k: (_REDACTED if k in SENSITIVE_KEYS else _scrub(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value


def redact_personal_data(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        event_dict[key] = _REDACTED if key in SENSITIVE_KEYS else _scrub(event_dict[key])
    return event_dict


def lift_temporal_context(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Temporal's loggers put their context in ``extra``; flatten the fields we search logs by."""
    record: logging.LogRecord | None = event_dict.get("_record")
    if record is None:
        return event_dict
    wf = getattr(record, "temporal_workflow", None)
    if isinstance(wf, dict):
        event_dict.setdefault("workflow_id", wf.get("workflow_id"))
        event_dict.setdefault("run_id", wf.get("run_id"))
        event_dict.setdefault("workflow_type", wf.get("workflow_type"))
    act = getattr(record, "temporal_activity", None)
    if isinstance(act, dict):
        event_dict.setdefault("workflow_id", act.get("workflow_id"))
        event_dict.setdefault("run_id", act.get("workflow_run_id"))
        event_dict.setdefault("activity", act.get("activity_type"))
        event_dict.setdefault("attempt", act.get("attempt"))
    case_number = getattr(record, "case_number", None)
    if case_number:
        event_dict.setdefault("case_number", case_number)
    return event_dict


def add_trace_ids(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """The trace and span a line was written in (core/tracing.py), so a log line leads to its trace."""
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event_dict.setdefault("trace_id", format(ctx.trace_id, "032x"))
        event_dict.setdefault("span_id", format(ctx.span_id, "016x"))
    return event_dict


class _CurrentStderr(logging.StreamHandler):  # type: ignore[type-arg,unused-ignore]
    """Writes to whatever ``sys.stderr`` is now (test runners swap it), never to a stale, closed stream."""

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stderr
        super().emit(record)


_configured = False


def configure_logging(level: str = "INFO", component: str = "one-matter") -> None:
    global _configured
    if _configured:
        return
    _configured = True
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        add_trace_ids,
    ]
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, lift_temporal_context],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Tracebacks are text too: format them first so the scrubber sees them.
            structlog.processors.format_exc_info,
            redact_personal_data,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
    )
    handler = _CurrentStderr()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Temporal's workflow logger appends its context to the message too; the JSON fields suffice.
    from temporalio import activity, workflow

    workflow.logger.workflow_info_on_message = False
    activity.logger.activity_info_on_message = False
    for noisy in ("httpx", "httpcore", "uvicorn.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # uvicorn's supervisor says at INFO when it replaces a worker that died or missed its health check:
    # an operator needs that line whatever the level.
    logging.getLogger("uvicorn.error").setLevel(logging.INFO)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(component=component)


def get_logger(name: str) -> structlog.stdlib.BoundLogger:
    logger: structlog.stdlib.BoundLogger = structlog.get_logger(name)
    return logger
