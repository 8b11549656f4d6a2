"""Reference aggregates: units and their paths, officers and their dated postings, categories."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.errors import ValidationFailed
from domain.events import DomainEvent
from domain.reference.model import (
    Assignment,
    Category,
    Officer,
    OfficerKind,
    Unit,
    UnitKind,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 1, 5, 9, tzinfo=SHANGHAI)
LATER = datetime(2026, 6, 1, 9, tzinfo=SHANGHAI)


def only_event(aggregate: Unit | Officer | Category) -> DomainEvent:
    events = aggregate.collect_events()
    assert len(events) == 1, [e.event_type for e in events]
    return events[0]


def city() -> tuple[Unit, Unit, Unit]:
    bureau = Unit.define(code="SZ", name="深圳市公安局", kind=UnitKind.BUREAU, parent=None, at=AT)
    sub = Unit.define(code="FT", name="福田分局", kind=UnitKind.SUB_BUREAU, parent=bureau, at=AT)
    station = Unit.define(code="S1", name="沙头派出所", kind=UnitKind.STATION, parent=sub, at=AT)
    return bureau, sub, station


def officer(*, since: date = date(2020, 3, 1)) -> Officer:
    return Officer.register(
        code="P-1001",
        name="张三",
        kind=OfficerKind.POLICE,
        unit="SZ.FT.S1",
        since=since,
        account="zhangsan",
        at=AT,
    )


# -- units -----------------------------------------------------------------------------------


def test_a_top_level_unit_is_its_own_path():
    bureau = Unit.define(code="SZ", name="深圳市公安局", kind=UnitKind.BUREAU, parent=None, at=AT)

    assert bureau.path == "SZ"
    assert bureau.parent is None
    assert bureau.id == bureau.code == "SZ"


def test_a_unit_path_is_its_parents_path_and_its_code():
    bureau, sub, station = city()

    assert bureau.path == "SZ"
    assert sub.path == "SZ.FT"
    assert sub.parent == "SZ"
    assert station.path == "SZ.FT.S1"
    assert station.parent == "FT"


def test_defining_a_unit_records_one_defined_event():
    _, sub, _ = city()

    event = only_event(sub)

    assert sub.version == 1
    assert event.event_type == "unit.defined"
    assert event.aggregate_version == 1
    assert event.owner_unit == "FT"
    assert event.changes == {
        "name": {"before": None, "after": "福田分局"},
        "kind": {"before": None, "after": "SUB_BUREAU"},
        "parent": {"before": None, "after": "SZ"},
        "path": {"before": None, "after": "SZ.FT"},
    }


def test_a_unit_code_is_trimmed():
    assert (
        Unit.define(code="  SZ ", name="市局", kind=UnitKind.BUREAU, parent=None, at=AT).path
        == "SZ"
    )


@pytest.mark.parametrize(
    "code",
    ["", "   ", "SZ.FT", "S 1", "S\t1", ".", "X" * 65],
    ids=["empty", "blank", "dot", "space", "tab", "only-dot", "too-long"],
)
def test_a_unit_code_with_dots_or_spaces_is_refused(code):
    with pytest.raises(ValidationFailed, match="without dots or spaces") as refused:
        Unit.define(code=code, name="单位", kind=UnitKind.STATION, parent=None, at=AT)

    assert refused.value.field == "code"


def test_a_64_character_code_is_accepted():
    assert Unit.define(code="X" * 64, name="单位", kind=UnitKind.STATION, parent=None, at=AT)


@pytest.mark.parametrize(
    ("path", "contained"),
    [
        ("SZ.FT", True),
        ("SZ.FT.S1", True),
        ("SZ.FT.S1.TEAM", True),
        ("SZ", False),
        ("SZ.FT2", False),
        ("SZ.FTX.S1", False),
        ("SZ.NS", False),
        ("FT", False),
        ("", False),
    ],
)
def test_a_unit_contains_itself_and_its_subtree_only(path, contained):
    _, sub, _ = city()

    assert sub.contains(path) is contained


def test_the_top_unit_contains_every_unit_below_it():
    bureau, sub, station = city()

    assert bureau.contains(sub.path)
    assert bureau.contains(station.path)
    assert not station.contains(bureau.path)


def test_updating_a_unit_records_the_changed_fields():
    _, sub, _ = city()
    sub.collect_events()

    sub.update(name="福田区分局", kind=UnitKind.SUB_BUREAU, at=LATER)

    event = only_event(sub)
    assert event.event_type == "unit.updated"
    assert event.changes == {"name": {"before": "福田分局", "after": "福田区分局"}}
    assert sub.version == 2
    assert sub.path == "SZ.FT"


def test_updating_a_unit_without_a_change_records_no_event():
    _, sub, _ = city()
    sub.collect_events()

    sub.update(name="福田分局", kind=UnitKind.SUB_BUREAU, at=LATER)

    assert sub.pending_events == []
    assert sub.version == 1


# -- officers --------------------------------------------------------------------------------


def test_registering_an_officer_records_the_first_dated_assignment():
    person = officer()

    event = only_event(person)

    assert person.assignments == (Assignment(unit="SZ.FT.S1", valid_from=date(2020, 3, 1)),)
    assert person.unit == "SZ.FT.S1"
    assert person.owner_unit == "SZ.FT.S1"
    assert event.event_type == "officer.registered"
    assert event.aggregate_version == 1
    assert event.owner_unit == "SZ.FT.S1"
    assert event.changes["assignments"] == {
        "before": None,
        "after": [{"unit": "SZ.FT.S1", "validFrom": "2020-03-01"}],
    }
    assert event.changes["account"] == {"before": None, "after": "zhangsan"}


@pytest.mark.parametrize("code", ["", "P 1001", "P.1001"], ids=["empty", "space", "dot"])
def test_an_officer_code_with_dots_or_spaces_is_refused(code):
    with pytest.raises(ValidationFailed) as refused:
        Officer.register(
            code=code,
            name="张三",
            kind=OfficerKind.AUXILIARY,
            unit="SZ.FT.S1",
            since=date(2020, 3, 1),
            account=None,
            at=AT,
        )

    assert refused.value.field == "code"


def test_an_officer_is_nowhere_before_the_first_assignment():
    person = officer(since=date(2020, 3, 1))

    assert person.unit_on(date(2020, 2, 29)) is None
    assert person.unit_on(date(2020, 3, 1)) == "SZ.FT.S1"


def test_a_fault_follows_the_person_across_transfers():
    person = officer(since=date(2020, 3, 1))
    person.assign(unit="SZ.NS.S2", since=date(2023, 7, 1), at=AT)
    person.assign(unit="SZ.LEGAL", since=date(2025, 1, 1), at=AT)

    # The unit at the time of the act, not the unit today, is where the fault happened.
    assert person.unit_on(date(2022, 12, 31)) == "SZ.FT.S1"
    assert person.unit_on(date(2023, 6, 30)) == "SZ.FT.S1"
    assert person.unit_on(date(2023, 7, 1)) == "SZ.NS.S2"
    assert person.unit_on(date(2024, 12, 31)) == "SZ.NS.S2"
    assert person.unit_on(date(2025, 1, 1)) == "SZ.LEGAL"
    assert person.unit_on(date(2040, 1, 1)) == "SZ.LEGAL"
    assert person.unit == "SZ.LEGAL"
    assert person.owner_unit == "SZ.LEGAL"


def test_an_assignment_records_one_assigned_event_with_the_whole_history():
    person = officer()
    person.collect_events()

    person.assign(unit="SZ.NS.S2", since=date(2023, 7, 1), at=LATER)

    event = only_event(person)
    assert event.event_type == "officer.assigned"
    assert event.aggregate_version == person.version == 2
    assert event.owner_unit == "SZ.NS.S2"
    assert event.changes == {
        "assignments": {
            "before": [{"unit": "SZ.FT.S1", "validFrom": "2020-03-01"}],
            "after": [
                {"unit": "SZ.FT.S1", "validFrom": "2020-03-01"},
                {"unit": "SZ.NS.S2", "validFrom": "2023-07-01"},
            ],
        }
    }


@pytest.mark.parametrize(
    "since",
    [date(2020, 3, 1), date(2020, 2, 29), date(2019, 1, 1)],
    ids=["same", "day-before", "year-before"],
)
def test_an_assignment_not_after_the_current_one_is_refused(since):
    person = officer(since=date(2020, 3, 1))
    person.collect_events()

    with pytest.raises(ValidationFailed, match="after the current one") as refused:
        person.assign(unit="SZ.NS.S2", since=since, at=LATER)

    assert refused.value.field == "validFrom"
    assert person.unit == "SZ.FT.S1"
    assert person.pending_events == []
    assert person.version == 1


def test_reassigning_an_officer_to_the_same_unit_records_nothing():
    person = officer(since=date(2020, 3, 1))
    person.collect_events()

    person.assign(unit="SZ.FT.S1", since=date(2023, 7, 1), at=LATER)

    assert person.pending_events == []
    assert person.version == 1
    assert len(person.assignments) == 1
    assert person.unit_on(date(2021, 1, 1)) == "SZ.FT.S1"


def test_updating_an_officer_records_the_changed_fields_only():
    person = officer()
    person.collect_events()

    person.update(name="张三", kind=OfficerKind.POLICE, account=None, at=LATER)

    event = only_event(person)
    assert event.event_type == "officer.updated"
    assert event.changes == {"account": {"before": "zhangsan", "after": None}}


def test_updating_an_officer_without_a_change_records_no_event():
    person = officer()
    person.collect_events()

    person.update(name="张三", kind=OfficerKind.POLICE, account="zhangsan", at=LATER)

    assert person.pending_events == []
    assert person.version == 1


# -- categories ------------------------------------------------------------------------------


def test_defining_a_category_records_its_name_parent_and_kind():
    category = Category.define(
        code="ENF_BUCK_PASSING", name="推诿扯皮", parent="ENFORCEMENT", is_enforcement=True, at=AT
    )

    event = only_event(category)
    assert category.version == 1
    assert (category.name, category.parent, category.is_enforcement) == (
        "推诿扯皮",
        "ENFORCEMENT",
        True,
    )
    assert event.event_type == "category.defined"
    assert event.aggregate_id == "ENF_BUCK_PASSING"
    assert event.owner_unit is None
    assert event.changes == {
        "name": {"before": None, "after": "推诿扯皮"},
        "parent": {"before": None, "after": "ENFORCEMENT"},
        "isEnforcement": {"before": None, "after": True},
    }


def test_a_top_level_non_enforcement_category_records_its_kind_explicitly():
    category = Category.define(
        code="NON_ENFORCEMENT", name="非执法类", parent=None, is_enforcement=False, at=AT
    )

    event = only_event(category)
    assert category.parent is None
    assert event.changes["isEnforcement"] == {"before": None, "after": False}


@pytest.mark.parametrize(
    "code", ["", "ENF.ATTITUDE", "ENF ATTITUDE"], ids=["empty", "dot", "space"]
)
def test_a_category_code_with_dots_or_spaces_is_refused(code):
    with pytest.raises(ValidationFailed) as refused:
        Category.define(code=code, name="执法态度", parent=None, is_enforcement=True, at=AT)

    assert refused.value.field == "code"


def test_updating_a_category_records_the_changed_fields():
    category = Category.define(
        code="ENF_DELAY", name="久拖不决", parent="ENFORCEMENT", is_enforcement=True, at=AT
    )
    category.collect_events()

    category.update(name="久拖不办", is_enforcement=False, at=LATER)

    event = only_event(category)
    assert event.event_type == "category.updated"
    assert event.aggregate_version == category.version == 2
    assert event.changes == {
        "name": {"before": "久拖不决", "after": "久拖不办"},
        "isEnforcement": {"before": True, "after": False},
    }
    assert category.parent == "ENFORCEMENT"


def test_updating_a_category_without_a_change_records_no_event():
    category = Category.define(
        code="ENF_DELAY", name="久拖不决", parent="ENFORCEMENT", is_enforcement=True, at=AT
    )
    category.collect_events()

    category.update(name="久拖不决", is_enforcement=True, at=LATER)

    assert category.pending_events == []
    assert category.version == 1
