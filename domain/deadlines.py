"""Deadlines computed from typed clock rules, each showing its legal basis and its counting."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import ClassVar
from zoneinfo import ZoneInfo

__all__ = [
    "ClockRule",
    "ClockUnit",
    "Deadline",
    "HolidayCalendar",
    "Pause",
    "RunningClock",
    "add_months",
    "compute_deadline",
]

# Long lists of skipped days make the explanation unreadable; the count is still given.
_MAX_LISTED_SKIPS = 10
_ONE_DAY = timedelta(days=1)
_ONE_HOUR = timedelta(hours=1)


def _require_aware(moment: datetime, what: str) -> None:
    """Raise ValueError if `moment` is naive."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment.isoformat()}")


def _require_text(value: str, what: str) -> None:
    """Raise ValueError if `value` is blank."""
    if not value.strip():
        raise ValueError(f"{what} must not be blank")


class ClockUnit(StrEnum):
    """What a clock counts in."""

    HOURS = "hours"
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    MONTHS = "months"

    @property
    def words(self) -> str:
        """Human-readable unit name."""
        return self.value.replace("_", " ")


@dataclass(frozen=True, slots=True)
class ClockRule:
    """A typed deadline rule: what starts it, how long it runs, who may extend it, and why."""

    code: str
    name: str
    start_event: str
    unit: ClockUnit
    limit: int
    basis: str
    max_extension: int = 0
    extension_approver: str | None = None
    shift_holiday_end: bool = True
    warn_before: int = 1

    def __post_init__(self) -> None:
        # Rules come from per-deployment configuration, so accept the unit as its string value.
        object.__setattr__(self, "unit", ClockUnit(self.unit))
        _require_text(self.code, "rule code")
        _require_text(self.name, f"name of rule {self.code}")
        _require_text(self.start_event, f"start event of rule {self.code}")
        _require_text(self.basis, f"basis of rule {self.code}")
        if self.limit <= 0:
            raise ValueError(f"limit of rule {self.code} must be positive, got {self.limit}")
        if self.max_extension < 0:
            raise ValueError(
                f"max_extension of rule {self.code} must be >= 0, got {self.max_extension}"
            )
        if self.warn_before < 0:
            raise ValueError(
                f"warn_before of rule {self.code} must be >= 0, got {self.warn_before}"
            )
        if self.extension_approver is not None:
            _require_text(self.extension_approver, f"extension approver of rule {self.code}")


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """Public holidays and make-up workdays (调休); weekends are non-working unless made up."""

    holidays: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()

    EMPTY: ClassVar[HolidayCalendar]

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "makeup_workdays", frozenset(self.makeup_workdays))
        clash = sorted(self.holidays & self.makeup_workdays)
        if clash:
            listed = ", ".join(d.isoformat() for d in clash)
            raise ValueError(f"dates both holiday and make-up workday: {listed}")
        # A make-up workday on a weekday is meaningless and almost certainly a typo in the data.
        weekdays = sorted(d for d in self.makeup_workdays if d.weekday() < 5)
        if weekdays:
            listed = ", ".join(d.isoformat() for d in weekdays)
            raise ValueError(f"make-up workdays must fall on a weekend: {listed}")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Sequence[str]]) -> HolidayCalendar:
        """Read `{"holidays": [...], "makeupWorkdays": [...]}` of ISO dates; ignore other keys."""
        return cls(
            holidays=_parse_dates(data, "holidays"),
            makeup_workdays=_parse_dates(data, "makeupWorkdays"),
        )

    @property
    def known_years(self) -> frozenset[int]:
        """Years for which the calendar holds any entry."""
        return frozenset(d.year for d in self.holidays | self.makeup_workdays)

    def is_working_day(self, d: date) -> bool:
        """Mon–Fri unless a holiday; Sat/Sun only if a make-up workday."""
        if d in self.holidays:
            return False
        if d.weekday() >= 5:
            return d in self.makeup_workdays
        return True

    def next_working_day(self, d: date) -> date:
        """Return `d` if it is a working day, else the first working day after it."""
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def describe(self, d: date) -> str:
        """Say why `d` is not a working day ("holiday" or "weekend")."""
        return "holiday" if d in self.holidays else "weekend"


HolidayCalendar.EMPTY = HolidayCalendar()


def _parse_dates(data: Mapping[str, Sequence[str]], key: str) -> frozenset[date]:
    """Parse the ISO dates listed under `key` (absent means none)."""
    values = data.get(key, ())
    if isinstance(values, str):
        raise ValueError(f"{key} must be a list of ISO dates, got a single string")
    parsed: set[date] = set()
    for value in values:
        try:
            parsed.add(date.fromisoformat(value))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{key}: not an ISO date: {value!r}") from exc
    return frozenset(parsed)


@dataclass(frozen=True, slots=True)
class Pause:
    """Time that does not count towards a deadline, e.g. a hearing 听证 or an appraisal 鉴定."""

    start: datetime
    end: datetime | None
    reason: str

    def __post_init__(self) -> None:
        _require_aware(self.start, "pause start")
        if self.end is not None:
            _require_aware(self.end, "pause end")
            if self.end < self.start:
                raise ValueError(
                    f"pause ends ({self.end.isoformat()}) before it starts "
                    f"({self.start.isoformat()})"
                )
        _require_text(self.reason, "pause reason")

    @property
    def is_open(self) -> bool:
        """True while the pause has not ended."""
        return self.end is None


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed deadline; `due_at` is None while an open pause suspends the clock."""

    rule_code: str
    basis: str
    started_at: datetime
    due_at: datetime | None
    unit: ClockUnit
    limit: int
    extension: int
    # Days (calendar days, also for working-day clocks) or whole hours not counted.
    paused: int
    computation: str

    @property
    def is_suspended(self) -> bool:
        """True while an open pause holds the clock."""
        return self.due_at is None

    def is_overdue(self, now: datetime, *, satisfied_at: datetime | None = None) -> bool:
        """True if the deadline passed without being satisfied in time."""
        _require_aware(now, "now")
        if self.due_at is None:
            return False
        if satisfied_at is not None:
            _require_aware(satisfied_at, "satisfied_at")
            # due_at is the first instant past the limit: done at that instant is done late.
            return satisfied_at >= self.due_at
        return now >= self.due_at

    def remaining(self, now: datetime) -> timedelta | None:
        """Time left until due (negative once overdue); None while suspended."""
        _require_aware(now, "now")
        if self.due_at is None:
            return None
        return self.due_at - now


def add_months(start: date, months: int) -> date:
    """Return the same day `months` later, clamped to the end of a shorter month."""
    index = start.year * 12 + (start.month - 1) + months
    year, month_index = divmod(index, 12)
    month = month_index + 1
    return date(year, month, min(start.day, _days_in_month(year, month)))


def _days_in_month(year: int, month: int) -> int:
    """Number of days in the given month."""
    first_of_next = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (first_of_next - date(year, month, 1)).days


def _end_of_day(d: date, tz: ZoneInfo) -> datetime:
    """Local midnight ending day `d`, in UTC."""
    return datetime.combine(d + _ONE_DAY, time(), tzinfo=tz).astimezone(UTC)


def _local(moment: datetime, tz: ZoneInfo) -> str:
    """Format an instant as local date and minute."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def _merge(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Merge overlapping spans so overlapping pauses are not counted twice."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _format_duration(span: timedelta) -> str:
    """Format a duration as hours and minutes, e.g. "2 h 30 min"."""
    minutes = int(span // timedelta(minutes=1))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def _format_skips(skipped: list[date], calendar: HolidayCalendar) -> str:
    """List skipped non-working days, eliding after the first few."""
    shown = ", ".join(
        f"{d.isoformat()} {calendar.describe(d)}" for d in skipped[:_MAX_LISTED_SKIPS]
    )
    if len(skipped) > _MAX_LISTED_SKIPS:
        shown += f", … ({len(skipped)} in all)"
    return shown


def _amount(rule: ClockRule, extension: int, paused_text: str | None) -> str:
    """Describe what is counted, e.g. "30 calendar days + 30 extension + 9 paused days"."""
    text = f"{rule.limit} {rule.unit.words}"
    if extension:
        text += f" + {extension} extension"
    if paused_text:
        text += f" + {paused_text} paused"
    return text


def _count_working_days(
    start: date, count: int, calendar: HolidayCalendar
) -> tuple[date, list[date]]:
    """Return the day on which `count` working days after `start` are reached, and the skips."""
    day = start
    counted = 0
    skipped: list[date] = []
    while counted < count:
        day += _ONE_DAY
        if calendar.is_working_day(day):
            counted += 1
        else:
            skipped.append(day)
    return day, skipped


def _calendar_gap_note(first: date, last: date, calendar: HolidayCalendar) -> str | None:
    """Warn when the counted span runs into years the holiday calendar does not cover."""
    known = calendar.known_years
    if not known:
        return None
    missing = [year for year in range(first.year, last.year + 1) if year not in known]
    if not missing:
        return None
    years = ", ".join(str(year) for year in missing)
    return f"note: holiday calendar has no entries for {years} (weekends only)"


# Counting follows 行政案件程序规定 art. 35: the start day is not counted, and a holiday on the
# last day moves the deadline to the next working day, except while the person is in custody.
def compute_deadline(
    rule: ClockRule,
    *,
    started_at: datetime,
    tz: ZoneInfo,
    calendar: HolidayCalendar,
    extension: int = 0,
    pauses: Sequence[Pause] = (),
    in_custody: bool = False,
) -> Deadline:
    """Compute when `rule`'s clock, started at `started_at`, falls due, and explain how."""
    _require_aware(started_at, "started_at")
    if extension < 0:
        raise ValueError(f"extension must be >= 0, got {extension}")
    if extension > rule.max_extension:
        if rule.max_extension == 0:
            raise ValueError(f"rule {rule.code} is not extendable (maximum extension 0)")
        raise ValueError(
            f"extension {extension} exceeds the maximum of {rule.max_extension} "
            f"{rule.unit.words} for rule {rule.code}"
        )
    for pause in pauses:
        # Time before the clock started cannot be "not counted"; such a pause is a data error.
        if pause.start < started_at:
            raise ValueError(
                f"pause {pause.reason!r} starts ({pause.start.isoformat()}) before the clock "
                f"started ({started_at.isoformat()})"
            )

    start_utc = started_at.astimezone(UTC)
    start_local = started_at.astimezone(tz)
    start_day = start_local.date()
    open_pauses = [p for p in pauses if p.end is None]
    closed = _merge([(p.start, p.end) for p in pauses if p.end is not None])
    closed_listing = ", ".join(
        f"{p.reason} {_local(p.start, tz)} → {_local(p.end, tz)}"
        for p in pauses
        if p.end is not None
    )

    steps = [f"start {start_local:%Y-%m-%d %H:%M} {tz.key} ({rule.start_event})"]
    due_at: datetime

    if rule.unit is ClockUnit.HOURS:
        paused_time = sum((end - start for start, end in closed), timedelta())
        paused = int(paused_time // _ONE_HOUR)
        paused_text = _format_duration(paused_time) if paused_time else None
        due_at = start_utc + timedelta(hours=rule.limit + extension) + paused_time
        steps.append(f"{_amount(rule, extension, paused_text)}, counted exactly")
        if closed_listing:
            steps.append(f"paused: {closed_listing}")
        due_line = f"due at {due_at.astimezone(tz).isoformat(timespec='minutes')}"
    else:
        # Day clocks count whole local days of a pause, as the days the case stood still.
        paused = sum(
            (end.astimezone(tz).date() - start.astimezone(tz).date()).days for start, end in closed
        )
        paused_text = f"{paused} days" if paused else None
        amount = _amount(rule, extension, paused_text)
        if rule.unit is ClockUnit.MONTHS:
            last_day = _months_last_day(rule, start_day, extension, paused, amount, steps)
        elif rule.unit is ClockUnit.CALENDAR_DAYS:
            last_day = _calendar_last_day(
                rule,
                start_day,
                extension + paused,
                calendar=calendar,
                in_custody=in_custody,
                amount=amount,
                steps=steps,
            )
        else:
            last_day = _working_last_day(
                rule, start_day, extension + paused, calendar, amount, steps
            )
        if closed_listing:
            steps.append(f"paused: {closed_listing}")
        if rule.unit is not ClockUnit.MONTHS:
            note = _calendar_gap_note(start_day, last_day, calendar)
            if note:
                steps.append(note)
        due_at = _end_of_day(last_day, tz)
        local_due = due_at.astimezone(tz).isoformat(timespec="minutes")
        due_line = f"due at end of {last_day.isoformat()} = {local_due}"

    due: datetime | None = due_at
    if open_pauses:
        first_open = min(open_pauses, key=lambda p: p.start)
        steps.append(
            f"suspended: {first_open.reason} open since {_local(first_open.start, tz)}; "
            "no due date until the pause ends"
        )
        due = None
    else:
        steps.append(due_line)
    steps.append(f"basis: {rule.basis}")

    return Deadline(
        rule_code=rule.code,
        basis=rule.basis,
        started_at=start_utc,
        due_at=due,
        unit=rule.unit,
        limit=rule.limit,
        extension=extension,
        paused=paused,
        computation="; ".join(steps),
    )


def _calendar_last_day(
    rule: ClockRule,
    start_day: date,
    added: int,
    *,
    calendar: HolidayCalendar,
    in_custody: bool,
    amount: str,
    steps: list[str],
) -> date:
    """Last day of a calendar-day clock, shifted off a holiday unless in custody."""
    last_day = start_day + timedelta(days=rule.limit + added)
    steps.append("start day not counted")
    steps.append(f"{amount} → last day {last_day.isoformat()}")
    if calendar.is_working_day(last_day):
        return last_day
    kind = calendar.describe(last_day)
    if not rule.shift_holiday_end:
        steps.append(f"{last_day.isoformat()} is a {kind}; this rule does not move the deadline")
        return last_day
    if in_custody:
        steps.append(f"{last_day.isoformat()} is a {kind} but the person is in custody: not moved")
        return last_day
    shifted = calendar.next_working_day(last_day)
    steps.append(
        f"{last_day.isoformat()} is a {kind} → moved to the next working day {shifted.isoformat()}"
    )
    return shifted


def _working_last_day(
    rule: ClockRule,
    start_day: date,
    added: int,
    calendar: HolidayCalendar,
    amount: str,
    steps: list[str],
) -> date:
    """Last day of a working-day clock."""
    last_day, skipped = _count_working_days(start_day, rule.limit + added, calendar)
    steps.append("start day not counted")
    text = f"{amount} → last day {last_day.isoformat()}"
    if skipped:
        text += f" (skipped {_format_skips(skipped, calendar)})"
    steps.append(text)
    return last_day


def _months_last_day(
    rule: ClockRule,
    start_day: date,
    extension: int,
    paused: int,
    amount: str,
    steps: list[str],
) -> date:
    """Last day of a month clock: the day before the same day-of-month n months later."""
    months = rule.limit + extension
    same_day = add_months(start_day, months)
    text = f"{amount} → same day {same_day.isoformat()}"
    if same_day.day != start_day.day:
        text += " (clamped to month end)"
    last_day = same_day - _ONE_DAY + timedelta(days=paused)
    text += f"; last day {last_day.isoformat()}"
    steps.append(text)
    # Month clocks bound custody-type measures, so a holiday never lengthens them.
    steps.append("no holiday shift for month clocks")
    return last_day


@dataclass(frozen=True, slots=True)
class RunningClock:
    """A deadline a unit still has to meet: not yet satisfied and not suspended.

    Aggregates list theirs (`running_clocks()`) so that one projection can warn on every clock of
    every aggregate. Windows that belong to someone else (a petitioner's or an applicant's time to
    ask for review) and periods that merely run out (a sanction's effect) are not running clocks.
    """

    key: str  # unique within its aggregate, e.g. "reply", "measure.2", "rectification.1"
    deadline: Deadline
    # The unit that must meet it; None while no unit holds the item yet (an untriaged complaint),
    # when the supervision centre that routes it answers for the clock.
    unit_code: str | None
    name: str  # what must happen, readable, e.g. "reply to the complainant"

    def __post_init__(self) -> None:
        _require_text(self.key, "clock key")
        if self.unit_code is not None:
            _require_text(self.unit_code, f"unit of clock {self.key}")
        if self.deadline.due_at is None:
            raise ValueError(f"clock {self.key} is suspended; a running clock has a due time")
