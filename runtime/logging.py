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
# What the scrubber finds in free text (issue 11; widened in issue 23 item 8). Borders are ASCII letters,
# digits and "-" only where a border is used: in Python ``\w`` also matches CJK and "_", so
# ``身份证330106198503120319`` or ``id_330106198503120319`` would slip through a ``\w`` border.
_NOT_ALNUM_BEFORE, _NOT_ALNUM_AFTER = r"(?<![0-9A-Za-z])", r"(?![0-9A-Za-z])"
_PATTERNS = (
    # A resident ID number (身份证号) wherever it stands, even glued to letters (``ID330106…abc``): six region
    # digits, a birth date, three digits and the check character; the date keeps hashes out.
    r"(?<!\d)[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?!\d)",
    # Digits written in groups with single spaces or dashes — an ID or card number (``6222 0212 3456 7890
    # 123``), a phone number (``+86 138-0013-8000``, ``0571-87654321``) — nine digits or more in all. Inner
    # groups have three digits or more, so a date (``2026-12-06``) is left alone.
    r"(?<![0-9A-Za-z])\+?\d{2,8}(?:[ -]\d{3,8})+(?:[ -]\d{1,4}[Xx]?)?(?![0-9A-Za-z])",
    # Nine digits or more in one run (accounts of 9–14 digits, cards, phone numbers), optionally ending in
    # X; and 18-character unified credit codes. Not inside a longer letter-and-digit run (a hash).
    _NOT_ALNUM_BEFORE + r"(?:\d{8,29}[\dXx]|[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10})" + _NOT_ALNUM_AFTER,
    # A mobile number glued to text (``电话13800138000``).
    r"(?<!\d)1[3-9]\d{9}(?!\d)",
    # A plate (号牌): province, the issuing letter, an optional separator, five or six characters.
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-Z][·•. ]?[A-HJ-NP-Z0-9]{5,6}"
    + _NOT_ALNUM_AFTER,
    # A VIN (车架号): 17 characters without I, O and Q, with letters and digits both.
    _NOT_ALNUM_BEFORE + r"(?=[A-HJ-NPR-Z0-9]*\d)(?=[A-HJ-NPR-Z0-9]*[A-HJ-NPR-Z])[A-HJ-NPR-Z0-9]{17}" + _NOT_ALNUM_AFTER,
)
_SENSITIVE_PATTERN = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))
_REDACTED = "[redacted]"


def scrub_text(text: str) -> str:
    """``text`` with ID, card, account and phone numbers, credit codes, plates and VINs replaced."""
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
    """The trace and span a line was written in (runtime/tracing.py), so a log line leads to its trace."""
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
