"""The legal sign-off chain (五级审核): holders, order, holder-only signing, returns and rounds."""

from __future__ import annotations

import pytest

from domain.errors import Forbidden, InvalidTransition, ValidationFailed
from domain.review.status import (
    FindingNature,
    FindingResult,
    Responsibility,
    ReviewKind,
    ReviewStatus,
    StepDecision,
)
from tests.unit.test_review_builders import (
    AT,
    HOLDERS,
    concluded,
    in_signoff,
    later,
    opened,
    sign_all,
)

S = ReviewStatus
D = StepDecision


def _approve(review, step_no: int, *, signer: str | None = None, at=AT):
    return review.sign_step(
        step_no=step_no,
        approve=True,
        comment=None,
        signer=signer if signer is not None else HOLDERS[step_no],
        at=at,
    )


def _return(review, step_no: int, comment: str | None = "证据不足，补充询问笔录", at=AT):
    return review.sign_step(
        step_no=step_no, approve=False, comment=comment, signer=HOLDERS[step_no], at=at
    )


def _decisions(review, round_no: int) -> list[StepDecision]:
    return [s.decision for s in review.steps if s.round == round_no]


# -- starting ----------------------------------------------------------------------------------------


def test_starting_gives_every_step_its_holder_and_waits_for_the_first():
    # given
    review = concluded(opened())

    # when
    review.start_signoff(holders=HOLDERS, at=AT)

    # then
    assert review.status is S.IN_SIGNOFF
    assert review.signoff_round == 1
    assert [(s.step_no, s.role_tag, s.holder) for s in review.current_steps()] == [
        (1, "HANDLING_OFFICER", "P-FT-XS-001"),
        (2, "UNIT_LEADER", "P-FT-001"),
        (3, "LEGAL_SUPERVISOR", "P-FZ-001"),
        (4, "LEGAL_OFFICER", "P-ZA-001"),
        (5, "BUREAU_LEADER", "P-JDZX-001"),
    ]
    assert _decisions(review, 1) == [D.PENDING] * 5
    current = review.current_step()
    assert current is not None
    assert current.step_no == 1


def test_the_steps_carry_the_share_of_fault_each_role_bears():
    # given
    review = in_signoff(opened())

    # then: 办案人, 审核人 ×3, 审批人
    assert [s.responsibility for s in review.current_steps()] == [
        Responsibility.HANDLER,
        Responsibility.REVIEWER,
        Responsibility.REVIEWER,
        Responsibility.REVIEWER,
        Responsibility.APPROVER,
    ]


@pytest.mark.parametrize(
    "holders",
    [
        {1: "A", 2: "B", 3: "C", 4: "D"},  # a step without a holder
        {1: "A", 2: "B", 3: "C", 4: "D", 5: "E", 6: "F"},  # a step the chain does not have
        {1: "A", 2: "B", 3: "C", 4: "D", 5: "A"},  # one officer on two steps
        {1: "A", 2: "B", 3: "C", 4: "D", 5: " "},  # a blank holder
    ],
)
def test_each_step_needs_its_own_holder(holders):
    # given
    review = concluded(opened())

    # when
    with pytest.raises(ValidationFailed) as refused:
        review.start_signoff(holders=holders, at=AT)

    # then
    assert refused.value.field == "holders"
    assert review.status is S.CONCLUDED


# -- order and holders ---------------------------------------------------------------------------------


def test_steps_are_approved_in_order_until_the_last_signs_it_off():
    # given
    review = in_signoff(opened())
    review.collect_events()

    # when
    for step_no in range(1, 6):
        _approve(review, step_no, at=later(step_no))

    # then
    assert review.status is S.SIGNED_OFF
    assert review.signed_off_at == later(5)
    assert review.current_step() is None
    assert _decisions(review, 1) == [D.APPROVED] * 5
    assert [s.signed_at for s in review.current_steps()] == [later(n) for n in range(1, 6)]
    events = review.collect_events()
    assert [e.event_type for e in events] == ["review.step_approved"] * 4 + ["review.signed_off"]
    assert [e.data["roleTag"] for e in events] == [
        t
        for t in (
            "HANDLING_OFFICER",
            "UNIT_LEADER",
            "LEGAL_SUPERVISOR",
            "LEGAL_OFFICER",
            "BUREAU_LEADER",
        )
    ]


@pytest.mark.parametrize("skipped_to", [2, 3, 5])
def test_a_later_step_cannot_sign_before_the_current_one(skipped_to):
    # given
    review = in_signoff(opened())
    version = review.version

    # when
    with pytest.raises(ValidationFailed) as refused:
        _approve(review, skipped_to)

    # then
    assert refused.value.field == "stepNo"
    assert "step 1" in refused.value.message
    assert review.version == version


def test_a_signed_step_cannot_be_signed_again():
    # given
    review = in_signoff(opened())
    _approve(review, 1)

    # when
    with pytest.raises(ValidationFailed) as refused:
        _approve(review, 1)

    # then
    assert refused.value.field == "stepNo"


@pytest.mark.parametrize("signer", ["P-FZ-001", "P-JDZX-001", None])
def test_only_the_holder_of_the_step_may_sign_it(signer):
    # given: step 1 is held by P-FT-XS-001
    review = in_signoff(opened())
    version = review.version

    # when
    with pytest.raises(Forbidden):
        review.sign_step(step_no=1, approve=True, comment=None, signer=signer, at=AT)
    with pytest.raises(Forbidden):
        review.sign_step(step_no=1, approve=False, comment="退回", signer=signer, at=AT)

    # then
    assert review.version == version
    assert _decisions(review, 1) == [D.PENDING] * 5


def test_the_holder_of_a_later_step_cannot_sign_the_current_one():
    # given
    review = in_signoff(opened())
    _approve(review, 1)

    # when / then: step 2 is next; its holder is P-FT-001, not the bureau leader
    with pytest.raises(Forbidden):
        _approve(review, 2, signer=HOLDERS[5])


def test_no_step_can_be_signed_outside_the_chain():
    # given
    review = concluded(opened())

    # then
    with pytest.raises(InvalidTransition):
        _approve(review, 1)
    signed = sign_all(in_signoff(opened()))
    with pytest.raises(InvalidTransition):
        _approve(signed, 5)


# -- returns -----------------------------------------------------------------------------------------


def test_a_return_needs_a_comment():
    # given
    review = in_signoff(opened())
    _approve(review, 1)

    # when
    with pytest.raises(ValidationFailed) as refused:
        _return(review, 2, comment="  ")

    # then
    assert refused.value.field == "comment"
    assert review.signoff_round == 1


def test_a_return_ends_the_round_and_starts_again_at_step_one_with_the_same_holders():
    # given
    review = in_signoff(opened())
    _approve(review, 1)
    _approve(review, 2)
    review.collect_events()

    # when: the legal supervisor (step 3) returns it
    _return(review, 3, comment="证据不足，补充询问笔录", at=later(1))

    # then
    assert review.status is S.IN_SIGNOFF
    assert review.signoff_round == 2
    assert _decisions(review, 1) == [
        D.APPROVED,
        D.APPROVED,
        D.RETURNED,
        D.NOT_REACHED,
        D.NOT_REACHED,
    ]
    returned = [s for s in review.steps if s.round == 1][2]
    assert returned.comment == "证据不足，补充询问笔录"
    assert returned.signed_at == later(1)
    assert _decisions(review, 2) == [D.PENDING] * 5
    assert [s.holder for s in review.current_steps()] == [HOLDERS[n] for n in range(1, 6)]
    current = review.current_step()
    assert current is not None
    assert current.step_no == 1
    (event,) = review.collect_events()
    assert event.event_type == "review.step_returned"
    assert event.reason == "证据不足，补充询问笔录"
    assert event.data == {
        "round": 1,
        "stepNo": 3,
        "roleTag": "LEGAL_SUPERVISOR",
        "holder": "P-FZ-001",
    }


def test_after_a_return_the_file_is_corrected_then_every_level_signs_again():
    # given
    review = in_signoff(opened())
    _approve(review, 1)
    _return(review, 2)

    # when: corrected at step 1, then signed through
    review.add_evidence(description="补充询问笔录", attachment_sha256=None, at=later(1))
    review.record_finding(
        result=FindingResult.SUBSTANTIATED,
        nature=FindingNature.FAULT,
        summary="补充证据后认定属实",
        at=later(1),
    )
    for step_no in range(1, 6):
        _approve(review, step_no, at=later(2))

    # then
    assert review.status is S.SIGNED_OFF
    assert _decisions(review, 1) == [D.APPROVED, D.RETURNED] + [D.NOT_REACHED] * 3
    assert _decisions(review, 2) == [D.APPROVED] * 5
    assert review.finding is not None
    assert review.finding.result is FindingResult.SUBSTANTIATED


def test_the_file_cannot_change_once_the_first_step_is_signed():
    # given
    review = in_signoff(opened())
    _approve(review, 1)

    # then
    with pytest.raises(InvalidTransition):
        review.add_evidence(description="迟到的证据", attachment_sha256=None, at=AT)
    with pytest.raises(InvalidTransition):
        review.record_finding(
            result=FindingResult.NOT_SUBSTANTIATED,
            nature=FindingNature.NONE,
            summary="改判",
            at=AT,
        )


def test_the_first_step_may_itself_return_the_file():
    # given
    review = in_signoff(opened())

    # when
    _return(review, 1, comment="材料未齐")

    # then
    assert _decisions(review, 1) == [D.RETURNED] + [D.NOT_REACHED] * 4
    assert review.signoff_round == 2
    current = review.current_step()
    assert current is not None
    assert current.step_no == 1


def test_a_legal_review_is_concluded_by_its_chain():
    # given
    review = in_signoff(opened(ReviewKind.LEGAL_REVIEW))

    # when
    sign_all(review)
    review.close(at=AT)

    # then
    assert review.status is S.CLOSED
    assert review.finding is None


def test_the_step_records_are_in_the_snapshot_under_round_and_step():
    # given
    review = in_signoff(opened())
    _return(review, 1)

    # when
    state = review.snapshot()

    # then
    assert state["step.1.1"]["decision"] == "RETURNED"
    assert state["step.1.1"]["responsibility"] == "HANDLER"
    assert state["step.2.5"] == {
        "roleTag": "BUREAU_LEADER",
        "label": "局领导",
        "responsibility": "APPROVER",
        "holder": "P-JDZX-001",
        "decision": "PENDING",
        "comment": None,
        "signedAt": None,
    }
