"""The JSON API under /api. Each module is one resource; role rules are in their signatures."""

from __future__ import annotations

from fastapi import APIRouter

from web.api import (
    applications,
    auth,
    cases,
    dashboard,
    documents,
    legal,
    parties,
    partners,
    party_requests,
    scenarios,
    task_notes,
    tasks,
    users,
    webhooks,
    workflows,
)

router = APIRouter(prefix="/api")
for module in (
    auth,
    scenarios,
    workflows,
    cases,
    tasks,
    partners,
    users,
    legal,
    dashboard,
    task_notes,
    webhooks,
    parties,
    applications,
    party_requests,
    documents,
):
    router.include_router(module.router)
