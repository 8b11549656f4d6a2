"""GraphQL types of the case aggregate, each built from the domain aggregate."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any
from uuid import UUID

import strawberry

from api.audit.types import AuditActor, AuditEvent
from api.complaint.types import Deadline
from api.context import Info
from api.reference.types import Officer, Unit
from api.relay import Connection, Node, to_global_id
from domain.case import values
from domain.case.aggregate import (
    FIRST_REVISIT_DUE,
    HANDLING_DUE,
    NOT_FILING_NOTICE_DUE,
    PENALTY_DECISION_DUE,
    RECONSIDERATION_DECISION_DUE,
    RECONSIDERATION_WINDOW,
    REVIEW_DECISION_DUE,
    REVIEW_WINDOW,
    SECOND_REVISIT_DUE,
    DeadlineState,
    detention_step_key,
    outside_jurisdiction_key,
)
from domain.case.aggregate import Case as CaseAggregate
from domain.case.status import ChallengeLevel
from domain.case.status import DetentionStep as DomainDetentionStep
from store.case import to_aggregate


@strawberry.enum(description="Case stages: 接警 → 受案 → 立案 → 侦查 → 结案, or 不予立案, 撤案.")
class CaseStage(Enum):
    ALERT_RECEIVED = "ALERT_RECEIVED"
    ACCEPTED = "ACCEPTED"
    FILED = "FILED"
    INVESTIGATING = "INVESTIGATING"
    CONCLUDED = "CONCLUDED"
    NOT_FILED = "NOT_FILED"
    WITHDRAWN = "WITHDRAWN"


@strawberry.enum(description="Criminal (刑事) or administrative (行政/治安).")
class CaseKind(Enum):
    CRIMINAL = "CRIMINAL"
    ADMINISTRATIVE = "ADMINISTRATIVE"


@strawberry.enum(
    description="Coercive measures (强制措施): 刑事拘留, 取保候审 (≤ 12 months), 监视居住 (≤ 6 months)."
)
class CaseMeasureKind(Enum):
    CRIMINAL_DETENTION = "CRIMINAL_DETENTION"
    BAIL = "BAIL"
    RESIDENTIAL_SURVEILLANCE = "RESIDENTIAL_SURVEILLANCE"


@strawberry.enum(description="What the person said at a revisit (回访).")
class CaseRevisitOutcome(Enum):
    SATISFIED = "SATISFIED"
    BASICALLY_SATISFIED = "BASICALLY_SATISFIED"
    DISSATISFIED = "DISSATISFIED"


@strawberry.enum(
    description="The steps due within 24 h of a criminal detention (art. 126–128): 送看守所羁押, "
    "通知家属, 第一次讯问."
)
class CaseDetentionStep(Enum):
    SENT_TO_DETENTION_CENTRE = "SENT_TO_DETENTION_CENTRE"
    FAMILY_NOTIFIED = "FAMILY_NOTIFIED"
    FIRST_INTERROGATION = "FIRST_INTERROGATION"


@strawberry.enum(description="A 复议 / 复核 decision on not filing: upheld or overturned.")
class CaseChallengeOutcome(Enum):
    UPHELD = "UPHELD"
    OVERTURNED = "OVERTURNED"


@strawberry.enum(description="复议 (by the deciding body) or 复核 (by the next level).")
class CaseChallengeLevel(Enum):
    RECONSIDERATION = "RECONSIDERATION"
    REVIEW = "REVIEW"


def _actor(ref: values.ActorRef | None) -> AuditActor | None:
    if ref is None:
        return None
    return AuditActor(
        issuer=None, subject=ref.subject, role=ref.role, unit=ref.unit, officer=ref.officer
    )


def _who(ref: values.ActorRef) -> AuditActor:
    found = _actor(ref)
    assert found is not None
    return found


async def _unit(info: Info, code: str) -> Unit:
    row = await info.context.loaders.unit.load(code)
    return Unit.from_row(row)


async def _officer(info: Info, code: str | None) -> Officer | None:
    if code is None:
        return None
    row = await info.context.loaders.officer.load(code)
    return Officer.from_row(row) if row else None


def _deadline(info: Info, state: DeadlineState, kind: str) -> Deadline:
    return Deadline.build(
        kind,
        state.deadline,
        now=info.context.call.runtime.clock.now(),
        satisfied_at=state.satisfied_at,
    )


@strawberry.type
class CaseExternalRef:
    system: str
    record_id: str


@strawberry.type(description="The case entered a stage: when, by whom, and why if a judgement.")
class CaseStageStep:
    stage: CaseStage
    at: datetime
    actor: AuditActor
    reason: str | None


@strawberry.type(description="移送: the case moved from one owning unit to another.")
class CaseTransfer:
    reason: str
    at: datetime
    actor: AuditActor
    from_unit_code: strawberry.Private[str]
    to_unit_code: strawberry.Private[str]

    @strawberry.field
    async def from_unit(self, info: Info) -> Unit:
        return await _unit(info, self.from_unit_code)

    @strawberry.field
    async def to_unit(self, info: Info) -> Unit:
        return await _unit(info, self.to_unit_code)


@strawberry.type(description="A unit declined jurisdiction, with its reason.")
class CaseJurisdictionRefusal:
    reason: str
    at: datetime
    actor: AuditActor
    unit_code: strawberry.Private[str]

    @strawberry.field
    async def unit(self, info: Info) -> Unit:
        return await _unit(info, self.unit_code)


@strawberry.type(description="指定管辖: the decision that ended a dispute and named the unit.")
class CaseJurisdictionDesignation:
    reason: str
    at: datetime
    actor: AuditActor
    unit_code: strawberry.Private[str]
    previous_unit_code: strawberry.Private[str]

    @strawberry.field
    async def unit(self, info: Info) -> Unit:
        return await _unit(info, self.unit_code)

    @strawberry.field
    async def previous_unit(self, info: Info) -> Unit:
        return await _unit(info, self.previous_unit_code)


@strawberry.type(description="More time on a clock, within its rule's maximum.")
class CaseExtension:
    amount: int
    reason: str
    roving_repeated_or_gang: bool
    at: datetime
    actor: AuditActor

    @classmethod
    def of(cls, extension: values.Extension) -> CaseExtension:
        return cls(
            amount=extension.amount,
            reason=extension.reason,
            roving_repeated_or_gang=extension.serious,
            at=extension.at,
            actor=_who(extension.by),
        )


@strawberry.type(
    description="A 24-hour step after a criminal detention, its due date and when done."
)
class CaseDetentionStepState:
    step: CaseDetentionStep
    done_at: datetime | None
    note: str | None
    actor: AuditActor | None
    state: strawberry.Private[DeadlineState]

    @strawberry.field(description="24 h from the detention (rule, basis, computation).")
    def due(self, info: Info) -> Deadline:
        return _deadline(info, self.state, "detentionStep")

    @strawberry.field(description="Not done within 24 h (超期).")
    def overdue(self, info: Info) -> bool:
        return self.state.overdue(info.context.call.runtime.clock.now())


@strawberry.type(description="A coercive measure on one person, known by a label only.")
class CaseMeasure:
    number: int
    kind: CaseMeasureKind
    person_label: str
    started_at: datetime
    started_by: AuditActor
    ended_at: datetime | None
    ended_by: AuditActor | None
    end_reason: str | None
    extensions: list[CaseExtension]
    in_custody: bool = strawberry.field(
        description="Held in custody: a holiday on the last day does not move the deadline."
    )
    state: strawberry.Private[DeadlineState | None]
    detention_steps: list[CaseDetentionStepState] = strawberry.field(
        description="For a criminal detention: the 24-hour steps (art. 126–128)."
    )

    @strawberry.field
    def open(self) -> bool:
        return self.ended_at is None

    @strawberry.field(description="The legal limit (rule, basis, computation).")
    def due(self, info: Info) -> Deadline | None:
        return _deadline(info, self.state, "measure") if self.state else None

    @strawberry.field(description="Not ended by its due date, or ended after it (超期).")
    def overdue(self, info: Info) -> bool:
        return self.state is not None and self.state.overdue(info.context.call.runtime.clock.now())


@strawberry.type(description="回访: the first within 15 days of acceptance, the second by day 30.")
class CaseRevisit:
    number: int
    outcome: CaseRevisitOutcome
    note: str | None
    at: datetime
    actor: AuditActor


@strawberry.type(
    description="盯办 of a major case: three tiers and the closing standard (收口标准)."
)
class CaseTracking:
    closing_standard: str
    started_at: datetime
    started_by: AuditActor
    closed_at: datetime | None
    closed_by: AuditActor | None
    closing_note: str | None
    codes: strawberry.Private[tuple[str, str, str]]

    @strawberry.field
    def open(self) -> bool:
        return self.closed_at is None

    @strawberry.field(description="City department (市局) tier.")
    async def city_department_officer(self, info: Info) -> Officer | None:
        return await _officer(info, self.codes[0])

    @strawberry.field(description="Sub-bureau (分局) tier.")
    async def sub_bureau_officer(self, info: Info) -> Officer | None:
        return await _officer(info, self.codes[1])

    @strawberry.field(description="Station (派出所) tier.")
    async def station_officer(self, info: Info) -> Officer | None:
        return await _officer(info, self.codes[2])

    @classmethod
    def of(cls, tracking: values.Tracking) -> CaseTracking:
        return cls(
            closing_standard=tracking.closing_standard,
            started_at=tracking.started_at,
            started_by=_who(tracking.started_by),
            closed_at=tracking.closed_at,
            closed_by=_actor(tracking.closed_by),
            closing_note=tracking.closing_note,
            codes=(tracking.city_officer, tracking.sub_bureau_officer, tracking.station_officer),
        )


@strawberry.type(description="鉴定: time not counted towards the administrative handling limit.")
class CaseAppraisal:
    reason: str
    started_at: datetime
    started_by: AuditActor
    ended_at: datetime | None
    ended_by: AuditActor | None


@strawberry.type(description="The case was found outside the unit's jurisdiction (art. 175).")
class CaseOutsideJurisdiction:
    number: int
    reason: str
    at: datetime
    actor: AuditActor
    transferred_at: datetime | None = strawberry.field(
        description="The first transfer since the marking (meets the 24-hour clock)."
    )
    unit_code: strawberry.Private[str]
    state: strawberry.Private[DeadlineState | None]

    @strawberry.field(description="The unit that found the case was not its own.")
    async def unit(self, info: Info) -> Unit:
        return await _unit(info, self.unit_code)

    @strawberry.field(description="Transfer within 24 h (rule, basis, computation).")
    def due(self, info: Info) -> Deadline | None:
        return _deadline(info, self.state, "outsideJurisdiction") if self.state else None


@strawberry.type(description="不予立案通知书 served (art. 178).")
class CaseNotFilingNotice:
    served_at: datetime
    at: datetime
    actor: AuditActor


@strawberry.type(description="复议 or 复核 of not filing (art. 179).")
class CaseNotFilingChallenge:
    level: CaseChallengeLevel
    applied_at: datetime
    recorded_at: datetime
    recorded_by: AuditActor
    extension: CaseExtension | None
    decided_at: datetime | None
    decided_by: AuditActor | None
    outcome: CaseChallengeOutcome | None
    decision_reason: str | None

    @classmethod
    def of(cls, c: values.Challenge) -> CaseNotFilingChallenge:
        return cls(
            level=CaseChallengeLevel(c.level.value),
            applied_at=c.applied_at,
            recorded_at=c.recorded_at,
            recorded_by=_who(c.recorded_by),
            extension=CaseExtension.of(c.extension) if c.extension else None,
            decided_at=c.decided_at,
            decided_by=_actor(c.decided_by),
            outcome=CaseChallengeOutcome(c.outcome.value) if c.outcome else None,
            decision_reason=c.decision_reason,
        )


@strawberry.type(description="A case (案件 / 警情) under supervision.")
class Case(Node):
    version: int
    kind: CaseKind
    title: str
    summary: str
    stage: CaseStage
    alert_received_at: datetime
    correlation_id: strawberry.ID
    external_ref: CaseExternalRef | None
    jurisdiction_disputed: bool = strawberry.field(
        description="Some unit declined jurisdiction and no designation has settled it since."
    )

    uuid: strawberry.Private[UUID]
    aggregate: strawberry.Private[CaseAggregate]

    @classmethod
    def from_row(cls, row: Any) -> Case:
        return cls.from_aggregate(to_aggregate(row))

    @classmethod
    def from_aggregate(cls, case: CaseAggregate) -> Case:
        return cls(
            id=strawberry.ID(to_global_id("Case", case.id)),
            uuid=UUID(case.id),
            version=case.version,
            kind=CaseKind(case.kind.value),
            title=case.title,
            summary=case.summary,
            stage=CaseStage(case.stage.value),
            alert_received_at=case.alert_received_at,
            correlation_id=strawberry.ID(str(case.correlation)),
            external_ref=(
                CaseExternalRef(
                    system=case.external_ref.system, record_id=case.external_ref.record_id
                )
                if case.external_ref
                else None
            ),
            jurisdiction_disputed=case.jurisdiction_disputed,
            aggregate=case,
        )

    @strawberry.field(description="The owning unit (主办单位).")
    async def unit(self, info: Info) -> Unit:
        return await _unit(info, self.aggregate.unit)

    @strawberry.field(description="The lead officer (主办民警).")
    async def lead_officer(self, info: Info) -> Officer | None:
        return await _officer(info, self.aggregate.lead_officer)

    @strawberry.field(description="Every stage the case entered, oldest first.")
    def stage_history(self) -> list[CaseStageStep]:
        return [
            CaseStageStep(
                stage=CaseStage(s.stage.value), at=s.at, actor=_who(s.by), reason=s.reason
            )
            for s in self.aggregate.history
        ]

    @strawberry.field
    def accepted_at(self) -> datetime | None:
        return self.aggregate.accepted_at

    @strawberry.field(description="When the case reached a final stage.")
    def closed_at(self) -> datetime | None:
        return self.aggregate.closed_at

    @strawberry.field
    def transfers(self) -> list[CaseTransfer]:
        return [
            CaseTransfer(
                reason=t.reason,
                at=t.at,
                actor=_who(t.by),
                from_unit_code=t.from_unit,
                to_unit_code=t.to_unit,
            )
            for t in self.aggregate.transfers
        ]

    @strawberry.field
    def jurisdiction_refusals(self) -> list[CaseJurisdictionRefusal]:
        return [
            CaseJurisdictionRefusal(reason=r.reason, at=r.at, actor=_who(r.by), unit_code=r.unit)
            for r in self.aggregate.refusals
        ]

    @strawberry.field(description="The latest designation of jurisdiction (指定管辖).")
    def jurisdiction_designation(self) -> CaseJurisdictionDesignation | None:
        d = self.aggregate.designation
        if d is None:
            return None
        return CaseJurisdictionDesignation(
            reason=d.reason,
            at=d.at,
            actor=_who(d.by),
            unit_code=d.unit,
            previous_unit_code=d.previous_unit,
        )

    @strawberry.field(description="Coercive measures, in the order they started.")
    def measures(self) -> list[CaseMeasure]:
        states = {s.key: s for s in self.aggregate.deadline_states()}
        return [
            CaseMeasure(
                number=m.number,
                kind=CaseMeasureKind(m.kind.value),
                person_label=m.person_label,
                started_at=m.started_at,
                started_by=_who(m.started_by),
                ended_at=m.ended_at,
                ended_by=_actor(m.ended_by),
                end_reason=m.end_reason,
                extensions=[CaseExtension.of(e) for e in m.extensions],
                in_custody=m.in_custody,
                state=states.get(f"measure.{m.number}"),
                detention_steps=self._detention_steps(m.number, states),
            )
            for m in self.aggregate.measures
        ]

    def _detention_steps(
        self, number: int, states: dict[str, DeadlineState]
    ) -> list[CaseDetentionStepState]:
        found = []
        for step in DomainDetentionStep:
            state = states.get(detention_step_key(number, step))
            if state is None:
                continue
            done = self.aggregate.detention_step(number, step)
            found.append(
                CaseDetentionStepState(
                    step=CaseDetentionStep(step.value),
                    done_at=done.done_at if done else None,
                    note=done.note if done else None,
                    actor=_who(done.by) if done else None,
                    state=state,
                )
            )
        return found

    @strawberry.field
    def has_open_measure(self) -> bool:
        return bool(self.aggregate.open_measures)

    @strawberry.field
    def revisits(self) -> list[CaseRevisit]:
        return [
            CaseRevisit(
                number=r.number,
                outcome=CaseRevisitOutcome(r.outcome.value),
                note=r.note,
                at=r.at,
                actor=_who(r.by),
            )
            for r in self.aggregate.revisits
        ]

    @strawberry.field(description="The current or last tracking (盯办), if any.")
    def tracking(self) -> CaseTracking | None:
        found = self.aggregate.tracking
        return CaseTracking.of(found) if found else None

    @strawberry.field(description="Every tracking of the case, oldest first.")
    def tracking_history(self) -> list[CaseTracking]:
        return [CaseTracking.of(t) for t in self.aggregate.trackings]

    @strawberry.field(description="Appraisals (鉴定): pauses of the handling limit.")
    def appraisals(self) -> list[CaseAppraisal]:
        return [
            CaseAppraisal(
                reason=a.reason,
                started_at=a.started_at,
                started_by=_who(a.started_by),
                ended_at=a.ended_at,
                ended_by=_actor(a.ended_by),
            )
            for a in self.aggregate.appraisals
        ]

    @strawberry.field(description="Approved extensions of the handling limit.")
    def handling_extensions(self) -> list[CaseExtension]:
        return [CaseExtension.of(e) for e in self.aggregate.handling_extensions]

    def _due(self, info: Info, key: str) -> Deadline | None:
        state = next((s for s in self.aggregate.deadline_states() if s.key == key), None)
        return _deadline(info, state, key) if state else None

    @strawberry.field(
        description="Administrative handling limit (办案期限): 30 日 + approved extension, "
        "appraisal time not counted; met by any final stage."
    )
    def handling_due(self, info: Info) -> Deadline | None:
        return self._due(info, HANDLING_DUE)

    @strawberry.field(description="First revisit (回访) due, started by acceptance.")
    def first_revisit_due(self, info: Info) -> Deadline | None:
        return self._due(info, FIRST_REVISIT_DUE)

    @strawberry.field(description="Second revisit due (from day 15 after acceptance).")
    def second_revisit_due(self, info: Info) -> Deadline | None:
        return self._due(info, SECOND_REVISIT_DUE)

    @strawberry.field(description="Each time the case was found outside jurisdiction (art. 175).")
    def outside_jurisdiction(self) -> list[CaseOutsideJurisdiction]:
        states = {s.key: s for s in self.aggregate.deadline_states()}
        return [
            CaseOutsideJurisdiction(
                number=o.number,
                reason=o.reason,
                at=o.at,
                actor=_who(o.by),
                transferred_at=self.aggregate.transferred_since(o.at),
                unit_code=o.unit,
                state=states.get(outside_jurisdiction_key(o.number)),
            )
            for o in self.aggregate.outside_jurisdiction
        ]

    @strawberry.field(description="The notice of not filing (不予立案通知书), once served.")
    def not_filing_notice(self) -> CaseNotFilingNotice | None:
        n = self.aggregate.not_filing_notice
        return CaseNotFilingNotice(served_at=n.served_at, at=n.at, actor=_who(n.by)) if n else None

    @strawberry.field(description="复议 of not filing, if applied for.")
    def reconsideration(self) -> CaseNotFilingChallenge | None:
        c = self.aggregate.challenge(ChallengeLevel.RECONSIDERATION)
        return CaseNotFilingChallenge.of(c) if c else None

    @strawberry.field(description="复核 of not filing, if applied for.")
    def review(self) -> CaseNotFilingChallenge | None:
        c = self.aggregate.challenge(ChallengeLevel.REVIEW)
        return CaseNotFilingChallenge.of(c) if c else None

    def _window(self, info: Info, key: str) -> Deadline | None:
        state = next((s for s in self.aggregate.window_states() if s.key == key), None)
        if state is None:
            return None
        # The window binds the applicant: it is shown, but never overdue for the police.
        return Deadline.build(
            key,
            state.deadline,
            now=info.context.call.runtime.clock.now(),
            satisfied_at=state.satisfied_at,
            settled=True,
        )

    @strawberry.field(
        description="Notice of not filing (不予立案通知书) within 3 日 of refusing (art. 178)."
    )
    def not_filing_notice_due(self, info: Info) -> Deadline | None:
        return self._due(info, NOT_FILING_NOTICE_DUE)

    @strawberry.field(
        description="复议 application window: 7 日 from the notice (art. 179); never overdue."
    )
    def reconsideration_window(self, info: Info) -> Deadline | None:
        return self._window(info, RECONSIDERATION_WINDOW)

    @strawberry.field(description="复议 decision: 30 日 from the application, +≤30 (art. 179).")
    def reconsideration_decision_due(self, info: Info) -> Deadline | None:
        return self._due(info, RECONSIDERATION_DECISION_DUE)

    @strawberry.field(
        description="复核 application window: 7 日 from the 复议 decision (art. 179); never overdue."
    )
    def review_window(self, info: Info) -> Deadline | None:
        return self._window(info, REVIEW_WINDOW)

    @strawberry.field(description="复核 decision: 30 日 from the application, +≤30 (art. 179).")
    def review_decision_due(self, info: Info) -> Deadline | None:
        return self._due(info, REVIEW_DECISION_DUE)

    @strawberry.field(
        description="Administrative penalty decision: 90 日 from filing (行政处罚法 art. 60)."
    )
    def penalty_decision_due(self, info: Info) -> Deadline | None:
        return self._due(info, PENALTY_DECISION_DUE)

    @strawberry.field(description="Every deadline of the case and of its measures.")
    def deadlines(self, info: Info) -> list[Deadline]:
        return [_deadline(info, s, s.key) for s in self.aggregate.deadline_states()]

    @strawberry.field(description="Some deadline of the case or its measures passed unmet.")
    def overdue(self, info: Info) -> bool:
        return self.aggregate.is_overdue(info.context.call.runtime.clock.now())

    @strawberry.field(description="This case's audit events, oldest first.")
    async def audit_trail(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        from api.audit.queries import trail

        return await trail(info, self.id, first, after)
