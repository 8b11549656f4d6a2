"""Every (state, command) pair of the accountability: allowed ones move as the table says and
record one event; the others are refused with INVALID_TRANSITION and change nothing."""

from __future__ import annotations

import pytest

from domain.accountability.aggregate import Accountability
from domain.accountability.status import (
    ALLOWED,
    TRANSITIONS,
    AccountabilityStatus,
    AppealOutcome,
    ChainRole,
)
from domain.errors import InvalidTransition
from tests.unit.test_accountability_builders import (
    AT,
    AUX,
    CLOCKS,
    IN_STATE,
    LABELS,
    LEAD,
    LEADER,
    MEASURES,
    NAMES,
)

S = AccountabilityStatus
COMMANDS = ["change shares", "propose measures", "decide", "appeal", "decide appeal", "publish"]
# The whole table as the API sees it (one pending appeal: "decide appeal" ends the appeals).
EXPECTED: dict[AccountabilityStatus, dict[str, AccountabilityStatus]] = {
    S.OPEN: {"change shares": S.OPEN, "propose measures": S.PROPOSED},
    S.PROPOSED: {"change shares": S.PROPOSED, "propose measures": S.PROPOSED, "decide": S.DECIDED},
    S.DECIDED: {"appeal": S.APPEALED, "publish": S.DECIDED},
    S.APPEALED: {"appeal": S.APPEALED, "decide appeal": S.APPEAL_DECIDED},
    S.APPEAL_DECIDED: {"appeal": S.APPEALED, "publish": S.APPEAL_DECIDED},
}
EVENTS = {
    "change shares": "accountability.shares_changed",
    "propose measures": "accountability.measures_proposed",
    "decide": "accountability.decided",
    "appeal": "accountability.appealed",
    "decide appeal": "accountability.appeal_decided",
    "publish": "accountability.published",
}


def run(command: str, item: Accountability) -> None:
    """Run `command` with arguments that are valid whenever the state allows it."""
    match command:
        case "change shares":
            item.change_shares(
                changes={LEADER: (40, ChainRole.APPROVER), AUX: (10, None)},
                reason="聘员无执法权，责任减轻",
                at=AT,
            )
        case "propose measures":
            item.propose_measures(orders=MEASURES, clocks=CLOCKS, at=AT)
        case "decide":
            item.decide(orders=None, note=None, clocks=CLOCKS, at=AT)
        case "appeal":
            item.appeal(appellant=AUX, grounds="仅协助接待，未参与处置", at=AT)
        case "decide appeal":
            pending = item.pending_appeals()
            appellant = pending[0].appellant if pending else LEAD
            item.decide_appeal(
                appellant=appellant,
                outcome=AppealOutcome.UPHELD,
                note="维持",
                orders=(),
                clocks=CLOCKS,
                at=AT,
            )
        case "publish":
            item.publish(
                title="推诿报警群众被问责",
                summary="某派出所推诿报警群众",
                labels=LABELS,
                names=NAMES,
                at=AT,
            )
        case _:
            raise AssertionError(command)


def test_the_expected_table_is_the_transition_table_seen_through_the_api():
    assert set(EXPECTED) == set(S) == set(TRANSITIONS)
    for status, targets in EXPECTED.items():
        assert set(targets.values()) <= ALLOWED[status]


@pytest.mark.parametrize(
    ("status", "command"),
    [(s, c) for s in S for c in COMMANDS if c in EXPECTED[s]],
)
def test_an_allowed_command_moves_to_its_target_with_one_event(status, command):
    # given
    item = IN_STATE[status]()
    item.collect_events()
    version = item.version

    # when
    run(command, item)

    # then
    assert item.status is EXPECTED[status][command]
    events = item.collect_events()
    assert [e.event_type for e in events] == [EVENTS[command]]
    assert events[0].aggregate_version == item.version == version + 1
    assert events[0].correlation_id == item.correlation


@pytest.mark.parametrize(
    ("status", "command"),
    [(s, c) for s in S for c in COMMANDS if c not in EXPECTED[s]],
)
def test_a_command_the_state_does_not_allow_is_refused_and_changes_nothing(status, command):
    # given
    item = IN_STATE[status]()
    item.collect_events()
    before = (item.version, item.snapshot())

    # when
    with pytest.raises(InvalidTransition) as refused:
        run(command, item)

    # then
    assert refused.value.current == status
    assert (item.version, item.snapshot()) == before
    assert item.pending_events == []


def test_with_two_appeals_pending_deciding_one_keeps_it_appealed_and_the_second_ends_it():
    # given
    item = IN_STATE[S.APPEALED]()
    item.appeal(appellant=LEADER, grounds="值班期间已指定管辖", at=AT)

    # when
    item.decide_appeal(
        appellant=LEADER, outcome=AppealOutcome.UPHELD, note="维持", orders=(), clocks=CLOCKS, at=AT
    )

    # then
    assert item.status is S.APPEALED
    assert set(item.available()) == {"appeal", "decide last appeal"}

    # when
    item.decide_appeal(
        appellant=LEAD, outcome=AppealOutcome.UPHELD, note="维持", orders=(), clocks=CLOCKS, at=AT
    )

    # then (a set: mypy keeps the first assertion's narrowing of the attribute)
    assert item.status in {S.APPEAL_DECIDED}
