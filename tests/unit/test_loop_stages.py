from typing import Any

from domain.loop import LINK_KEYS, ORDER, Stage, current_status, stage_of


def test_the_stages_run_in_the_order_of_the_closed_loop():
    assert ORDER == [
        Stage.EARLY_WARNING,
        Stage.DISCOVERY,
        Stage.VERIFICATION,
        Stage.RECTIFICATION,
        Stage.ACCOUNTABILITY,
    ]


def test_each_aggregate_belongs_to_its_stage_and_rectification_events_to_rectification():
    assert stage_of("warning", "warning.raised") is Stage.EARLY_WARNING
    assert stage_of("complaint", "complaint.registered") is Stage.DISCOVERY
    assert stage_of("petition", "petition.accepted") is Stage.DISCOVERY
    assert stage_of("case", "case.filed") is Stage.DISCOVERY
    assert stage_of("review", "review.finding_recorded") is Stage.VERIFICATION
    assert stage_of("review", "review.rectification_closed_off") is Stage.RECTIFICATION
    assert stage_of("accountability", "accountability.decided") is Stage.ACCOUNTABILITY


def test_reference_data_is_outside_every_loop():
    assert stage_of("unit", "unit.defined") is None
    assert stage_of("officer", "officer.assigned") is None


def test_the_database_links_loops_by_the_same_payload_keys():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0006_loop_links.py"
    spec = importlib.util.spec_from_file_location("loop_links_migration", path)
    assert spec is not None
    assert spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.LINK_KEYS == LINK_KEYS


def test_the_current_status_is_the_last_one_the_events_moved_to():
    payloads: list[dict[str, Any]] = [
        {"changes": {"status": {"before": None, "after": "RECEIVED"}}},
        {"changes": {"important": {"before": False, "after": True}}},
        {"changes": {"status": {"before": "RECEIVED", "after": "TRIAGED"}}},
    ]
    assert current_status(payloads) == "TRIAGED"
    assert current_status([{"changes": {"stage": {"before": "FILED", "after": "CONCLUDED"}}}]) == (
        "CONCLUDED"
    )
    assert current_status([]) is None
