"""The draft split of a fault from the review's sign-off records (domain/accountability/split.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from domain.accountability.split import (
    NamedPerson,
    apportion,
    approving_steps,
    deciding_round,
    draft_split,
    overriding_holders,
)
from domain.accountability.status import ChainRole, SubjectRole
from domain.review.aggregate import SignoffStep
from domain.review.status import Responsibility, StepDecision

AT = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
R = Responsibility
D = StepDecision
# The five levels (五级审核): 办案民警, 单位分管领导, 法制监督员, 法制员, 局领导.
LEVELS = [
    (1, "HANDLING_OFFICER", R.HANDLER, "H1"),
    (2, "UNIT_LEADER", R.REVIEWER, "R2"),
    (3, "LEGAL_SUPERVISOR", R.REVIEWER, "R3"),
    (4, "LEGAL_OFFICER", R.REVIEWER, "R4"),
    (5, "BUREAU_LEADER", R.APPROVER, "A5"),
]


def round_of(number: int, decisions: list[StepDecision]) -> list[SignoffStep]:
    return [
        SignoffStep(
            round=number,
            step_no=no,
            role_tag=tag,
            label=tag,
            responsibility=responsibility,
            holder=holder,
            decision=decision,
            comment="意见" if decision is D.RETURNED else None,
            signed_at=AT if decision in {D.APPROVED, D.RETURNED} else None,
        )
        for (no, tag, responsibility, holder), decision in zip(LEVELS, decisions, strict=True)
    ]


SIGNED_OFF = round_of(1, [D.APPROVED] * 5)


def shares(draft):
    return {d.officer: d.share for d in draft}


def test_the_holders_of_a_signed_off_chain_share_the_fault_by_their_responsibility():
    # when: nobody named, so the approving holders are proposed
    draft = draft_split([], SIGNED_OFF)

    # then: 办案人 40, 审核人 30 (three of them), 审批人 20, re-scaled to 100
    assert shares(draft) == {"H1": 45, "R2": 11, "R3": 11, "R4": 11, "A5": 22}
    assert sum(d.share for d in draft) == 100
    assert {d.officer: d.chain_role for d in draft} == {
        "H1": ChainRole.HANDLING_OFFICER,
        "R2": ChainRole.REVIEWER,
        "R3": ChainRole.REVIEWER,
        "R4": ChainRole.REVIEWER,
        "A5": ChainRole.APPROVER,
    }
    assert all(d.from_chain and not d.overrode for d in draft)


def test_only_the_deciding_round_counts_after_a_return():
    # given: round 1 returned at step 3, round 2 signed off
    steps = round_of(1, [D.APPROVED, D.APPROVED, D.RETURNED, D.NOT_REACHED, D.NOT_REACHED])
    steps += round_of(2, [D.APPROVED] * 5)

    # then
    assert deciding_round(steps) == 2
    assert [s.round for s in approving_steps(steps)] == [2] * 5
    assert overriding_holders(steps) == []
    assert shares(draft_split([], steps)) == {"H1": 45, "R2": 11, "R3": 11, "R4": 11, "A5": 22}


def test_an_approver_who_overrode_a_correct_opinion_bears_the_fault():
    # given: the legal supervisor returned, the legal officer and the leader approved regardless
    steps = round_of(1, [D.APPROVED, D.APPROVED, D.RETURNED, D.APPROVED, D.APPROVED])

    # when
    draft = draft_split([], steps)

    # then
    assert overriding_holders(steps) == ["R4", "A5"]
    assert shares(draft) == {"H1": 0, "R2": 0, "R4": 50, "A5": 50}
    assert {d.officer for d in draft if d.overrode} == {"R4", "A5"}


def test_an_overriding_approver_is_added_when_the_centre_did_not_name_them():
    # given
    steps = round_of(1, [D.APPROVED, D.APPROVED, D.RETURNED, D.NOT_REACHED, D.APPROVED])
    named = [NamedPerson("H1", SubjectRole.LEAD_OFFICER)]

    # when
    draft = draft_split(named, steps)

    # then
    assert shares(draft) == {"H1": 0, "A5": 100}
    assert draft[1].role is SubjectRole.OTHER
    assert draft[1].chain_role is ChainRole.APPROVER


def test_named_persons_outside_the_chain_share_by_their_role_in_the_matter():
    # given: seed 000, the on-duty leader, the lead officer and the auxiliary; no sign-off records
    named = [
        NamedPerson("L", SubjectRole.ON_DUTY_LEADER),
        NamedPerson("M", SubjectRole.LEAD_OFFICER),
        NamedPerson("A", SubjectRole.AUXILIARY),
    ]

    # when
    draft = draft_split(named, [])

    # then: the leader approves (20), the two handle (40 between them)
    assert [d.chain_role for d in draft] == [
        ChainRole.APPROVER,
        ChainRole.HANDLING_OFFICER,
        ChainRole.HANDLING_OFFICER,
    ]
    assert shares(draft) == {"L": 34, "M": 33, "A": 33}
    assert not any(d.from_chain for d in draft)


def test_a_named_person_who_held_a_step_takes_its_role_unless_another_is_given():
    # when
    draft = draft_split(
        [
            NamedPerson("A5", SubjectRole.ON_DUTY_LEADER),
            NamedPerson("H1", SubjectRole.LEAD_OFFICER, chain_role=ChainRole.APPRAISER),
        ],
        SIGNED_OFF,
    )

    # then
    assert [(d.officer, d.chain_role, d.from_chain) for d in draft] == [
        ("A5", ChainRole.APPROVER, True),
        ("H1", ChainRole.APPRAISER, True),
    ]
    assert shares(draft) == {"A5": 67, "H1": 33}


def test_no_records_and_nobody_named_proposes_nobody():
    assert draft_split([], []) == []
    assert deciding_round(round_of(1, [D.RETURNED] + [D.NOT_REACHED] * 4)) is None


@given(st.lists(st.floats(min_value=0.001, max_value=1000), min_size=1, max_size=12))
def test_apportioned_shares_are_whole_percentages_adding_up_to_100(weights):
    result = apportion(weights)
    assert sum(result) == 100
    assert all(share >= 0 for share in result)
    exact = [w * 100 / sum(weights) for w in weights]
    assert all(abs(share - x) < 1 for share, x in zip(result, exact, strict=True))
