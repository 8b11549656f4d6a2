"""The demo data: every state and channel, the seed-000 loop, cases, petitions and reviews, and an
audit log that accounts for all of it.

Seeding takes seconds, so one test seeds once and runs every check. The timeline ends at the
fixture clock's now (a fixed Monday), so the data are the same on every run.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Table, func, select, text

from api.relay import to_global_id
from audit.schema import audit_event
from audit.verify import verify_chain
from domain.complaint.status import ComplaintStatus
from domain.personal import normalise_id_number
from service import demo
from service.demo_cases import SYSTEM as CASE_SYSTEM
from service.demo_story import AUXILIARY, LEAD_OFFICER, ON_DUTY_LEADER
from store import rows
from store.accountability import accountability, points_entry, points_ledger
from store.case import police_case
from store.petition import petition
from store.review import review, review_recommendation, review_rectification

pytestmark = pytest.mark.db
C = rows.complaint.c
A = audit_event.c
# Every aggregate table: (table, its audit aggregate type, its id column).
AGGREGATES: tuple[tuple[Table, str, str], ...] = (
    (rows.complaint, "complaint", "id"),
    (police_case, "case", "id"),
    (petition, "petition", "id"),
    (review, "review", "id"),
    (accountability, "accountability", "id"),
    (points_ledger, "points_ledger", "officer_code"),
)

LOOP = """
query($id: ID!) {
  loopTrace(id: $id) {
    stages { stage startedAt endedAt items { id type status events { eventType } } }
  }
}
"""
EXCELLENT_SHARE = """
query($from: DateTime!, $to: DateTime!) {
  excellentShare(unitCode: "SZ", from: $from, to: $to) { evaluated excellent share }
}
"""


async def test_the_demo_seed_covers_every_state_and_channel_and_tells_the_story(runtime, gql):
    steps: list[str] = []
    summary = await demo.seed(runtime, progress=steps.append)
    assert steps
    assert summary["reference_events"] == 0  # the demo city was already loaded: idempotent

    await _every_status_and_channel_appears(runtime, summary)
    story = await _the_buck_passing_story_is_closed(runtime)
    await _the_story_runs_the_whole_loop(runtime, gql, story)
    await _points_were_deducted_for_the_three_persons(runtime, summary)
    await _no_complaint_is_routed_to_a_unit_it_complains_about(runtime)
    await _the_timeline_ends_at_the_clock(runtime)
    await _repeat_complainants_use_several_channels(runtime)
    await _some_complainants_give_a_valid_id_number(runtime)
    await _the_backlog_campaign_resolved_41_of_42(runtime, summary)
    await _ordinary_petitions_stand_in_several_states(runtime)
    await _cases_are_pushed_by_the_platform_with_measures_near_and_past_their_limits(
        runtime, summary
    )
    await _reviews_evaluate_and_recommend(runtime, gql, summary)
    await _warnings_of_every_rule_kind(runtime, summary)
    await _the_audit_log_verifies_and_holds_one_event_per_version(runtime)


async def _every_status_and_channel_appears(runtime, summary):
    async with runtime.engine.connect() as conn:
        statuses = dict(
            (await conn.execute(select(C.status, func.count()).group_by(C.status))).all()
        )
        channels = dict(
            (
                await conn.execute(select(C.channel_code, func.count()).group_by(C.channel_code))
            ).all()
        )
    assert set(statuses) == {s.value for s in ComplaintStatus}
    assert set(channels) == set(demo.CHANNELS)
    assert sum(statuses.values()) == summary["complaints"] >= 250
    assert all(summary[f"by_status_{s}"] == n for s, n in statuses.items())
    assert summary["reopened"] > 0
    assert summary["overdue"] > 0
    assert summary["pushed_by_12345"] > 0


async def _the_buck_passing_story_is_closed(runtime) -> Any:
    async with runtime.engine.connect() as conn:
        story = (
            await conn.execute(
                select(rows.complaint).where(
                    C.external_system == demo.STORY_SYSTEM, C.external_ticket == demo.STORY_TICKET
                )
            )
        ).one()
    assert story.status == "CLOSED"
    assert story.category_code == "ENF_BUCK_PASSING"
    assert story.channel_code == "DIRECTOR_MAILBOX"
    assert story.important
    assert "推诿" in story.subject
    assert "部分属实" in story.reply_text
    assert {"FT-XS", "FT-SB", "FT-HF"} <= set(story.complained_units)
    assert story.satisfaction == "SATISFIED"
    assert story.replied_at <= story.reply_due_at  # answered in time, after the finding
    return story


async def _the_story_runs_the_whole_loop(runtime, gql, story):
    async with runtime.engine.connect() as conn:
        # The loop began with the 有警不处 warning on the report the stations turned away, raised
        # days before the letter; the centre escalated it into the reverse investigation.
        (warning,) = (
            await conn.execute(
                text(
                    "SELECT * FROM warning WHERE rule_code = 'ALERT_NOT_ACCEPTED' "
                    "AND review_id IS NOT NULL"
                )
            )
        ).all()
        investigation = (
            await conn.execute(
                select(review).where(
                    review.c.origin_type == "warning", review.c.origin_id == str(warning.id)
                )
            )
        ).one()
        linked = await conn.scalar(
            text("SELECT linked_correlation_id FROM loop_link WHERE correlation_id = :c"),
            {"c": warning.correlation_id},
        )
    assert warning.raised_at < story.received_at
    assert warning.level == "RED"
    assert warning.review_id == investigation.id
    assert linked == story.correlation_id
    async with runtime.engine.connect() as conn:
        held = (
            await conn.execute(
                select(accountability).where(accountability.c.review_id == investigation.id)
            )
        ).one()
        rectification = (
            await conn.execute(
                select(review_rectification).where(
                    review_rectification.c.review_id == investigation.id
                )
            )
        ).one()
    # The reverse investigation: partly substantiated, a fault, signed off, closed.
    assert investigation.kind == "VERIFICATION"
    assert investigation.correlation_id == warning.correlation_id
    assert (investigation.finding, investigation.finding_nature) == (
        "PARTLY_SUBSTANTIATED",
        "FAULT",
    )
    assert investigation.status == "CLOSED"
    assert investigation.signed_off_at is not None
    assert investigation.verifiers
    # The new rule, owned by the sub-bureau and closed off (销号) by the legal detachment.
    assert "指定管辖" in rectification.requirement
    assert (rectification.owner_unit_code, rectification.status) == ("FT", "CLOSED_OFF")
    assert rectification.closed_off_by_unit == "SZ-FZ"
    # The accountability: the three persons of seed 000, decided, in the same loop.
    assert held.correlation_id == warning.correlation_id
    assert held.status == "DECIDED"
    assert {ON_DUTY_LEADER, LEAD_OFFICER, AUXILIARY} <= set(held.officer_codes)
    assert held.published_at is not None

    trace = (await gql(LOOP, {"id": to_global_id("Complaint", str(story.id))}))["loopTrace"]
    stages = trace["stages"]
    assert [s["stage"] for s in stages] == [
        "EARLY_WARNING",
        "DISCOVERY",
        "VERIFICATION",
        "RECTIFICATION",
        "ACCOUNTABILITY",
    ]
    ids = {s["stage"]: {item["id"] for item in s["items"]} for s in stages}
    # Its deadline warnings (the report's, the letter's clocks) are in the loop too.
    assert to_global_id("Warning", str(warning.id)) in ids["EARLY_WARNING"]
    assert to_global_id("Complaint", str(story.id)) in ids["DISCOVERY"]
    assert to_global_id("Review", str(investigation.id)) in ids["VERIFICATION"]
    assert to_global_id("Review", str(investigation.id)) in ids["RECTIFICATION"]
    assert ids["ACCOUNTABILITY"] == {to_global_id("Accountability", str(held.id))}
    # In the past and in order: the letter, then days later the investigation, then the rest.
    began = {s["stage"]: datetime.fromisoformat(s["startedAt"]) for s in stages}
    assert began["VERIFICATION"] - story.received_at >= timedelta(days=1)
    assert began["EARLY_WARNING"] < story.received_at
    assert began["DISCOVERY"] < began["EARLY_WARNING"]  # the report came first, then its warning
    assert began["DISCOVERY"] < began["VERIFICATION"] < began["RECTIFICATION"]
    assert began["VERIFICATION"] < began["ACCOUNTABILITY"]
    assert max(datetime.fromisoformat(s["endedAt"]) for s in stages) <= runtime.clock.now()
    verification = next(s for s in stages if s["stage"] == "VERIFICATION")
    events = [e["eventType"] for i in verification["items"] for e in i["events"]]
    for done_before in ("review.finding_recorded", "review.step_returned", "review.signed_off"):
        assert done_before in events
    assert events.index("review.finding_recorded") < events.index("review.signed_off")


async def _points_were_deducted_for_the_three_persons(runtime, summary):
    people = (ON_DUTY_LEADER, LEAD_OFFICER, AUXILIARY)
    async with runtime.engine.connect() as conn:
        ledgers = dict(
            (
                await conn.execute(
                    select(points_ledger.c.officer_code, points_ledger.c.deducted).where(
                        points_ledger.c.officer_code.in_(people)
                    )
                )
            ).all()
        )
        kinds = set(
            await conn.scalars(
                select(points_entry.c.source_type).where(points_entry.c.officer_code.in_(people))
            )
        )
    assert set(ledgers) == set(people)
    assert all(deducted > 0 for deducted in ledgers.values())
    assert ledgers[LEAD_OFFICER] > ledgers[AUXILIARY]  # the lead officer's fault weighs more
    assert kinds == {"accountability"}
    assert summary["points_deducted"] == sum(ledgers.values())


async def _no_complaint_is_routed_to_a_unit_it_complains_about(runtime):
    async with runtime.engine.connect() as conn:
        routed = (
            await conn.execute(
                select(C.primary_unit_code, C.complained_units).where(
                    C.primary_unit_code.is_not(None)
                )
            )
        ).all()
    assert routed
    assert all(unit not in complained for unit, complained in routed)


async def _the_timeline_ends_at_the_clock(runtime):
    now = runtime.clock.now()
    async with runtime.engine.connect() as conn:
        first, last = (
            await conn.execute(
                select(func.min(A.effective_at), func.max(A.effective_at)).where(
                    A.aggregate_type == "complaint"
                )
            )
        ).one()
        earliest, latest = (
            await conn.execute(
                select(func.min(A.effective_at), func.max(A.effective_at)).where(
                    A.aggregate_type.in_([aggregate for _, aggregate, _ in AGGREGATES])
                )
            )
        ).one()
    assert last <= now
    assert now - first <= demo.SPAN
    # Cases and the petition backlog reach further back, never past the end. (Reference data
    # are applied when the seed runs, outside the timeline.)
    assert latest <= now
    assert now - earliest <= demo.HISTORY


async def _repeat_complainants_use_several_channels(runtime):
    person = rows.complainant.c
    async with runtime.engine.connect() as conn:
        repeated = (
            await conn.execute(
                select(person.phone, func.count(func.distinct(C.channel_code)))
                .join(rows.complaint, C.complainant_id == person.id)
                .group_by(person.phone)
                .having(func.count() > 1)
            )
        ).all()
    assert len(repeated) >= 10
    assert all(channels >= 2 for _, channels in repeated)


async def _some_complainants_give_a_valid_id_number(runtime):
    async with runtime.engine.connect() as conn:
        numbers = (
            await conn.scalars(
                select(rows.complainant.c.id_number).where(
                    rows.complainant.c.id_number.is_not(None)
                )
            )
        ).all()
        petitioners = (
            await conn.scalars(
                select(rows.complainant.c.id_number)
                .join(petition, petition.c.petitioner_id == rows.complainant.c.id)
                .where(rows.complainant.c.id_number.is_not(None))
            )
        ).all()
    assert numbers
    assert petitioners
    assert all(normalise_id_number(n) == n for n in numbers)  # the check digit holds


async def _the_backlog_campaign_resolved_41_of_42(runtime, summary):
    p = petition.c
    async with runtime.engine.connect() as conn:
        backlog = (
            await conn.execute(
                select(p.status, p.outcome, p.supervision_level, p.leader_officer_code).where(
                    p.backlog_since.is_not(None)
                )
            )
        ).all()
        files = await conn.scalar(
            select(func.count()).where(p.backlog_since.is_not(None), p.attachment_count > 0)
        )
    resolved = [b for b in backlog if b.status == "CLOSED" and b.outcome in {"STOPPED", "SETTLED"}]
    assert len(backlog) == summary["backlog_petitions"] == 42
    assert len(resolved) == summary["backlog_resolved"] == 41
    (open_one,) = [b for b in backlog if b not in resolved]
    assert open_one.outcome == "CONTINUING"
    assert open_one.status != "CLOSED"
    levels = [b.supervision_level for b in backlog]
    assert (levels.count("MINISTRY"), levels.count("PROVINCE")) == (2, 3)
    assert all(b.leader_officer_code for b in backlog)  # 包案: a leader in charge of each
    assert files == 42  # every backlog case keeps its file (案卷)


async def _ordinary_petitions_stand_in_several_states(runtime):
    p = petition.c
    async with runtime.engine.connect() as conn:
        statuses = set(await conn.scalars(select(p.status).where(p.backlog_since.is_(None))))
        from_complaint = (
            await conn.execute(
                select(p.correlation_id, C.correlation_id)
                .join(rows.complaint, C.id == p.origin_complaint_id)
                .where(p.origin_complaint_id.is_not(None))
            )
        ).all()
    assert {"REGISTERED", "RETURNED", "NOT_ACCEPTED", "HANDLING", "ANSWERED"} <= statuses
    assert {"REVIEW_REQUESTED", "CLOSED"} <= statuses
    assert len(from_complaint) == 1
    assert from_complaint[0][0] == from_complaint[0][1]  # the complaint's loop


async def _cases_are_pushed_by_the_platform_with_measures_near_and_past_their_limits(
    runtime, summary
):
    now = runtime.clock.now()
    k = police_case.c
    async with runtime.engine.connect() as conn:
        cases = (await conn.execute(select(police_case))).all()
        pushers = set(
            (
                await conn.execute(
                    select(A.actor["role"].astext, A.actor["subject"].astext).where(
                        A.event_type == "case.registered"
                    )
                )
            ).all()
        )
    assert pushers == {("integration", CASE_SYSTEM)}
    assert all(c.external_system == CASE_SYSTEM and c.external_record_id for c in cases)
    assert {c.kind for c in cases} == {"CRIMINAL", "ADMINISTRATIVE"}
    assert {
        "ALERT_RECEIVED",
        "ACCEPTED",
        "INVESTIGATING",
        "CONCLUDED",
        "NOT_FILED",
        "WITHDRAWN",
    } <= {c.stage for c in cases}
    open_measures = [
        (m["kind"], datetime.fromisoformat(m["dueAt"]))
        for c in cases
        for m in c.measures
        if m["endedAt"] is None and m["dueAt"]
    ]
    near = [kind for kind, due in open_measures if now < due <= now + demo.NEAR_LIMIT]
    overdue = [kind for kind, due in open_measures if due <= now]
    assert {"BAIL", "RESIDENTIAL_SURVEILLANCE"} <= set(near)
    assert overdue == ["CRIMINAL_DETENTION"]  # 羁押超期: one detention past its limit
    assert summary["measures_near_limit"] == len(near)
    assert summary["measures_overdue"] == len(overdue)
    # Revisits made, made late and missed; a major case under tracking (盯办).
    assert any(len(c.revisits) == 2 for c in cases)
    assert any(c.stage == "INVESTIGATING" and not c.revisits for c in cases)
    assert any(c.missed_deadline for c in cases)
    tracked = [c for c in cases if any(t.get("closedAt") is None for t in c.trackings)]
    assert len(tracked) == summary["cases_tracked"] == 1
    assert any(c.designations for c in cases)  # the report the three stations turned away
    assert k.unit_code is not None


async def _reviews_evaluate_and_recommend(runtime, gql, summary):
    now = runtime.clock.now()
    r = review.c
    async with runtime.engine.connect() as conn:
        kinds = dict((await conn.execute(select(r.kind, func.count()).group_by(r.kind))).all())
        ratings = list(await conn.scalars(select(r.rating).where(r.rating.is_not(None))))
        awaiting = (
            await conn.execute(
                select(review_recommendation.c.due_at).where(
                    review_recommendation.c.status == "ISSUED"
                )
            )
        ).all()
    assert set(kinds) == {"VERIFICATION", "CASE_QUALITY_EVALUATION", "LEGAL_REVIEW"}
    assert summary["reviews"] == sum(kinds.values())
    assert awaiting
    assert all(due > now for (due,) in awaiting)  # a response is due
    share = (
        await gql(
            EXCELLENT_SHARE,
            {"from": (now - timedelta(days=60)).isoformat(), "to": now.isoformat()},
        )
    )["excellentShare"]
    assert share["evaluated"] == len(ratings) == summary["evaluations"] >= 5
    assert share["excellent"] == ratings.count("EXCELLENT") == summary["evaluations_excellent"]
    assert 0 < share["share"] < 0.5


async def _the_audit_log_verifies_and_holds_one_event_per_version(runtime):
    async with runtime.engine.connect() as conn:
        verification = await verify_chain(conn)
        assert verification.ok, verification.problem
        for table, aggregate_type, id_column in AGGREGATES:
            events = (
                await conn.execute(
                    select(A.aggregate_id, func.count())
                    .where(A.aggregate_type == aggregate_type)
                    .group_by(A.aggregate_id)
                )
            ).all()
            versions = (await conn.execute(select(table.c[id_column], table.c.version))).all()
            assert versions, aggregate_type
            assert {str(aggregate): n for aggregate, n in events} == {
                str(key): version for key, version in versions
            }, aggregate_type


async def _warnings_of_every_rule_kind(runtime, summary):
    async with runtime.engine.connect() as conn:
        kinds = {
            row.kind: row.n
            for row in await conn.execute(
                text(
                    "SELECT r.kind, count(*) AS n FROM warning w "
                    "JOIN warning_rule r ON r.code = w.rule_code GROUP BY r.kind"
                )
            )
        }
        statuses = {
            row.status for row in await conn.execute(text("SELECT DISTINCT status FROM warning"))
        }
        explained = await conn.scalar(
            text("SELECT bool_and(explanation <> '' AND facts ? 'details') FROM warning")
        )
    from domain.warning.rules import RuleKind

    assert set(kinds) == {kind.value for kind in RuleKind}
    # The story's warning was escalated, then resolved once the report was accepted.
    assert statuses == {"RAISED", "ACKNOWLEDGED", "DISMISSED", "RESOLVED"}
    assert explained
    assert summary["warnings"] == sum(kinds.values())
