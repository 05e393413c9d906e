"""The applicant signs the 终本 in their case space (民诉法解释 Art. 517): after the property investigation has
found nothing, the current procedure may be closed once the applicant has signed to confirm it — otherwise
only on the panel's review and the president's approval. The applicant's word (agree or not, and why) goes to
the case's closure matter (periodic-reinquiry) while it awaits the judge's ruling; the matter keeps it as the
signed act of this account (the web signs who acts), its statement hashed beside it, and the judge may rule
on the applicant's signature only when it is there (``CLOSURE_SIGNATURE_OR_APPROVAL_REQUIRED`` otherwise).
"""

from __future__ import annotations

from temporalio.client import Client

from domain.actors import Actor
from domain.errors import Forbidden, NotFound
from domain.party_requests import PartySide, sides_of
from security.identity import acting_as
from web.errors import GatewayTimeout
from web.services.cases import case_view
from web.services.party_accounts import PartyDesk
from web.services.party_agents import standing
from web.services.workflows import execute_update_as
from workflows.case.models import CaseView
from workflows.periodic_reinquiry.models import (
    APPLICANT_CONSENT_UPDATE,
    ClosureConsent,
    ConsentRecord,
)
from workflows.periodic_reinquiry.models import (
    NAME as CLOSURE_MATTER,
)


def closure_matter(view: CaseView) -> str | None:
    """The case's running closure matter (the latest), whose ruling the applicant's signature is for."""
    running = [m.workflow_id for m in view.matters if m.scenario == CLOSURE_MATTER and m.ended_at is None]
    return running[-1] if running else None


async def consent(desk: PartyDesk, client: Client, actor: Actor, case_id: str, body: ClosureConsent) -> ConsentRecord:
    """The applicant's signature on the 终本 (or their refusal, with reasons); an agent signs only with the
    special authority the judge confirmed (民诉法 Art. 62: 特别授权)."""
    st = await standing(desk, actor, case_id)
    if PartySide.APPLICANT not in sides_of(st.roles):
        raise Forbidden("APPLICANT_ONLY", "仅申请执行人可以签字确认终本 / only the applicant signs the closure")
    if st.agent and not st.special_authority:
        raise Forbidden(
            "SPECIAL_AUTHORITY_REQUIRED", "代理人签字确认终本须有特别授权 / an agent needs special authority to sign"
        )
    with acting_as(actor):
        view = await case_view(client, st.entry)
    matter = closure_matter(view)
    if matter is None:
        raise NotFound(
            "NO_CLOSURE_PENDING", "本案没有待确认的终结本次执行程序 / no closure awaits your signature", "case_id"
        )

    async def ended() -> NotFound:
        return NotFound("NO_CLOSURE_PENDING", "终本程序已结束 / the closure matter has ended", "case_id")

    record: ConsentRecord = await execute_update_as(
        client,
        actor,
        matter,
        APPLICANT_CONSENT_UPDATE,
        body,
        closed=ended,
        timeout=GatewayTimeout("CASE_TIMEOUT", "案件未及时应答 / the case did not answer in time"),
        result_type=ConsentRecord,
    )
    return record
