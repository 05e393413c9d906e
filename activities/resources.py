"""What the worker hands every activity group: built once per worker process, from settings.

Each activity group (a class whose methods are activities) has ``from_resources(resources)`` and
``all()``; the worker registers the groups the scenarios in ``workflows.registry`` name, and nothing by
hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from activities.documents import DocumentOffice
    from adapters.registry import AdapterRegistry
    from config.settings import Settings
    from store.blobs import BlobStore
    from store.db import Database


@dataclass(frozen=True)
class WorkerResources:
    settings: Settings
    adapters: AdapterRegistry
    database: Database  # the shared store: inbox projection, audit archive
    blobs: BlobStore
    personal_data: tuple[object, ...]  # models whose marked fields the audit trail masks
    documents: DocumentOffice  # issues the court's sealed documents (activities/documents.py)


class ActivityGroup(Protocol):
    """A class whose methods are activities, built from the worker's resources."""

    @classmethod
    def from_resources(cls, r: WorkerResources) -> ActivityGroup: ...

    def all(self) -> list[Callable[..., Any]]: ...
