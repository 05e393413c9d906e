"""Cross-region seizure (异地扣押): one request has a vehicle in another region seized, kept and
handed over."""

from __future__ import annotations

from activities.asset_disposals import AssetDisposalActivities
from activities.partners import PartnerActivities
from domain.assets import AssetKind, disposal_key
from workflows.agency_task.workflow import AgencyTask
from workflows.cross_region_seizure import from_case
from workflows.cross_region_seizure.models import NAME, CrossRegionSeizureInput, CrossRegionSeizureRequest
from workflows.cross_region_seizure.words import WORDS
from workflows.cross_region_seizure.workflow import CrossRegionSeizure
from workflows.foundation.scenario import Scenario, wrap_request

SCENARIO = Scenario(
    name=NAME,
    package=__name__,
    words=WORDS,
    workflow=CrossRegionSeizure,
    request_model=CrossRegionSeizureRequest,
    build_input=wrap_request(CrossRegionSeizureInput),
    activities=(PartnerActivities, AssetDisposalActivities),
    extra_workflows=(AgencyTask,),
    own_fields=from_case.OWN_FIELDS,
    prefill=from_case.prefill,
    # One vehicle, one disposal: while a hand-over holds the plate, a new seizure of it is refused at start.
    disposes_of=lambda req: disposal_key(AssetKind.VEHICLE, req.vehicle.plate),
    disposes_of_field="vehicle.plate",
    # Item delegation goes to another people's court (委托执行规定 Art. 2); each task to its kind of agency.
    agency_fields={
        "receiving_court": "court",
        "traffic_police": "police",
        "car_station": "car-station",
        "vehicle_registry": "vehicle",
    },
)

__all__ = ["SCENARIO", "CrossRegionSeizure"]
