"""The dashboard by case (案件看板): how courts and judges are measured by case (DOMAIN §17).

- open cases by the term's colour (审限: green, yellow, red) and closed cases by closing mode (结案方式);
- 执行到位率 (recovery rate): the money recovered over the amount applied for (申请执行标的: principal,
  interest and costs as docketed), both summed in fen over the cases counted;
- 结案率 (closing rate): the cases closed, by any of the six modes (终本 included), over the cases counted.

Each figure is given per court and per judge, with the sums it is computed from, so every number can be
drilled down to the cases behind it. Pure: the web reads the register's groups and passes them in.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field, computed_field

from domain.case_closing import ClosingMode
from domain.money import Fen
from domain.tasks import SlaMark

COLOURS = (SlaMark.GREEN.value, SlaMark.YELLOW.value, SlaMark.RED.value)


class CaseGroup(BaseModel):
    """The register's cases sharing a court, a judge, a term colour and a closing mode (None: open)."""

    court: str
    judge: str
    term_colour: str
    closing_mode: ClosingMode | None
    cases: int = Field(ge=0)
    claimed_fen: Fen = Field(description="申请执行标的, summed")
    recovered_fen: Fen = Field(description="执行到位, summed")


class Rates(BaseModel):
    """One court's or one judge's figures: the counts and sums, and the two rates computed from them."""

    court: str
    judge: str | None = Field(default=None, description="None: the court's row")
    cases: int = 0
    open: int = 0
    closed: int = 0
    claimed_fen: Fen = 0
    recovered_fen: Fen = 0
    colours: dict[str, int] = Field(default_factory=lambda: dict.fromkeys(COLOURS, 0), description="open cases")
    modes: dict[str, int] = Field(default_factory=lambda: {m.value: 0 for m in ClosingMode}, description="closed")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recovery_rate(self) -> float | None:
        """执行到位率 in percent (two decimals); None when nothing was applied for."""
        return percent(self.recovered_fen, self.claimed_fen)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def closing_rate(self) -> float | None:
        """结案率 in percent (two decimals); None without cases."""
        return percent(self.closed, self.cases)

    def add(self, g: CaseGroup) -> None:
        self.cases += g.cases
        self.claimed_fen += g.claimed_fen
        self.recovered_fen += g.recovered_fen
        if g.closing_mode is None:
            self.open += g.cases
            if g.term_colour in self.colours:
                self.colours[g.term_colour] += g.cases
        else:
            self.closed += g.cases
            self.modes[g.closing_mode.value] += g.cases


class CaseBoard(BaseModel):
    total: Rates
    courts: list[Rates]
    judges: list[Rates]


def percent(part: int, whole: int) -> float | None:
    """``part / whole`` in percent, rounded half up to two decimals from the integers (no float sums)."""
    if whole <= 0:
        return None
    hundredths = (part * 10_000 * 2 + whole) // (2 * whole)
    return hundredths / 100


def board(groups: Iterable[CaseGroup], courts: Iterable[str]) -> CaseBoard:
    """The board over ``courts`` (each listed, with or without cases): totals, per court, per judge."""
    total = Rates(court="")
    by_court = {c: Rates(court=c) for c in courts}
    by_judge: dict[tuple[str, str], Rates] = {}
    for g in groups:
        if g.court not in by_court:
            continue  # outside the caller's courts: it does not exist for them
        total.add(g)
        by_court[g.court].add(g)
        by_judge.setdefault((g.court, g.judge), Rates(court=g.court, judge=g.judge)).add(g)
    return CaseBoard(
        total=total,
        courts=sorted(by_court.values(), key=lambda r: r.court),
        judges=sorted(by_judge.values(), key=lambda r: (r.court, r.judge or "")),
    )
