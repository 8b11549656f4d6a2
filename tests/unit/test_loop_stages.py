from domain.loop import ORDER, Stage, current_status, linked_loops, stage_of


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


def test_an_event_names_the_loops_it_joins():
    payload = {"changes": {}, "data": {"intoCorrelationId": "a", "other": "b"}}
    assert linked_loops(payload) == {"a"}
    assert linked_loops({"changes": {}}) == set()


def test_the_current_status_is_the_last_one_the_events_moved_to():
    payloads = [
        {"changes": {"status": {"before": None, "after": "RECEIVED"}}},
        {"changes": {"important": {"before": False, "after": True}}},
        {"changes": {"status": {"before": "RECEIVED", "after": "TRIAGED"}}},
    ]
    assert current_status(payloads) == "TRIAGED"
    assert current_status([{"changes": {"stage": {"before": "FILED", "after": "CONCLUDED"}}}]) == (
        "CONCLUDED"
    )
    assert current_status([]) is None
