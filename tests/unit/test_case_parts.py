"""The parts of a case: transfers, jurisdiction, measures, revisits, tracking and their guards."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.case.aggregate import Case
from domain.case.status import CaseKind, CaseStage, MeasureKind
from domain.errors import ValidationFailed
from tests.unit.test_case_state_machine import (
    ALERT_AT,
    CLOCKS,
    HANDLER,
    LATER,
    SUPERVISOR,
    Setup,
    case_in,
    register,
)

S = CaseStage
SOON = LATER + timedelta(hours=1)


def only_changes(case: Case) -> set[str]:
    events = case.collect_events()
    assert len(events) == 1, [e.event_type for e in events]
    return set(events[0].changes)


def refused(case: Case, action, *, field: str, match: str | None = None) -> None:
    """`action` fails validation on `field` and records nothing."""
    case.collect_events()
    version, before = case.version, case.snapshot()
    with pytest.raises(ValidationFailed, match=match) as failure:
        action()
    assert failure.value.field == field
    assert (case.version, case.snapshot(), case.collect_events()) == (version, before, [])


def start(case: Case, label: str = "嫌疑人甲", kind: MeasureKind = MeasureKind.BAIL) -> int:
    return case.start_measure(
        kind=kind, person_label=label, started_at=LATER, at=LATER, by=HANDLER, clocks=CLOCKS
    ).number


# -- registration and stages -------------------------------------------------------------------


def test_registration_starts_at_the_alert_with_its_own_loop():
    case = register()
    (event,) = case.collect_events()
    assert (case.stage, case.version) == (S.ALERT_RECEIVED, 1)
    assert event.event_type == "case.registered"
    assert event.correlation_id == case.correlation
    assert event.changes["stage"] == {"before": None, "after": "ALERT_RECEIVED"}
    assert event.changes["externalRef"]["after"]["system"] == "JZ"
    assert event.changes["unit"] == {"before": None, "after": "FT-XS"}


def test_an_alert_from_the_future_or_a_blank_title_is_refused():
    with pytest.raises(ValidationFailed) as future:
        Case.register(
            id="x",
            kind=CaseKind.CRIMINAL,
            title="案",
            summary="",
            unit="FT",
            lead_officer=None,
            alert_received_at=ALERT_AT + timedelta(minutes=1),
            registered_at=ALERT_AT,
            correlation=register().correlation,
            by=SUPERVISOR,
        )
    assert future.value.field == "alertReceivedAt"
    with pytest.raises(ValidationFailed) as blank:
        Case.register(
            id="y",
            kind=CaseKind.CRIMINAL,
            title="  ",
            summary="",
            unit="FT",
            lead_officer=None,
            alert_received_at=ALERT_AT,
            registered_at=ALERT_AT,
            correlation=register().correlation,
            by=SUPERVISOR,
        )
    assert blank.value.field == "title"


@pytest.mark.parametrize(
    ("stage", "command"), [(S.ACCEPTED, "refuse_to_file"), (S.FILED, "withdraw")]
)
def test_not_filing_and_withdrawing_need_a_reason(stage, command):
    case = case_in(stage)
    refused(case, lambda: getattr(case, command)(reason="  ", at=LATER, by=HANDLER), field="reason")


def test_the_reason_of_a_judgement_is_kept_with_the_stage_and_on_the_event():
    case = case_in(S.FILED)
    case.withdraw(reason="  犯罪嫌疑人死亡 ", at=LATER, by=HANDLER)
    (event,) = case.collect_events()
    assert event.reason == "犯罪嫌疑人死亡"
    assert case.history[-1].reason == "犯罪嫌疑人死亡"
    assert event.changes["stage"] == {"before": "FILED", "after": "WITHDRAWN"}


# -- owning unit and jurisdiction --------------------------------------------------------------


def test_a_transfer_records_from_and_to_and_moves_the_owning_unit():
    case = case_in(S.ACCEPTED)
    case.transfer(to_unit="FT-SB", reason="案发地属沙头派出所", at=LATER, by=HANDLER)
    assert case.unit == case.owner_unit == "FT-SB"
    (transfer,) = case.transfers
    assert (transfer.from_unit, transfer.to_unit, transfer.by.subject) == (
        "FT-XS",
        "FT-SB",
        "handler-ft-xs",
    )
    assert only_changes(case) == {"unit", "transfer.1"}


def test_a_transfer_to_the_owning_unit_itself_or_without_a_reason_is_refused():
    case = case_in(S.ACCEPTED)
    refused(
        case,
        lambda: case.transfer(to_unit="FT-XS", reason="x", at=LATER, by=HANDLER),
        field="toUnitCode",
    )
    refused(
        case,
        lambda: case.transfer(to_unit="FT-SB", reason=" ", at=LATER, by=HANDLER),
        field="reason",
    )


def test_refusals_open_a_dispute_that_a_designation_ends():
    # given: the seed-000 story, three stations each denying jurisdiction
    case = case_in(S.ALERT_RECEIVED)
    case.refuse_jurisdiction(unit="FT-XS", reason="不属本所辖区", at=LATER, by=HANDLER)
    case.transfer(to_unit="FT-SB", reason="转沙头", at=LATER, by=HANDLER)
    case.refuse_jurisdiction(unit="FT-SB", reason="不属本所辖区", at=LATER, by=HANDLER)
    case.transfer(to_unit="FT-HF", reason="转华富", at=LATER, by=HANDLER)
    case.refuse_jurisdiction(unit="FT-HF", reason="不属本所辖区", at=LATER, by=HANDLER)
    case.collect_events()
    assert case.jurisdiction_disputed
    assert [r.unit for r in case.refusals] == ["FT-XS", "FT-SB", "FT-HF"]

    # when
    case.designate_jurisdiction(unit="FT-XS", reason="指定首接单位管辖", at=SOON, by=SUPERVISOR)

    # then
    assert not case.jurisdiction_disputed
    assert case.unit == "FT-XS"
    designation = case.designation
    assert designation is not None
    assert (designation.previous_unit, designation.settled_refusals) == ("FT-HF", 3)
    assert only_changes(case) == {"unit", "designation.1", "jurisdictionDisputed"}


def test_the_designated_unit_cannot_decline_but_another_refusal_reopens_the_dispute():
    case = case_in(S.ACCEPTED)
    case.refuse_jurisdiction(unit="FT-XS", reason="不属本所", at=LATER, by=HANDLER)
    case.designate_jurisdiction(unit="FT-SB", reason="指定管辖", at=LATER, by=SUPERVISOR)
    case.collect_events()
    refused(
        case,
        lambda: case.refuse_jurisdiction(unit="FT-SB", reason="仍不属本所", at=SOON, by=HANDLER),
        field="unitCode",
        match="designated",
    )
    case.refuse_jurisdiction(unit="FT-HF", reason="不属本所", at=SOON, by=HANDLER)
    assert case.jurisdiction_disputed
    assert only_changes(case) == {"refusal.2", "jurisdictionDisputed"}


# -- measures ----------------------------------------------------------------------------------


def test_measures_apply_to_criminal_cases_only():
    case = case_in(S.FILED, Setup(kind=CaseKind.ADMINISTRATIVE))
    refused(case, lambda: start(case), field="kind", match="criminal cases only")


@pytest.mark.parametrize("label", ["13812345678", "440301199001011234", "  ", "甲" * 41])
def test_a_person_is_named_by_a_short_label_never_by_an_id_or_phone_number(label):
    case = case_in(S.FILED)
    refused(case, lambda: start(case, label), field="personLabel")


def test_one_person_is_under_one_open_measure_at_a_time():
    # given
    case = case_in(S.INVESTIGATING)
    first = start(case, "嫌疑人甲", MeasureKind.CRIMINAL_DETENTION)
    refused(case, lambda: start(case, "嫌疑人甲"), field="personLabel", match="end it first")

    # when: detention ends and bail follows
    case.end_measure(number=first, ended_at=SOON, reason="变更为取保候审", at=SOON, by=HANDLER)
    case.start_measure(
        kind=MeasureKind.BAIL,
        person_label="嫌疑人甲",
        started_at=SOON,
        at=SOON,
        by=HANDLER,
        clocks=CLOCKS,
    )

    # then
    assert [(m.number, m.kind, m.is_open) for m in case.measures] == [
        (1, MeasureKind.CRIMINAL_DETENTION, False),
        (2, MeasureKind.BAIL, True),
    ]


def test_an_event_about_one_measure_changes_only_that_measure():
    case = case_in(S.FILED)
    start(case, "嫌疑人甲", MeasureKind.CRIMINAL_DETENTION)
    start(case, "嫌疑人乙", MeasureKind.CRIMINAL_DETENTION)
    case.collect_events()
    case.extend_measure(
        number=1, amount=2, reason="案情复杂", serious=False, at=SOON, by=HANDLER, clocks=CLOCKS
    )
    assert only_changes(case) == {"measure.1"}


def test_measure_commands_name_an_existing_open_measure():
    case = case_in(S.FILED)
    number = start(case, kind=MeasureKind.CRIMINAL_DETENTION)
    refused(
        case,
        lambda: case.end_measure(number=9, ended_at=SOON, reason=None, at=SOON, by=HANDLER),
        field="measureNumber",
    )
    case.end_measure(number=number, ended_at=SOON, reason=None, at=SOON, by=HANDLER)
    refused(
        case,
        lambda: case.extend_measure(
            number=number, amount=1, reason="x", serious=False, at=SOON, by=HANDLER, clocks=CLOCKS
        ),
        field="measureNumber",
        match="ended",
    )


def test_measure_times_are_checked():
    case = case_in(S.FILED)
    refused(
        case,
        lambda: case.start_measure(
            kind=MeasureKind.BAIL,
            person_label="甲",
            started_at=SOON,
            at=LATER,
            by=HANDLER,
            clocks=CLOCKS,
        ),
        field="startedAt",
        match="future",
    )
    number = start(case)
    refused(
        case,
        lambda: case.end_measure(
            number=number, ended_at=LATER - timedelta(hours=1), reason=None, at=SOON, by=HANDLER
        ),
        field="endedAt",
    )


def test_the_roving_grounds_apply_to_detention_only():
    case = case_in(S.FILED)
    number = start(case, kind=MeasureKind.RESIDENTIAL_SURVEILLANCE)
    refused(
        case,
        lambda: case.extend_measure(
            number=number, amount=1, reason="x", serious=True, at=SOON, by=HANDLER, clocks=CLOCKS
        ),
        field="rovingRepeatedOrGang",
    )


@pytest.mark.parametrize("amount", [0, -1])
def test_an_extension_is_at_least_one(amount):
    case = case_in(S.FILED)
    number = start(case, kind=MeasureKind.CRIMINAL_DETENTION)
    refused(
        case,
        lambda: case.extend_measure(
            number=number,
            amount=amount,
            reason="x",
            serious=False,
            at=SOON,
            by=HANDLER,
            clocks=CLOCKS,
        ),
        field="amount",
    )


# -- tracking and appraisal --------------------------------------------------------------------


def _track(case: Case, standard: str = "破案并追回财物") -> None:
    case.start_tracking(
        city_officer="P-XZ-001",
        sub_bureau_officer="P-FT-001",
        station_officer="P-FT-XS-001",
        closing_standard=standard,
        at=LATER,
        by=SUPERVISOR,
    )


def test_tracking_runs_once_at_a_time_and_closes_with_a_note():
    # given
    case = case_in(S.INVESTIGATING)
    _track(case)
    refused(case, lambda: _track(case), field="closingStandard", match="already")
    refused(case, lambda: case.close_tracking(note=" ", at=SOON, by=SUPERVISOR), field="note")

    # when
    case.close_tracking(note="已破案，财物已追回", at=SOON, by=SUPERVISOR)
    _track(case, "起诉")

    # then
    assert [(t.closing_standard, t.is_open) for t in case.trackings] == [
        ("破案并追回财物", False),
        ("起诉", True),
    ]
    tracking = case.tracking
    assert tracking is not None
    assert (tracking.city_officer, tracking.sub_bureau_officer, tracking.station_officer) == (
        "P-XZ-001",
        "P-FT-001",
        "P-FT-XS-001",
    )


def test_closing_a_tracking_that_never_started_is_refused():
    case = case_in(S.ACCEPTED)
    refused(case, lambda: case.close_tracking(note="x", at=SOON, by=SUPERVISOR), field="note")


def test_one_appraisal_at_a_time():
    case = case_in(S.ACCEPTED, Setup(kind=CaseKind.ADMINISTRATIVE))
    refused(case, lambda: case.end_appraisal(at=SOON, by=HANDLER, clocks=CLOCKS), field="id")
    case.start_appraisal(reason="价格鉴定", at=LATER, by=HANDLER, clocks=CLOCKS)
    refused(
        case,
        lambda: case.start_appraisal(reason="再次鉴定", at=SOON, by=HANDLER, clocks=CLOCKS),
        field="reason",
    )
