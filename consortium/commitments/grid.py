"""The budget grid (pure): personnel from person-months x rate, splits by action and period.

Why: partners think in person-months and staff rates, the EU template in euros per cost
category, and LIFE reports in periods.  This module turns the first into the second and spreads
each participation's budget over the actions (work packages) and the reporting periods, with
cent-exact totals (every split adds up to the amount it splits).

Assumptions (documented in the grid page and README):

* personnel costs A = person-months (all actions) x the monthly rate, rounded half up to cents;
  without a rate the typed personnel amount stays.
* by action: personnel by each action's person-months x rate (or pro rata of the person-months
  without a rate); the other direct costs and the indirect costs pro rata of the person-months,
  for lack of a better key.  A participation without person-months has its costs in "—".
* by period: each action's amount spread evenly over its months (start-end month, the whole
  project when unknown); the unassigned costs over the whole project.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from consortium.commitments.budget import CENT, ZERO, ParticipationBudget, money
from consortium.errors import N_
from consortium.findings import Finding, Severity, finding

RATE_PLAUSIBLE_MIN = Decimal("1500")
"""Below this a monthly personnel rate is implausible for LIFE (EUR per person-month).

Order of magnitude of the lowest full monthly employer costs in EU Member States; a lower
figure is usually a daily or hourly rate typed by mistake.  A warning, never a refusal."""
RATE_PLAUSIBLE_MAX = Decimal("15000")
"""Above this a monthly rate is implausible (senior staff of the costliest Member States)."""
RATE_MAXIMUM = Decimal("1000000")
"""Refused above: no monthly rate reaches a million euros."""
UNASSIGNED = ""
"""Key of the costs no action carries (no person-months)."""


def personnel_cost(person_months: Decimal, rate: Decimal) -> Decimal:
    """Personnel costs A = person-months x monthly rate, in cents rounded half up."""
    return money(Decimal(person_months) * Decimal(rate))


def rate_findings(rate: Decimal | None, *, subject: int | None = None) -> list[Finding]:
    """A warning when a monthly rate lies outside the plausible LIFE range (never an error)."""
    if rate is None or RATE_PLAUSIBLE_MIN <= rate <= RATE_PLAUSIBLE_MAX:
        return []
    template = (
        N_("A monthly rate of %(amount)s is low for personnel costs: is it a daily or hourly rate?")
        if rate < RATE_PLAUSIBLE_MIN
        else N_("A monthly rate of %(amount)s is high for personnel costs.")
    )
    return [
        finding(
            "RATE_IMPLAUSIBLE",
            Severity.WARNING,
            template,
            {"amount": money(rate)},
            fix=N_(
                "LIFE monthly personnel rates usually lie between %(low)s and "
                "%(high)s: check the figure."
            ),
            fix_params={"low": RATE_PLAUSIBLE_MIN, "high": RATE_PLAUSIBLE_MAX},
            subjects=[subject] if subject is not None else [],
        )
    ]


def allocate(amount: Decimal, weights: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Split ``amount`` in cents pro rata of ``weights``; the parts add up to ``amount``.

    Largest remainder: each key gets its rounded-down share, then the cents left go to the
    largest remainders (ties to the first key), so no cent is lost or invented.
    """
    positive = {k: Decimal(w) for k, w in weights.items() if w > 0}
    total_weight = sum(positive.values(), Decimal(0))
    if not positive or not amount:
        return dict.fromkeys(weights, ZERO)
    cents = int((money(amount) / CENT).to_integral_value())
    exact = {k: Decimal(cents) * w / total_weight for k, w in positive.items()}
    floors = {k: int(v) for k, v in exact.items()}
    left = cents - sum(floors.values())
    order = sorted(positive, key=lambda k: -(exact[k] - floors[k]))
    for key in order[:left]:
        floors[key] += 1
    return {k: (Decimal(floors.get(k, 0)) * CENT).quantize(CENT) for k in weights}


def by_action(budget: ParticipationBudget, rate: Decimal | None) -> dict[str, Decimal]:
    """The participation's total eligible costs split by action code (see the module doc)."""
    months = {code: pm for code, pm in budget.person_months.items() if pm > 0}
    if not months:
        return {UNASSIGNED: budget.total} if budget.total else {}
    if rate is not None:
        personnel = {code: personnel_cost(pm, rate) for code, pm in months.items()}
        leftover = budget.costs.personnel - sum(personnel.values(), ZERO)
        if leftover:  # a typed amount differs from person-months x rate
            extra = allocate(leftover, months)
            personnel = {code: personnel[code] + extra[code] for code in months}
    else:
        personnel = allocate(budget.costs.personnel, months)
    rest = allocate(budget.total - budget.costs.personnel, months)
    return {code: personnel[code] + rest[code] for code in months}


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period, months ``start`` to ``end`` included (month 1 is the first)."""

    number: int
    start: int
    end: int

    @property
    def months(self) -> int:
        return self.end - self.start + 1


PERIOD_TEMPLATES = {
    "not_a_month": N_("“%(value)s” is not a month number."),
    "not_ascending": N_("Each period must end after the previous one (%(value)s)."),
    "beyond": N_("Month %(value)s is after the end of the project (month %(duration)s)."),
    "too_many": N_("At most %(maximum)s reporting periods."),
}
MAX_PERIODS = 12


class PeriodError(ValueError):
    """A typed list of period ends was refused; ``template``/``params`` say why."""

    def __init__(self, code: str, **params: object) -> None:
        self.template = PERIOD_TEMPLATES[code]
        self.params = params
        super().__init__(self.template % params)


def parse_period_ends(text: str, duration: int) -> list[int]:
    """Read "18, 36" (last month of each period) into ascending ends; the project's last month
    closes the list when it is missing.  Empty text means one period, the whole project."""
    ends: list[int] = []
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip().removeprefix("M").removeprefix("m")
        if not part:
            continue
        if not (part.isascii() and part.isdigit()) or len(part) > 4 or int(part) < 1:
            raise PeriodError("not_a_month", value=part[:20])
        month = int(part)
        if month > duration:
            raise PeriodError("beyond", value=month, duration=duration)
        if ends and month <= ends[-1]:
            raise PeriodError("not_ascending", value=month)
        ends.append(month)
    if not ends or ends[-1] != duration:
        ends.append(duration)
    if len(ends) > MAX_PERIODS:
        raise PeriodError("too_many", maximum=MAX_PERIODS)
    return ends


def periods(end_months: Sequence[int], duration: int) -> list[Period]:
    """The periods ending at ``end_months``, one period for the whole project when empty."""
    ends = [m for m in end_months if 1 <= m <= duration] or [duration]
    if ends[-1] != duration:
        ends.append(duration)
    result, start = [], 1
    for number, end in enumerate(ends, start=1):
        result.append(Period(number, start, end))
        start = end + 1
    return result


def by_period(
    amounts: Mapping[str, Decimal],
    spans: Mapping[str, tuple[int, int]],
    project_periods: Sequence[Period],
    duration: int,
) -> list[Decimal]:
    """Spread each action's amount evenly over its months, then sum per period.

    ``spans`` maps an action code to (start month, end month); an unknown action or the
    unassigned costs run over the whole project.  The result adds up to the amounts' sum.
    """
    totals = [ZERO for _ in project_periods]
    for code, amount in amounts.items():
        start, end = spans.get(code, (1, duration))
        start, end = max(1, start), min(duration, max(start, end))
        overlap = {
            str(i): Decimal(max(0, min(end, p.end) - max(start, p.start) + 1))
            for i, p in enumerate(project_periods)
        }
        if not any(overlap.values()):
            overlap = {str(i): Decimal(p.months) for i, p in enumerate(project_periods)}
        for key, part in allocate(amount, overlap).items():
            totals[int(key)] += part
    return totals


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    """``part / whole`` to four decimals (None when ``whole`` is 0): a funding rate."""
    if not whole:
        return None
    return (part / whole).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
