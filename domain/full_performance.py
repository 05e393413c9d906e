"""What full performance (执行完毕: the balance reached zero) sets off ex officio, by measure (DOMAIN §17.7):
freezes and seizures released (查扣冻规定 Art. 28(4), no period stated); the 失信 entry deleted within
three working days (失信规定 Art. 10(1)); the 限消 order lifted "及时", with notices to the units that were
told (限消规定 Art. 9). Partial payment sets off none of these."""

from __future__ import annotations

from domain.legal_time import LegalDuration, TimeUnit

# [I] "及时" (and the release, for which no period is stated) modelled as an immediate trigger with this
# limit; a deployment may pass another in the matter's input. The 失信 deletion keeps its own legal period
# (dishonest.removal_within, 3 working days).
PROMPT_LIFT_WITHIN = LegalDuration(amount=3, unit=TimeUnit.WORKING_DAY)
