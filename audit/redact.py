"""Masking (脱敏) for the audit trail: values under keys that the models mark as personal data
(``domain.personal``) keep only their last characters; any string is also scanned for long digit runs
and credit codes as a second net.

The keys are not listed here. :meth:`Redactor.for_models` walks what the caller hands it — model
classes, workflow classes (the models in their handlers' signatures), modules (the models they define
or import, also inside dicts and lists such as a catalogue of result models) — and every model reachable
from those through its fields, and collects each field marked :class:`domain.personal.Personal`. The
worker and the web hand it their registered scenarios, so a new scenario's marked fields are masked
without a change here. Payloads are JSON by then, so masking goes by key: a key marked in any model is
masked wherever it appears.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from pydantic import BaseModel

from domain.parties import mask
from domain.personal import Personal, PersonalKind, keep_for

# A second net for free text: 9+ digit runs (accounts, ID numbers) and 18-character credit codes.
_NUMBER_RUN = re.compile(r"\d{9,}[\dXx]?|(?<![0-9A-Z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Z])")


def mask_text(text: str) -> str:
    return _NUMBER_RUN.sub(lambda m: mask(m.group(0)), text)


def _stricter(a: PersonalKind | None, b: PersonalKind) -> PersonalKind:
    # One key marked differently in two models: the mask that shows less wins.
    return b if a is None or keep_for(b) < keep_for(a) else a


def _markers(annotation: Any) -> Iterator[Personal]:
    """Markers anywhere in an annotation: ``Annotated[str, Personal(...)]`` and inside ``list[...]``,
    ``X | None`` and the like (pydantic lifts only the outermost ``Annotated`` into the field)."""
    if typing.get_origin(annotation) is typing.Annotated:
        yield from (m for m in annotation.__metadata__ if isinstance(m, Personal))
    for arg in typing.get_args(annotation):
        yield from _markers(arg)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    for arg in typing.get_args(annotation):
        yield from _models_in(arg)


def _roots_in(obj: object) -> Iterator[type[BaseModel]]:
    """The models a root stands for: itself, a module's model attributes (also in dicts, lists and
    tuples), a class's handler signatures."""
    if isinstance(obj, type) and issubclass(obj, BaseModel):
        yield obj
    elif isinstance(obj, types.ModuleType):
        for value in vars(obj).values():
            if isinstance(value, Mapping):
                yield from (v for v in value.values() if isinstance(v, type) and issubclass(v, BaseModel))
            elif isinstance(value, list | tuple):
                yield from (v for v in value if isinstance(v, type) and issubclass(v, BaseModel))
            elif isinstance(value, type) and issubclass(value, BaseModel):
                yield value
    elif isinstance(obj, type):
        for _, fn in inspect.getmembers(obj, inspect.isfunction):
            yield from _signature_models(fn)
    elif callable(obj):
        yield from _signature_models(obj)


def _signature_models(fn: Any) -> Iterator[type[BaseModel]]:
    try:
        hints = typing.get_type_hints(fn, include_extras=True)
    except Exception:  # a name only imported for type checking: that handler's models come via its module
        return
    for hint in hints.values():
        yield from _models_in(hint)


def reachable_models(roots: Iterable[object]) -> list[type[BaseModel]]:
    """Every model the roots stand for, and every model reachable from those through their fields."""
    seen: dict[type[BaseModel], None] = {}
    stack: list[type[BaseModel]] = []
    for root in roots:
        stack.extend(_roots_in(root))
        module = inspect.getmodule(root) if isinstance(root, type) and not issubclass(root, BaseModel) else None
        if module is not None:
            # A workflow's module imports the payload models its handlers take as plain dicts (decisions).
            stack.extend(_roots_in(module))
    while stack:
        model = stack.pop()
        if model in seen:
            continue
        seen[model] = None
        for info in model.model_fields.values():
            stack.extend(_models_in(info.annotation))
    return list(seen)


def personal_fields(roots: Iterable[object]) -> dict[str, PersonalKind]:
    """Every key (field name and alias) marked as personal data in the models reachable from
    ``roots``, with its kind."""
    found: dict[str, PersonalKind] = {}
    for model in reachable_models(roots):
        for name, info in model.model_fields.items():
            kinds = [m.kind for m in info.metadata if isinstance(m, Personal)]
            kinds.extend(m.kind for m in _markers(info.annotation))
            for kind in kinds:
                for key in {name, info.alias or name, info.serialization_alias or name}:
                    found[key] = _stricter(found.get(key), kind)
    return found


class Redactor:
    """Masks the personal data in a JSON-like value (mappings, lists, strings) by key."""

    def __init__(self, keys: Mapping[str, PersonalKind]) -> None:
        self.keys: dict[str, PersonalKind] = dict(keys)

    @classmethod
    def for_models(cls, *roots: object) -> Redactor:
        return cls(personal_fields(roots))

    def __call__(self, value: Any, key: str | None = None) -> Any:
        return self.redact(value, key)

    def redact(self, value: Any, key: str | None = None) -> Any:
        """A copy of ``value`` fit for an audit trail: values under personal keys masked, long digit
        runs in any string masked."""
        if isinstance(value, Mapping):
            return {str(k): self.redact(v, str(k)) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.redact(v, key) for v in value]
        if isinstance(value, str):
            kind = self.keys.get(key) if key is not None else None
            if kind is not None:
                return mask(value, keep=keep_for(kind))
            return mask_text(value)
        return value
