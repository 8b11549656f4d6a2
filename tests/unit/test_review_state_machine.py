"""The review's state machine: every (kind, chain, state, command) triple, allowed or refused."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.errors import InvalidTransition, ValidationFailed
from domain.review.aggregate import CriterionScore, Origin, Review
from domain.review.status import (
    TRANSITIONS,
    FindingNature,
    FindingResult,
    OriginType,
    Rating,
    ReviewKind,
    ReviewStatus,
)
from tests.unit.test_review_builders import (
    AT,
    CLOCKS,
    FIVE_LEVELS,
    HOLDERS,
    concluded,
    in_signoff,
    inspection,
    later,
    opened,
    sign_all,
)

S = ReviewStatus
K = ReviewKind

FOLLOW_UP = {
    "add rectification",
    "report rectification done",
    "close off rectification",
    "return rectification",
    "report rectification recurrence",
    "issue recommendation",
    "record recommendation response",
}
COMMANDS = [
    "assign verifiers",
    "add evidence",
    "record finding",
    "record evaluation",
    *sorted(FOLLOW_UP),
    "start sign-off",
    "approve step",
    "return step",
    "close",
]

# The rules as the centre states them, written out rather than derived from the code:
# a verification signs its finding, an evaluation its scores, a legal review is concluded by its
# chain; a kind with a chain closes only once signed off; follow-up items run from the conclusion
# until closing; the file may be corrected until the chain's first step is signed.
VERIFY = {"assign verifiers", "add evidence"}
EXPECTED: dict[tuple[ReviewKind, bool], dict[ReviewStatus, set[str]]] = {
    (K.VERIFICATION, True): {
        S.OPEN: VERIFY,
        S.VERIFYING: VERIFY | {"record finding"},
        S.CONCLUDED: {"add evidence", "record finding", "start sign-off"} | FOLLOW_UP,
        S.IN_SIGNOFF: {"add evidence", "record finding", "approve step", "return step"} | FOLLOW_UP,
        S.SIGNED_OFF: FOLLOW_UP | {"close"},
        S.CLOSED: set(),
    },
    (K.VERIFICATION, False): {
        S.OPEN: VERIFY,
        S.VERIFYING: VERIFY | {"record finding"},
        S.CONCLUDED: {"add evidence", "record finding", "close"} | FOLLOW_UP,
        S.CLOSED: set(),
    },
    (K.CASE_QUALITY_EVALUATION, False): {
        S.OPEN: VERIFY | {"record evaluation"},
        S.VERIFYING: VERIFY | {"record evaluation"},
        S.CONCLUDED: {"add evidence", "record evaluation", "close"} | FOLLOW_UP,
        S.CLOSED: set(),
    },
    (K.CASE_QUALITY_EVALUATION, True): {
        S.OPEN: VERIFY | {"record evaluation"},
        S.VERIFYING: VERIFY | {"record evaluation"},
        S.CONCLUDED: {"add evidence", "record evaluation", "start sign-off"} | FOLLOW_UP,
        S.IN_SIGNOFF: {"add evidence", "record evaluation", "approve step", "return step"}
        | FOLLOW_UP,
        S.SIGNED_OFF: FOLLOW_UP | {"close"},
        S.CLOSED: set(),
    },
    (K.LEGAL_REVIEW, True): {
        S.OPEN: VERIFY | {"start sign-off"},
        S.VERIFYING: VERIFY | {"start sign-off"},
        S.IN_SIGNOFF: {"add evidence", "approve step", "return step"} | FOLLOW_UP,
        S.SIGNED_OFF: FOLLOW_UP | {"close"},
        S.CLOSED: set(),
    },
}
CASES = [
    (kind, chain, status, command)
    for (kind, chain), table in EXPECTED.items()
    for status in table
    for command in COMMANDS
]


def _id(case: tuple[ReviewKind, bool, ReviewStatus, str]) -> str:
    kind, chain, status, command = case
    return f"{kind.value}{'' if chain else '-nochain'}-{status.value}-{command.replace(' ', '_')}"


# -- bringing a review to a state, with the item a command needs -------------------------------------


def _rectification(review: Review) -> None:
    review.add_rectification(
        owner_unit="FT-XS",
        verifying_unit="SZ-DC",
        requirement="建立首接责任制",
        due_date=None,
        watch_days=30,
        clocks=CLOCKS,
        at=AT,
    )


def _done(review: Review) -> None:
    _rectification(review)
    review.report_rectification_done(no=1, note="已整改", at=AT)


def _closed_off(review: Review) -> None:
    _done(review)
    review.close_off_rectification(no=1, by_unit="SZ-DC", comment=None, clocks=CLOCKS, at=AT)


def _letter(review: Review) -> None:
    review.issue_recommendation(unit="FT", content="建议明确指定管辖规则", clocks=CLOCKS, at=AT)


PREPARE: dict[str, Callable[[Review], None]] = {
    "report rectification done": _rectification,
    "close off rectification": _done,
    "return rectification": _done,
    "report rectification recurrence": _closed_off,
    "record recommendation response": _letter,
}


def reach(kind: ReviewKind, chain: bool, status: ReviewStatus, command: str) -> Review:
    """A review of `kind` in `status`, holding the item `command` acts on where items may exist."""
    review = opened(kind, plan=FIVE_LEVELS if chain else ())
    prepare = PREPARE.get(command, lambda r: None)
    if status is S.OPEN:
        return review
    if status is S.VERIFYING:
        review.assign_verifiers(officers=("P-JDZX-001",), at=AT)
        review.add_evidence(description="询问笔录", attachment_sha256=None, at=AT)
        return review
    if kind is K.LEGAL_REVIEW:
        in_signoff(review)
    else:
        concluded(review)
    if status is not S.CLOSED:
        prepare(review)
    if status in {S.CONCLUDED, S.IN_SIGNOFF} and review.status is status:
        return review
    if status is S.IN_SIGNOFF:
        review.start_signoff(holders=HOLDERS, at=AT)
        return review
    if chain:
        if review.status is S.CONCLUDED:
            review.start_signoff(holders=HOLDERS, at=AT)
        sign_all(review)
    if status is S.CLOSED:
        review.close(at=AT)
    assert review.status is status
    return review


def run(review: Review, command: str) -> None:
    """Run `command` with valid arguments."""
    match command:
        case "assign verifiers":
            review.assign_verifiers(officers=("P-DC-001",), at=AT)
        case "add evidence":
            review.add_evidence(description="补充证据", attachment_sha256=None, at=AT)
        case "record finding":
            review.record_finding(
                result=FindingResult.SUBSTANTIATED,
                nature=FindingNature.FLAW,
                summary="属实",
                at=AT,
            )
        case "record evaluation":
            review.record_evaluation(
                scores=(CriterionScore("FILING", 20, 20),),
                rating=Rating.EXCELLENT,
                note="规范",
                at=AT,
            )
        case "add rectification":
            _rectification(review)
        case "report rectification done":
            review.report_rectification_done(no=1, note="已整改完毕", at=AT)
        case "close off rectification":
            review.close_off_rectification(
                no=1, by_unit="SZ-DC", comment="验收合格", clocks=CLOCKS, at=AT
            )
        case "return rectification":
            review.return_rectification(no=1, by_unit="SZ-DC", comment="整改不到位", at=AT)
        case "report rectification recurrence":
            review.report_rectification_recurrence(
                no=1, note="问题反弹", due_date=None, clocks=CLOCKS, at=later(1)
            )
        case "issue recommendation":
            _letter(review)
        case "record recommendation response":
            review.record_recommendation_response(no=1, response="已建立制度", at=AT)
        case "start sign-off":
            review.start_signoff(holders=HOLDERS, at=AT)
        case "approve step" | "return step":
            step = review.current_step()
            review.sign_step(
                step_no=step.step_no if step else 1,
                approve=command == "approve step",
                comment="材料不全" if command == "return step" else None,
                signer=step.holder if step else HOLDERS[1],
                at=AT,
            )
        case "close":
            review.close(at=AT)
        case _:
            raise AssertionError(command)


# -- every triple ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "chain", "status", "command"), CASES, ids=map(_id, CASES))
def test_each_command_is_allowed_exactly_where_the_rules_say(kind, chain, status, command):
    # given
    review = reach(kind, chain, status, command)
    review.collect_events()
    version = review.version

    # when / then
    if command in EXPECTED[(kind, chain)][status]:
        run(review, command)
        events = review.collect_events()
        assert review.version == version + 1
        assert [e.aggregate_version for e in events] == [version + 1]
        assert events[0].event_type.startswith("review.")
    else:
        with pytest.raises(InvalidTransition) as refused:
            run(review, command)
        assert refused.value.current == status
        assert review.version == version
        assert review.collect_events() == []


def test_the_transition_table_covers_every_state():
    assert set(TRANSITIONS) == set(ReviewStatus)
    assert TRANSITIONS[S.CLOSED] == {}


def test_available_commands_match_the_expected_table_for_every_reachable_state():
    for (kind, chain), table in EXPECTED.items():
        for status, allowed in table.items():
            review = reach(kind, chain, status, "close")
            names = set(review.available())
            names = {"approve step" if n == "approve last step" else n for n in names}
            assert names == allowed, (kind, chain, status)


def test_a_refusal_names_the_states_that_could_come_next():
    # given
    review = opened()

    # when
    with pytest.raises(InvalidTransition) as refused:
        review.close(at=AT)

    # then
    assert refused.value.current == "OPEN"
    assert refused.value.attempted == "close"
    assert refused.value.allowed == ("OPEN", "VERIFYING")


# -- opening -----------------------------------------------------------------------------------------


def test_opening_records_one_event_with_the_origin_and_the_inherited_loop():
    # given
    review = opened()

    # when
    (event,) = review.collect_events()

    # then
    assert event.event_type == "review.opened"
    assert event.aggregate_version == 1
    assert event.correlation_id == review.correlation
    assert event.owner_unit == "FT"
    assert event.changes["status"] == {"before": None, "after": "OPEN"}
    assert event.changes["origin"]["after"]["type"] == "complaint"
    assert len(event.changes["signoffPlan"]["after"]) == 5


def test_an_inspection_needs_a_method_and_a_description_and_has_no_item():
    # given
    review = inspection()

    # then
    assert review.origin.id is None
    assert review.origin.description == "巡查发现治安案件降格处理"
    with pytest.raises(ValidationFailed) as missing:
        Review.open(
            id="R-x",
            kind=K.VERIFICATION,
            subject="飞行临检",
            unit="FT",
            origin=Origin(type=OriginType.INSPECTION, description="  "),
            correlation=review.correlation,
            plan=(),
            at=AT,
        )
    assert missing.value.field == "inspection"


def test_an_item_origin_must_name_the_item():
    with pytest.raises(ValidationFailed) as missing:
        Review.open(
            id="R-y",
            kind=K.VERIFICATION,
            subject="倒查",
            unit="FT",
            origin=Origin(type=OriginType.CASE),
            correlation=opened().correlation,
            plan=(),
            at=AT,
        )
    assert missing.value.field == "originId"


def test_a_legal_review_cannot_open_without_a_configured_chain():
    with pytest.raises(ValidationFailed) as refused:
        opened(K.LEGAL_REVIEW, plan=())
    assert refused.value.field == "kind"


def test_the_subject_must_not_be_blank():
    with pytest.raises(ValidationFailed) as refused:
        Review.open(
            id="R-z",
            kind=K.VERIFICATION,
            subject="   ",
            unit="FT",
            origin=Origin(type=OriginType.COMPLAINT, id="c-1"),
            correlation=opened().correlation,
            plan=(),
            at=AT,
        )
    assert refused.value.field == "subject"


# -- verification and evaluation ---------------------------------------------------------------------


def test_a_finding_rests_on_evidence():
    # given
    review = opened()
    review.assign_verifiers(officers=("P-JDZX-001",), at=AT)

    # when
    with pytest.raises(ValidationFailed) as refused:
        run(review, "record finding")

    # then
    assert refused.value.field == "evidence"
    assert review.status is S.VERIFYING


@pytest.mark.parametrize(
    ("result", "nature", "valid"),
    [
        (FindingResult.SUBSTANTIATED, FindingNature.FAULT, True),
        (FindingResult.SUBSTANTIATED, FindingNature.FLAW, True),
        (FindingResult.SUBSTANTIATED, FindingNature.NONE, False),
        (FindingResult.PARTLY_SUBSTANTIATED, FindingNature.FAULT, True),
        (FindingResult.PARTLY_SUBSTANTIATED, FindingNature.NONE, False),
        (FindingResult.NOT_SUBSTANTIATED, FindingNature.NONE, True),
        (FindingResult.NOT_SUBSTANTIATED, FindingNature.FLAW, False),
        (FindingResult.NOT_SUBSTANTIATED, FindingNature.FAULT, False),
    ],
)
def test_the_nature_of_a_finding_agrees_with_its_result(result, nature, valid):
    # given
    review = opened()
    review.assign_verifiers(officers=("P-JDZX-001",), at=AT)
    review.add_evidence(description="监控录像", attachment_sha256=None, at=AT)

    # when
    def record() -> None:
        review.record_finding(result=result, nature=nature, summary="核查情况", at=AT)

    # then
    if valid:
        record()
        assert review.finding is not None
        assert review.finding.nature is nature
    else:
        with pytest.raises(ValidationFailed) as refused:
            record()
        assert refused.value.field == "nature"


def test_assigning_verifiers_replaces_the_list_and_drops_repeats():
    # given
    review = opened()

    # when
    review.assign_verifiers(officers=("P-DC-001", "P-DC-001", " P-JDZX-001 "), at=AT)
    review.assign_verifiers(officers=("P-JDZX-002",), at=AT)

    # then
    assert review.verifiers == ("P-JDZX-002",)
    with pytest.raises(ValidationFailed):
        review.assign_verifiers(officers=(" ",), at=AT)


@pytest.mark.parametrize(
    ("digest", "stored"),
    [(None, None), ("AB" * 32, "ab" * 32), ("  ", None)],
)
def test_an_attachment_is_named_by_its_sha256(digest, stored):
    # given
    review = opened()

    # when
    item = review.add_evidence(description="笔录", attachment_sha256=digest, at=AT)

    # then
    assert item.attachment_sha256 == stored
    assert item.no == 1


@pytest.mark.parametrize("digest", ["abc", "g" * 64, "ab" * 33])
def test_anything_else_is_not_an_attachment_digest(digest):
    with pytest.raises(ValidationFailed) as refused:
        opened().add_evidence(description="笔录", attachment_sha256=digest, at=AT)
    assert refused.value.field == "attachmentSha256"


@pytest.mark.parametrize(
    "scores",
    [
        (),
        (CriterionScore("A", 11, 10),),
        (CriterionScore("A", -1, 10),),
        (CriterionScore("A", 0, 0),),
        (CriterionScore("A", 5, 10), CriterionScore("A", 5, 10)),
        (CriterionScore(" ", 5, 10),),
    ],
)
def test_an_evaluation_scores_each_criterion_once_within_its_maximum(scores):
    with pytest.raises(ValidationFailed):
        opened(K.CASE_QUALITY_EVALUATION, plan=()).record_evaluation(
            scores=scores, rating=Rating.QUALIFIED, note=None, at=AT
        )


def test_an_evaluation_keeps_its_scores_and_totals():
    # given
    review = concluded(opened(K.CASE_QUALITY_EVALUATION, plan=()))

    # then
    assert review.evaluation is not None
    assert review.evaluation.total == 45
    assert review.evaluation.max_total == 50
    assert review.evaluation.rating is Rating.QUALIFIED


def test_closing_records_when_and_ends_the_review():
    # given
    review = sign_all(in_signoff(opened()))

    # when
    review.close(at=later(2))

    # then
    assert review.status is S.CLOSED
    assert review.closed_at == later(2)
    assert review.available() == {}
