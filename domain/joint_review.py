"""一门联审 (one-door joint review) of a property before it is sold: title, mortgages, seizures (first and
queued), leases against mortgage and seizure dates, tax arrears, occupancy, purchase restriction.

The answers come from the real-estate registry (by adapter), the tax bureau and a court-appointed
survey (by agency task). :func:`review` turns them into findings: what is disclosed with the auction
(网拍规定 Art. 14: known defects are announced) and what blocks the sale until the judge decides.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from domain.distribution import ClaimKind
from domain.measures import SeizureRank
from domain.money import Fen
from domain.personal import IdNumber, PersonName


class LandUse(StrEnum):
    RESIDENTIAL = "residential"  # 住宅
    COMMERCIAL = "commercial"  # 商业
    INDUSTRIAL = "industrial"  # 工业
    OTHER = "other"


class Mortgage(BaseModel):
    holder: PersonName = Field(description="抵押权人")
    secured_amount_fen: Fen = Field(description="被担保主债权数额 (最高额抵押: 最高债权额)")
    maximum_amount: bool = Field(default=False, description="最高额抵押")
    registered_at: datetime


class Seizure(BaseModel):
    court: str
    case_number: str
    rank: SeizureRank
    registered_at: datetime
    expires_on: date


class TitleRecord(BaseModel):
    """The registry's answer (不动产登记簿): who owns the unit and what burdens it."""

    unit_number: str = Field(description="不动产单元号")
    owner_id_number: IdNumber = Field(description="权利人证件号 (personal data)")
    owner_name: PersonName
    land_use: LandUse
    area_m2: float = Field(gt=0)
    address: str = ""
    mortgages: list[Mortgage] = Field(default_factory=list)
    seizures: list[Seizure] = Field(default_factory=list)
    purchase_restricted: bool = Field(default=False, description="所在地限购 (竞买人资格规定 Art. 1)")
    unauthorised_construction: bool = Field(default=False, description="违法建筑")
    notes: list[str] = Field(default_factory=list)


class Severity(StrEnum):
    INFO = "info"  # recorded, not announced
    DISCLOSE = "disclose"  # announced with the auction as a known defect
    BLOCKING = "blocking"  # the sale waits for the judge: proceed on stated grounds, or stop


class Finding(BaseModel):
    code: str
    severity: Severity
    text: str
    basis: str = ""


class DefectsReport(BaseModel):
    """The joint review's result. ``disclosures`` go out with the announcement (网拍规定 Arts. 13–14)."""

    findings: list[Finding]

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.BLOCKING]

    @property
    def disclosures(self) -> list[str]:
        return [f.text for f in self.findings if f.severity in (Severity.DISCLOSE, Severity.BLOCKING)]


class TaxArrear(BaseModel):
    tax_type: str = Field(min_length=1, max_length=50, description="税种, e.g. 城镇土地使用税")
    amount_fen: Fen
    arrears_since: date = Field(description="欠税发生日 (税收征管法 Art. 45 compares it with security dates)")


class Lease(BaseModel):
    lessee: PersonName
    start_on: date
    end_on: date
    annual_rent_fen: Fen = 0
    written: bool = True
    in_possession: bool = True


class OccupantKind(StrEnum):
    VACANT = "vacant"
    DEBTOR = "debtor"  # the debtor (and family) live or work there
    TENANT = "tenant"
    OTHER = "other"


class KnownCreditor(BaseModel):
    """A creditor the register shows but who has not applied to the distribution: a mortgagee (paid from
    the price, 拍卖变卖规定 Art. 28) or another court's seizure, first or queued (首封/轮候, whose applicant
    may join, 民诉法解释 Art. 506). Notified and invited to declare before the plan is drawn up."""

    claim_id: str = Field(description="mortgage-N or seizure-N, in the register's order")
    holder: str = Field(description="the mortgagee, or the court that seized")
    kind: ClaimKind = Field(description="secured (a mortgage) or ordinary (another court's seizure)")
    secured_amount_fen: Fen | None = Field(default=None, description="a mortgage: the registered secured amount")
    maximum_amount: bool = False
    registered_at: datetime
    case_number: str = Field(default="", description="a seizure: the other court's case")
    basis: str


def known_creditors(title: TitleRecord, court: str, case_number: str, creditor_names: set[str]) -> list[KnownCreditor]:
    """Who must be notified to declare: every mortgagee not among the creditors, and every seizure by
    another case. Pure: same register, same list."""
    out: list[KnownCreditor] = []
    for i, m in enumerate(sorted(title.mortgages, key=lambda m: m.registered_at)):
        if m.holder in creditor_names:
            continue
        out.append(
            KnownCreditor(
                claim_id=f"mortgage-{i + 1}",
                holder=m.holder,
                kind=ClaimKind.SECURED,
                secured_amount_fen=m.secured_amount_fen,
                maximum_amount=m.maximum_amount,
                registered_at=m.registered_at,
                basis="拍卖变卖规定 第二十八条第一款; 民诉法解释 第五百零六条",
            )
        )
    seizures = sorted(title.seizures, key=lambda s: s.registered_at)
    for i, s in enumerate(seizures):
        if s.court == court and s.case_number == case_number:
            continue
        out.append(
            KnownCreditor(
                claim_id=f"seizure-{i + 1}",
                holder=s.court,
                kind=ClaimKind.ORDINARY,
                registered_at=s.registered_at,
                case_number=s.case_number,
                basis="民诉法解释 第五百零六条; 查扣冻规定 第二十六条 (首封/轮候)",
            )
        )
    return out


SEIZURE_RENEWAL_MARGIN = timedelta(days=180)  # [I] a disposal takes months; renew a seizure ending sooner


def review(
    title: TitleRecord,
    debtor_id_number: str,
    court: str,
    case_number: str,
    arrears: list[TaxArrear],
    occupant: OccupantKind,
    leases: list[Lease],
    creditor_names: set[str],
    today: date,
) -> DefectsReport:
    """The findings of the joint review, most serious first. Pure: same answers, same report."""
    f: list[Finding] = []
    if title.owner_id_number != debtor_id_number:
        f.append(
            Finding(
                code="TITLE_NOT_DEBTOR",
                severity=Severity.BLOCKING,
                text="登记权利人与被执行人不一致",
                basis="查扣冻规定 第二条; 异议复议规定 第二十五条",
            )
        )
    ours = [s for s in title.seizures if s.court == court and s.case_number == case_number]
    if not ours:
        f.append(
            Finding(
                code="NOT_SEIZED_BY_US",
                severity=Severity.BLOCKING,
                text="登记簿无本案查封",
                basis="查扣冻规定 第一条、第七条",
            )
        )
    elif all(s.rank is SeizureRank.QUEUED for s in ours):
        first = next((s for s in title.seizures if s.rank is SeizureRank.FIRST), None)
        f.append(
            Finding(
                code="QUEUED_SEIZURE",
                severity=Severity.BLOCKING,
                text=f"本案为轮候查封, 首封法院为{first.court if first else '他院'}; 处分需首封法院移送",
                basis="执行工作规定 第五十六条; 首封批复",
            )
        )
    for s in ours:
        if s.expires_on < today + SEIZURE_RENEWAL_MARGIN:
            f.append(
                Finding(
                    code="SEIZURE_EXPIRING",
                    severity=Severity.INFO,
                    text=f"本案查封于{s.expires_on.isoformat()}到期, 处置期间须续行查封",
                    basis="民诉法解释 第四百八十五条",
                )
            )
    others = [s for s in title.seizures if not (s.court == court and s.case_number == case_number)]
    if others:
        f.append(
            Finding(
                code="OTHER_SEIZURES",
                severity=Severity.DISCLOSE,
                text=f"另有{len(others)}项查封 (含轮候), 拍卖成交后依法解除",
                basis="查扣冻规定 第二十六条",
            )
        )
    for m in sorted(title.mortgages, key=lambda m: m.registered_at):
        f.append(
            Finding(
                code="MORTGAGE",
                severity=Severity.DISCLOSE,
                text=f"设有抵押 ({m.registered_at.date().isoformat()}登记), 拍卖后抵押权消灭, 自价款中优先受偿",
                basis="拍卖变卖规定 第二十八条第一款",
            )
        )
        if m.holder not in creditor_names:
            f.append(
                Finding(
                    code="MORTGAGEE_NOT_PARTICIPATING",
                    severity=Severity.INFO,
                    text="抵押权人尚未申请参与分配; 分配前通知其申报债权",
                    basis="民诉法解释 第五百零六条",
                )
            )
    f += _lease_findings(title, leases)
    for a in arrears:
        f.append(
            Finding(
                code="TAX_ARREARS",
                severity=Severity.DISCLOSE,
                text=f"欠缴{a.tax_type} (自{a.arrears_since.isoformat()}), 依法自价款中清缴",
                basis="税收征管法 第四十五条",
            )
        )
    if occupant is OccupantKind.DEBTOR and title.land_use is LandUse.RESIDENTIAL:
        f.append(
            Finding(
                code="POSSIBLE_NECESSARY_RESIDENCE",
                severity=Severity.BLOCKING,
                text="被执行人现居住于该房屋, 须审查是否为生活所必需的居住房屋",
                basis="查扣冻规定 第四条; 异议复议规定 第二十条",
            )
        )
    if title.purchase_restricted:
        f.append(
            Finding(
                code="PURCHASE_RESTRICTED",
                severity=Severity.DISCLOSE,
                text="该房屋所在地限购, 竞买人须具备购房资格并作出承诺",
                basis="竞买人资格规定 第一条、第二条",
            )
        )
    if title.unauthorised_construction:
        f.append(
            Finding(
                code="UNAUTHORISED_CONSTRUCTION",
                severity=Severity.DISCLOSE,
                text="存在未经登记的违法建筑部分, 不在拍卖范围内",
                basis="网拍规定 第十四条",
            )
        )
    order = {Severity.BLOCKING: 0, Severity.DISCLOSE: 1, Severity.INFO: 2}
    return DefectsReport(findings=sorted(f, key=lambda x: order[x.severity]))


def _lease_findings(title: TitleRecord, leases: list[Lease]) -> list[Finding]:
    """A lease survives the sale unless it impairs an earlier mortgage, which the court then removes before
    the auction (拍卖变卖规定 Art. 28); a lease made after the seizure cannot bind the buyer (Art. 24 查扣冻规定)."""
    findings: list[Finding] = []
    first_mortgage = min((m.registered_at.date() for m in title.mortgages), default=None)
    first_seizure = min((s.registered_at.date() for s in title.seizures), default=None)
    for lease in leases:
        if first_seizure and lease.start_on >= first_seizure:
            findings.append(
                Finding(
                    code="LEASE_AFTER_SEIZURE",
                    severity=Severity.DISCLOSE,
                    text=f"租赁 ({lease.start_on.isoformat()}起) 设立于查封之后, 不得对抗买受人",
                    basis="查扣冻规定 第二十四条",
                )
            )
        elif first_mortgage and lease.start_on >= first_mortgage:
            findings.append(
                Finding(
                    code="LEASE_IMPAIRS_MORTGAGE",
                    severity=Severity.BLOCKING,
                    text=f"租赁 ({lease.start_on.isoformat()}起) 设立于抵押之后, 影响抵押权实现, 拍卖前应除去",
                    basis="拍卖变卖规定 第二十八条第二款",
                )
            )
        else:
            findings.append(
                Finding(
                    code="LEASE_SURVIVES",
                    severity=Severity.DISCLOSE,
                    text=f"带租拍卖: 租赁期至{lease.end_on.isoformat()}, 买受人承受租赁",
                    basis="拍卖变卖规定 第二十八条第二款; 异议复议规定 第三十一条",
                )
            )
    return findings
