"""The exposure board (曝光台): typical cases published without personal data."""

from __future__ import annotations

import pytest

from domain.accountability.exposure import anonymise, person_label, unit_label
from domain.accountability.status import SubjectRole
from domain.errors import InvalidTransition, ValidationFailed
from tests.unit.test_accountability_builders import (
    AT,
    AUX,
    LABELS,
    LEAD,
    LEADER,
    NAMES,
    STATION,
    decided,
    opened,
)


def test_a_station_is_shown_by_its_sub_bureau_and_other_units_by_name():
    assert (
        unit_label(kind="STATION", name="香蜜湖派出所", parent_name="福田分局")
        == "福田分局某派出所"
    )
    assert unit_label(kind="SUB_BUREAU", name="福田分局", parent_name="深圳市公安局") == "福田分局"


@pytest.mark.parametrize(
    ("role", "auxiliary", "label"),
    [
        (SubjectRole.ON_DUTY_LEADER, False, "福田分局某派出所值班所领导"),
        (SubjectRole.LEAD_OFFICER, False, "福田分局某派出所主办民警"),
        (SubjectRole.AUXILIARY, True, "福田分局某派出所聘员"),
        (SubjectRole.OTHER, False, "福田分局某派出所民警"),
        (SubjectRole.OTHER, True, "福田分局某派出所辅警"),
    ],
)
def test_a_person_is_shown_as_role_and_unit(role, auxiliary, label):
    assert person_label(role=role, auxiliary=auxiliary, unit="福田分局某派出所") == label


def test_names_codes_phones_and_id_numbers_are_removed():
    # given
    text = (
        "王建国(P-FT-XS-001)值班时拒绝受理，群众张三(电话 138 1234 5678、13812345678，"
        "身份证440301199001011234)多次报警，座机0755-12345678。"
    )

    # when
    clean = anonymise(text, names=["王建国", "张三"], codes=["P-FT-XS-001"])

    # then
    for secret in (
        "王建国",
        "张三",
        "P-FT-XS-001",
        "13812345678",
        "138 1234 5678",
        "440301199001011234",
        "0755-12345678",
    ):
        assert secret not in clean
    assert clean.startswith("某(某)值班时拒绝受理")


def test_publishing_shows_each_subject_with_measures_in_force_and_no_names():
    # given
    item = decided()
    summary = (
        f"群众报警后，值班所领导王建国、主办民警李明({LEAD})和聘员陈小华互相推诿。电话13812345678。"
    )

    # when
    entry = item.publish(
        title="李明等推诿报警群众被问责", summary=summary, labels=LABELS, names=NAMES, at=AT
    )

    # then
    assert [(s.label, s.measures) for s in entry.subjects] == [
        (LABELS[LEADER], ("调整职务",)),
        (LABELS[LEAD], ("记过", "停止执行职务")),
        (LABELS[AUX], ("批评教育",)),
        (LABELS[STATION], ("批评教育",)),
    ]
    published = repr(entry.as_record())
    for secret in (*NAMES, LEAD, LEADER, AUX, "13812345678"):
        assert secret not in published
    assert entry.title == "某等推诿报警群众被问责"
    assert item.snapshot()["exposure"] == entry.as_record()


def test_a_case_is_published_once():
    item = decided()
    item.publish(title="典型案例", summary="推诿", labels=LABELS, names=NAMES, at=AT)
    with pytest.raises(ValidationFailed):
        item.publish(title="典型案例", summary="推诿", labels=LABELS, names=NAMES, at=AT)


def test_an_undecided_case_is_not_published():
    with pytest.raises(InvalidTransition):
        opened().publish(title="典型案例", summary="推诿", labels=LABELS, names=NAMES, at=AT)
