"""Pattern warnings: the injected clock moves across each rule's thresholds."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from domain.actor import Actor, Role
from domain.case.status import MeasureKind
from domain.clock import MovableClock
from domain.complaint.status import Satisfaction
from domain.errors import ValidationFailed
from service import case as cases
from service import complaints
from service import warning as warnings_service
from service.context import Runtime
from tests.api.test_case_support import accepted, filed, handler, investigating, registered
from tests.integration.support import SUPERVISOR, call, register
from tests.integration.warning_support import drain, open_warnings, scan, warnings

OFFICER = "P-FT-XS-001"


async def _change_levels(
    runtime: Runtime, code: str, levels: dict[str, float], **params: object
) -> None:
    from tests.integration.warning_support import rule

    found = await rule(runtime, code)
    await warnings_service.change_rule(
        call(runtime, SUPERVISOR),
        code,
        found.version,
        warnings_service.ChangeRule(
            reason="test thresholds", levels=levels, params={**found.params, **params} or None
        ),
    )


async def test_complaints_against_one_officer_raise_then_rise_then_age_out(
    runtime: Runtime, clock: MovableClock
) -> None:
    for n in range(2):
        await register(runtime, complained_officers=(OFFICER,), complainant_phone=f"1390000000{n}")
        clock.advance(timedelta(days=1))
    await drain(runtime)
    assert await open_warnings(runtime, "OFFICER_COMPLAINTS") == []

    await register(runtime, complained_officers=(OFFICER,), complainant_phone="13900000002")
    await drain(runtime)
    (blue,) = await open_warnings(runtime, "OFFICER_COMPLAINTS")
    assert (blue.level, blue.subject_key, blue.measure) == ("BLUE", f"officer:{OFFICER}", 3)
    assert len(blue.facts["items"]) == 3
    # Goes to the unit above the officer's station: the station may not see complaints about it.
    assert blue.unit_code == "FT"

    for n in range(2):
        await register(runtime, complained_officers=(OFFICER,), complainant_phone=f"1390000001{n}")
    await drain(runtime)
    (orange,) = await open_warnings(runtime, "OFFICER_COMPLAINTS")
    assert (orange.id, orange.level) == (blue.id, "ORANGE")

    # Ninety days on, the window holds none of them: the scheduled scan resolves it.
    clock.advance(timedelta(days=91))
    assert (await scan(runtime, "OFFICER_COMPLAINTS")).resolved == 1
    assert await open_warnings(runtime, "OFFICER_COMPLAINTS") == []


async def test_complaints_against_one_unit(runtime: Runtime, clock: MovableClock) -> None:
    await _change_levels(runtime, "UNIT_COMPLAINTS", {"BLUE": 2, "RED": 3})
    for n in range(2):
        await register(runtime, complained_units=("FT-SB",), complainant_phone=f"1380000000{n}")
    await drain(runtime)
    (blue,) = await open_warnings(runtime, "UNIT_COMPLAINTS")
    assert (blue.subject_key, blue.level, blue.unit_code) == ("unit:FT-SB", "BLUE", "FT")
    await register(runtime, complained_units=("FT-SB",), complainant_phone="13800000009")
    await drain(runtime)
    (red,) = await open_warnings(runtime, "UNIT_COMPLAINTS")
    assert red.level == "RED"


async def test_one_person_through_several_channels(runtime: Runtime, clock: MovableClock) -> None:
    phone = "13700001234"
    await register(runtime, channel="ONLINE", complainant_phone=phone)
    await register(runtime, channel="ONLINE", complainant_phone=phone)
    await drain(runtime)
    # Two complaints, one channel: not yet.
    assert await open_warnings(runtime, "REPEAT_COMPLAINANT") == []
    first = await warnings(runtime, "REPEAT_COMPLAINANT")
    assert first == []
    clock.advance(timedelta(hours=2))
    await register(runtime, channel="HOTLINE_12345", complainant_phone=phone)
    await drain(runtime)
    (orange,) = await open_warnings(runtime, "REPEAT_COMPLAINANT")
    assert orange.level == "ORANGE"
    assert orange.measure == 3
    assert phone not in orange.subject_key
    assert phone not in orange.explanation
    assert "HOTLINE_12345" in orange.explanation
    clock.advance(timedelta(days=31))
    assert (await scan(runtime, "REPEAT_COMPLAINANT")).resolved == 1


async def _called_back(runtime: Runtime, satisfaction: Satisfaction, phone: str) -> None:
    station = Actor(subject="handler-ft-hf", role=Role.HANDLER, unit="FT-HF")
    complaint = await register(runtime, complainant_phone=phone)
    c = await complaints.triage(
        call(runtime),
        UUID(complaint.id),
        complaint.version,
        category_code="ENF_INACTION",
        unit_code="FT-HF",
        line_unit_code="SZ-DC",
        importance=None,
    )
    c = await complaints.start_handling(call(runtime, station), UUID(c.id), c.version)
    c = await complaints.reply(call(runtime, station), UUID(c.id), c.version, text="已处理")
    await complaints.record_callback(
        call(runtime), UUID(c.id), c.version, satisfaction=satisfaction, note=None
    )


async def test_a_unit_whose_satisfaction_falls(runtime: Runtime, clock: MovableClock) -> None:
    for n in range(4):
        await _called_back(runtime, Satisfaction.SATISFIED, f"1360000000{n}")
    await _called_back(runtime, Satisfaction.DISSATISFIED, "13600000009")
    await drain(runtime)
    (blue,) = await open_warnings(runtime, "UNIT_SATISFACTION")  # 80% ≤ 85%
    assert (blue.subject_key, blue.level, blue.measure) == ("unit:FT-HF", "BLUE", 80.0)
    await _called_back(runtime, Satisfaction.DISSATISFIED, "13600000019")
    await drain(runtime)
    (orange,) = await open_warnings(runtime, "UNIT_SATISFACTION")  # 4 of 6 = 66.7% ≤ 75%
    assert orange.level == "ORANGE"
    for n in range(14):
        await _called_back(runtime, Satisfaction.SATISFIED, f"135000000{n:02d}")
    await drain(runtime)
    # 18 of the last 20 satisfied: 90%, above every threshold.
    assert await open_warnings(runtime, "UNIT_SATISFACTION") == []


async def test_an_alert_not_accepted(runtime: Runtime, clock: MovableClock) -> None:
    case = await registered(runtime)
    clock.advance(timedelta(hours=23))
    assert (await scan(runtime, "ALERT_NOT_ACCEPTED")).raised == 0
    clock.advance(timedelta(hours=1))
    assert (await scan(runtime, "ALERT_NOT_ACCEPTED")).raised == 1
    clock.advance(timedelta(hours=48))
    await scan(runtime, "ALERT_NOT_ACCEPTED")
    (red,) = await open_warnings(runtime, "ALERT_NOT_ACCEPTED")
    assert red.level == "RED"
    assert red.correlation_id == case.correlation_id
    await cases.accept(call(runtime, handler(case.unit)), UUID(case.id), case.version)
    await drain(runtime)
    assert await open_warnings(runtime, "ALERT_NOT_ACCEPTED") == []
    (resolved,) = await warnings(runtime, "ALERT_NOT_ACCEPTED")
    assert resolved.status == "RESOLVED"


@pytest.mark.parametrize(
    ("code", "build", "days"),
    [
        ("NOT_FILED", accepted, 7),
        ("FILED_NO_ACTIVITY", filed, 7),
        ("LONG_INVESTIGATION", investigating, 180),
    ],
)
async def test_case_stage_patterns(
    runtime: Runtime, clock: MovableClock, code: str, build: object, days: int
) -> None:
    await build(runtime)  # type: ignore[operator]
    clock.advance(timedelta(days=days) - timedelta(minutes=1))
    assert (await scan(runtime, code)).raised == 0
    clock.advance(timedelta(minutes=1))
    assert (await scan(runtime, code)).raised == 1
    (blue,) = await open_warnings(runtime, code)
    assert blue.level == "BLUE"


async def test_detention_past_its_limit(runtime: Runtime, clock: MovableClock) -> None:
    from tests.api.test_case_support import with_measure

    case = await with_measure(runtime, MeasureKind.CRIMINAL_DETENTION)
    measure = case.measures[0]
    assert measure.deadline is not None
    assert measure.deadline.due_at is not None
    clock.set(measure.deadline.due_at - timedelta(hours=12))
    await scan(runtime, "DETENTION_OVERDUE")
    (orange,) = await open_warnings(runtime, "DETENTION_OVERDUE")
    assert orange.level == "ORANGE"
    clock.set(measure.deadline.due_at)
    await scan(runtime, "DETENTION_OVERDUE")
    (red,) = await open_warnings(runtime, "DETENTION_OVERDUE")
    # Raised before the limit, it was due by the limit; turning red never moves that later.
    assert red.level == "RED"
    assert red.id == orange.id
    assert red.due_by == measure.deadline.due_at


async def test_bail_near_its_limit(runtime: Runtime, clock: MovableClock) -> None:
    from tests.api.test_case_support import with_measure

    case = await with_measure(runtime, MeasureKind.BAIL)
    due = case.measures[0].deadline.due_at  # type: ignore[union-attr]
    assert due is not None
    clock.set(due - timedelta(days=31))
    assert (await scan(runtime, "MEASURE_NEAR_LIMIT")).raised == 0
    clock.set(due - timedelta(days=30))
    await scan(runtime, "MEASURE_NEAR_LIMIT")
    clock.set(due - timedelta(days=7))
    await scan(runtime, "MEASURE_NEAR_LIMIT")
    (red,) = await open_warnings(runtime, "MEASURE_NEAR_LIMIT")
    assert red.level == "RED"
    await cases.end_measure(
        call(runtime, handler(case.unit)),
        UUID(case.id),
        case.version,
        number=1,
        ended_at=None,
        reason="变更强制措施",
    )
    await drain(runtime)
    assert await open_warnings(runtime, "MEASURE_NEAR_LIMIT") == []


async def test_withdrawal_soon_after_filing_without_legal_review(
    runtime: Runtime, clock: MovableClock
) -> None:
    from domain.review.status import OriginType, ReviewKind
    from service import review
    from service.review import OpenReview

    case = await filed(runtime)
    clock.advance(timedelta(days=2))
    await cases.withdraw(
        call(runtime, handler(case.unit)), UUID(case.id), case.version, reason="当事人和解"
    )
    await drain(runtime)
    (red,) = await open_warnings(runtime, "IMPROPER_WITHDRAWAL")
    assert red.level == "RED"
    assert red.measure == 2.0
    await review.open_review(
        call(runtime),
        OpenReview(
            kind=ReviewKind.LEGAL_REVIEW,
            subject="撤案法制审核",
            unit_code="SZ-FZ",
            origin_type=OriginType.CASE,
            origin_id=case.id,
        ),
    )
    await drain(runtime)
    assert await open_warnings(runtime, "IMPROPER_WITHDRAWAL") == []


async def test_a_unit_far_above_its_peers(runtime: Runtime, clock: MovableClock) -> None:
    for n in range(3):
        await register(runtime, complained_units=("FT-XS",), complainant_phone=f"1330000000{n}")
    await register(runtime, complained_units=("FT-SB",), complainant_phone="13300000009")
    outcome = await scan(runtime, "PEER_OUTLIER_UNIT")
    assert outcome.raised == 1
    (found,) = await open_warnings(runtime, "PEER_OUTLIER_UNIT")
    # Eight stations, four complaints: a mean of 0.5; FT-XS has 3, six times it.
    assert found.subject_key == "unit:FT-XS"
    assert found.level == "RED"
    assert found.measure == 6
    assert "8 station peers" in found.explanation


async def test_rules_refuse_an_indicator_evaluation_must_not_use(runtime: Runtime) -> None:
    from tests.integration.warning_support import rule

    found = await rule(runtime, "PEER_OUTLIER_UNIT")
    async with runtime.engine.connect() as conn:
        from sqlalchemy import text

        code = await conn.scalar(text("SELECT code FROM evaluation_forbidden_indicator LIMIT 1"))
    with pytest.raises(ValidationFailed, match="must not use"):
        await warnings_service.change_rule(
            call(runtime, SUPERVISOR),
            "PEER_OUTLIER_UNIT",
            found.version,
            warnings_service.ChangeRule(reason="try", params={**found.params, "measure": code}),
        )
