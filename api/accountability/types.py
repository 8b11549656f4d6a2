"""GraphQL types of the accountability aggregate, the points ledger and the integrity record."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any, cast
from uuid import UUID

import strawberry
from sqlalchemy import select
from strawberry.dataloader import DataLoader

from api import nodes
from api.audit.types import AuditEvent
from api.complaint.types import Complaint, Deadline
from api.context import Info
from api.failures import ClientError
from api.reference.types import Officer, Unit
from api.relay import Connection, Node, build_connection, decode_cursor, page_size, to_global_id
from api.review.types import Review
from domain.accountability import aggregate as domain
from domain.accountability import ledger as points
from domain.accountability.exposure import MEASURE_LABELS
from domain.accountability.exposure import ExposureEntry as DomainExposureEntry
from service.accountability import visibility as accountability_visibility
from service.context import Call
from service.review import visibility as review_visibility
from store import accountability as store
from store.review import review as review_table


@strawberry.enum(description="Accountability lifecycle states (执法过错责任追究).")
class AccountabilityStatus(Enum):
    OPEN = "OPEN"
    PROPOSED = "PROPOSED"
    DECIDED = "DECIDED"
    APPEALED = "APPEALED"
    APPEAL_DECIDED = "APPEAL_DECIDED"


@strawberry.enum(description="A person's role in the matter: 值班所领导, 主办民警, 聘员, other.")
class AccountabilitySubjectRole(Enum):
    ON_DUTY_LEADER = "ON_DUTY_LEADER"
    LEAD_OFFICER = "LEAD_OFFICER"
    AUXILIARY = "AUXILIARY"
    OTHER = "OTHER"


@strawberry.enum(description="Responsibility kind: 直接责任 DIRECT, 领导责任 LEADERSHIP.")
class AccountabilityResponsibility(Enum):
    DIRECT = "DIRECT"
    LEADERSHIP = "LEADERSHIP"


@strawberry.enum(
    description="Role in the decision chain, by which the fault is shared: 办案人, 审核人, 审批人, "
    "鉴定人."
)
class DecisionChainRole(Enum):
    HANDLING_OFFICER = "HANDLING_OFFICER"
    REVIEWER = "REVIEWER"
    APPROVER = "APPROVER"
    APPRAISER = "APPRAISER"


@strawberry.enum(
    description="The fault's mental element; INTENT and GROSS_NEGLIGENCE are lifelong (终身追责)."
)
class FaultCulpability(Enum):
    INTENT = "INTENT"
    GROSS_NEGLIGENCE = "GROSS_NEGLIGENCE"
    NEGLIGENCE = "NEGLIGENCE"


@strawberry.enum(
    description="Measures: 批评教育, 诫勉, 调整职务, 责令辞职, 停止执行职务 (10–60 日), 禁闭 (1–7 日), "
    "and sanctions 警告, 记过, 记大过, 降级, 撤职, 开除."
)
class AccountabilityMeasureKind(Enum):
    CRITICISM_EDUCATION = "CRITICISM_EDUCATION"
    ADMONISHMENT = "ADMONISHMENT"
    POST_ADJUSTMENT = "POST_ADJUSTMENT"
    ORDERED_RESIGNATION = "ORDERED_RESIGNATION"
    SUSPENSION = "SUSPENSION"
    CONFINEMENT = "CONFINEMENT"
    WARNING = "WARNING"
    DEMERIT = "DEMERIT"
    MAJOR_DEMERIT = "MAJOR_DEMERIT"
    DEMOTION = "DEMOTION"
    DISMISSAL_FROM_POST = "DISMISSAL_FROM_POST"
    EXPULSION = "EXPULSION"


@strawberry.enum
class AccountabilityMeasureStatus(Enum):
    IN_FORCE = "IN_FORCE"
    SUPERSEDED = "SUPERSEDED"
    REVOKED = "REVOKED"


@strawberry.enum(description="Whom a measure is for.")
class AccountabilitySubjectKind(Enum):
    PERSON = "PERSON"
    UNIT = "UNIT"


@strawberry.enum(description="An appeal's decision: 维持 UPHELD, 变更 CHANGED, 撤销 REVOKED.")
class AccountabilityAppealOutcome(Enum):
    UPHELD = "UPHELD"
    CHANGED = "CHANGED"
    REVOKED = "REVOKED"


@strawberry.enum(
    description="达标得分 EARN, 过错扣分 DEDUCT, 积分消抵 OFFSET (earned points cancel deducted ones), "
    "REVERSAL (an appeal revoked or lightened the measures)."
)
class PointsEntryKind(Enum):
    EARN = "EARN"
    DEDUCT = "DEDUCT"
    OFFSET = "OFFSET"
    REVERSAL = "REVERSAL"


def _now(info: Info) -> datetime:
    return info.context.call.runtime.clock.now()


async def _unit(info: Info, code: str | None) -> Unit | None:
    if code is None:
        return None
    row = await info.context.loaders.unit.load(code)
    return Unit.from_row(row) if row else None


async def _officer(info: Info, code: str) -> Officer | None:
    row = await info.context.loaders.officer.load(code)
    return Officer.from_row(row) if row else None


def source_global_id(source: points.SourceRef | None) -> strawberry.ID | None:
    """The global id of an entry's source item (its API registers the node kind)."""
    if source is None:
        return None
    kind = nodes.kind_for_aggregate(source.type)
    type_name = kind.type_name if kind else source.type
    return strawberry.ID(to_global_id(type_name, source.id))


# -- loaders -----------------------------------------------------------------------------------------


class AccountabilityLoaders:
    """One query per kind of nested object per request."""

    def __init__(self, call: Call) -> None:
        self.call = call
        self.review = DataLoader(self._reviews)

    async def _reviews(self, ids: list[UUID]) -> list[Any]:
        """Review rows, each only if the caller may see it."""
        query = select(review_table).where(review_table.c.id.in_(ids))
        condition = review_visibility(self.call.actor)
        if condition is not None:
            query = query.where(condition)
        async with self.call.runtime.engine.connect() as conn:
            found = {row.id: row for row in await conn.execute(query)}
        return [found.get(i) for i in ids]


def loaders(info: Info) -> AccountabilityLoaders:
    found = info.context.extras.get("accountability-loaders")
    if found is None:
        found = AccountabilityLoaders(info.context.call)
        info.context.extras["accountability-loaders"] = found
    return cast(AccountabilityLoaders, found)


# -- the parts ---------------------------------------------------------------------------------------


@strawberry.type(description="What kind of fault (过错类型): a code and its words.")
class AccountabilityFaultType:
    code: str
    text: str

    @classmethod
    def from_domain(cls, fault: domain.FaultType) -> AccountabilityFaultType:
        return cls(code=fault.code, text=fault.text)


@strawberry.type(description="A decided measure and its period, computed from its clock rule.")
class AccountabilityMeasure:
    no: int
    subject_kind: AccountabilitySubjectKind
    subject_code: str
    kind: AccountabilityMeasureKind
    label: str = strawberry.field(description="The measure's name, e.g. 记过.")
    days: int | None
    status: AccountabilityMeasureStatus
    decided_at: datetime
    appeal_no: int | None = strawberry.field(
        description="The appeal that set, superseded or revoked it."
    )
    measure: strawberry.Private[domain.Measure]

    @classmethod
    def from_domain(cls, measure: domain.Measure) -> AccountabilityMeasure:
        return cls(
            no=measure.no,
            subject_kind=AccountabilitySubjectKind(measure.subject_kind.value),
            subject_code=measure.subject,
            kind=AccountabilityMeasureKind(measure.kind.value),
            label=MEASURE_LABELS[measure.kind],
            days=measure.days,
            status=AccountabilityMeasureStatus(measure.status.value),
            decided_at=measure.decided_at,
            appeal_no=measure.appeal_no,
            measure=measure,
        )

    @strawberry.field(
        description="When the measure's period (处分期, 停止执行职务, 禁闭) ends, with its basis; "
        "null for a measure without one (e.g. 开除, 诫勉)."
    )
    def period(self, info: Info) -> Deadline | None:
        if self.measure.period is None:
            return None
        return Deadline.build(
            f"measure.{self.no}", self.measure.period, now=_now(info), satisfied_at=None
        )

    @strawberry.field(description="Whether the period has run out.")
    def period_ended(self, info: Info) -> bool | None:
        period = self.measure.period
        if period is None or period.due_at is None:
            return None
        return _now(info) >= period.due_at


@strawberry.type(description="A measure as proposed, before the decision.")
class ProposedAccountabilityMeasure:
    subject_code: str
    kind: AccountabilityMeasureKind
    days: int | None


@strawberry.type(
    description="A person held accountable: officer, auxiliary (聘员) or on-duty leader (值班所领导)."
)
class AccountabilityPerson:
    officer_code: str
    role_in_matter: AccountabilitySubjectRole
    fault_type: AccountabilityFaultType
    responsibility: AccountabilityResponsibility
    chain_role: DecisionChainRole
    share: int = strawberry.field(description="Share of the fault, in percent; shares add to 100.")
    unit_at_fault_code: str
    measures: list[AccountabilityMeasure] = strawberry.field(
        description="The measures in force for this person."
    )

    @classmethod
    def from_domain(
        cls, person: domain.PersonSubject, item: domain.Accountability
    ) -> AccountabilityPerson:
        return cls(
            officer_code=person.officer,
            role_in_matter=AccountabilitySubjectRole(person.role.value),
            fault_type=AccountabilityFaultType.from_domain(person.fault_type),
            responsibility=AccountabilityResponsibility(person.responsibility.value),
            chain_role=DecisionChainRole(person.chain_role.value),
            share=person.share,
            unit_at_fault_code=person.unit_at_fault,
            measures=[
                AccountabilityMeasure.from_domain(m) for m in item.measures_of(person.officer)
            ],
        )

    @strawberry.field
    async def officer(self, info: Info) -> Officer | None:
        return await _officer(info, self.officer_code)

    @strawberry.field(description="The unit the person served in on the day of the fault.")
    async def unit_at_fault(self, info: Info) -> Unit | None:
        return await _unit(info, self.unit_at_fault_code)


@strawberry.type(description="A unit held accountable.")
class AccountabilityUnit:
    unit_code: str
    fault_type: AccountabilityFaultType
    responsibility: AccountabilityResponsibility
    measures: list[AccountabilityMeasure]

    @strawberry.field
    async def unit(self, info: Info) -> Unit | None:
        return await _unit(info, self.unit_code)


@strawberry.type(description="An appeal (申诉) by a person held accountable, and its decision.")
class AccountabilityAppeal:
    no: int
    appellant_code: str
    grounds: str
    lodged_at: datetime
    outcome: AccountabilityAppealOutcome | None
    note: str | None
    decided_at: datetime | None

    @classmethod
    def from_domain(cls, appeal: domain.Appeal) -> AccountabilityAppeal:
        return cls(
            no=appeal.no,
            appellant_code=appeal.appellant,
            grounds=appeal.grounds,
            lodged_at=appeal.lodged_at,
            outcome=AccountabilityAppealOutcome(appeal.outcome.value) if appeal.outcome else None,
            note=appeal.note,
            decided_at=appeal.decided_at,
        )

    @strawberry.field
    async def appellant(self, info: Info) -> Officer | None:
        return await _officer(info, self.appellant_code)


@strawberry.type(description="A subject as published: role and unit, never a name.")
class ExposureSubject:
    label: str
    measures: list[str]


@strawberry.type(
    description="A typical case on the exposure board (曝光台), free of personal data."
)
class ExposureEntry:
    id: strawberry.ID
    title: str
    summary: str
    fault_type: str
    subjects: list[ExposureSubject]
    published_at: datetime

    @classmethod
    def from_domain(cls, accountability_id: str, entry: DomainExposureEntry) -> ExposureEntry:
        return cls(
            id=strawberry.ID(to_global_id("ExposureEntry", accountability_id)),
            title=entry.title,
            summary=entry.summary,
            fault_type=entry.fault_type,
            subjects=[
                ExposureSubject(label=s.label, measures=list(s.measures)) for s in entry.subjects
            ],
            published_at=entry.published_at,
        )


# -- the accountability ------------------------------------------------------------------------------


@strawberry.type(description="An accountability (执法过错责任追究) for a fault found by a review.")
class Accountability(Node):
    version: int
    status: AccountabilityStatus
    correlation_id: strawberry.ID = strawberry.field(
        description="The loop it belongs to: its review's."
    )
    review_id: strawberry.ID = strawberry.field(description="The review that found the fault.")
    fault_type: AccountabilityFaultType
    fault_date: date
    culpability: FaultCulpability
    lifelong: bool = strawberry.field(
        description="终身追责: an intentional or grossly negligent fault follows the person for life."
    )
    opened_at: datetime
    persons: list[AccountabilityPerson]
    units: list[AccountabilityUnit]
    proposed_measures: list[ProposedAccountabilityMeasure]
    proposed_at: datetime | None
    measures: list[AccountabilityMeasure] = strawberry.field(
        description="Every decided measure, including those superseded or revoked on appeal."
    )
    decided_at: datetime | None
    decision_note: str | None
    appeals: list[AccountabilityAppeal]
    exposure: ExposureEntry | None

    uuid: strawberry.Private[UUID]
    review_uuid: strawberry.Private[UUID]
    unit_code: strawberry.Private[str]
    window: strawberry.Private[Any]

    @classmethod
    def from_row(cls, row: Any) -> Accountability:
        return cls.from_aggregate(store.to_aggregate(row))

    @classmethod
    def from_aggregate(cls, item: domain.Accountability) -> Accountability:
        return cls(
            id=strawberry.ID(to_global_id("Accountability", item.id)),
            uuid=UUID(item.id),
            version=item.version,
            status=AccountabilityStatus(item.status.value),
            correlation_id=strawberry.ID(str(item.correlation)),
            review_id=strawberry.ID(to_global_id("Review", item.review_id)),
            review_uuid=UUID(item.review_id),
            fault_type=AccountabilityFaultType.from_domain(item.fault_type),
            fault_date=item.fault_date,
            culpability=FaultCulpability(item.culpability.value),
            lifelong=item.lifelong,
            opened_at=item.opened_at,
            persons=[AccountabilityPerson.from_domain(p, item) for p in item.persons],
            units=[
                AccountabilityUnit(
                    unit_code=u.unit,
                    fault_type=AccountabilityFaultType.from_domain(u.fault_type),
                    responsibility=AccountabilityResponsibility(u.responsibility.value),
                    measures=[
                        AccountabilityMeasure.from_domain(m) for m in item.measures_of(u.unit)
                    ],
                )
                for u in item.units
            ],
            proposed_measures=[
                ProposedAccountabilityMeasure(
                    subject_code=o.subject,
                    kind=AccountabilityMeasureKind(o.kind.value),
                    days=o.days,
                )
                for o in item.proposed
            ],
            proposed_at=item.proposed_at,
            measures=[AccountabilityMeasure.from_domain(m) for m in item.measures],
            decided_at=item.decided_at,
            decision_note=item.decision_note,
            appeals=[AccountabilityAppeal.from_domain(a) for a in item.appeals],
            exposure=ExposureEntry.from_domain(item.id, item.exposure) if item.exposure else None,
            unit_code=item.unit,
            window=item.appeal_window,
        )

    @strawberry.field(description="The review that found the fault, if it is in your scope.")
    async def review(self, info: Info) -> Review | None:
        row = await loaders(info).review.load(self.review_uuid)
        return Review.from_row(row) if row else None

    @strawberry.field(description="The reviewed unit (the accountability's owner unit).")
    async def unit(self, info: Info) -> Unit | None:
        return await _unit(info, self.unit_code)

    @strawberry.field(description="The appeal window (申诉期) from the decision, with its basis.")
    def appeal_due(self, info: Info) -> Deadline | None:
        if self.window is None:
            return None
        return Deadline.build("appeal", self.window, now=_now(info), satisfied_at=None)

    @strawberry.field(description="Whether an appeal is still accepted now.")
    def appeal_open(self, info: Info) -> bool:
        if self.status not in {
            AccountabilityStatus.DECIDED,
            AccountabilityStatus.APPEALED,
            AccountabilityStatus.APPEAL_DECIDED,
        }:
            return False
        due = self.window.due_at if self.window is not None else None
        return due is None or _now(info) < due

    @strawberry.field(description="This accountability's audit events, oldest first.")
    async def audit_trail(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        from api.audit.queries import trail

        return await trail(info, self.id, first, after)


# -- the points ledger -------------------------------------------------------------------------------


async def ledger_entries(
    info: Info, officer_code: str, first: int | None, after: str | None
) -> Connection[PointsEntry]:
    """An officer's points entries, newest first."""
    size = page_size(first)
    t = store.points_entry
    query = select(t).where(t.c.officer_code == officer_code)
    if after is not None:
        (last,) = decode_cursor(after, 1)
        try:
            query = query.where(t.c.no < int(last))
        except (TypeError, ValueError):
            raise ClientError("the `after` cursor is not valid", code="VALIDATION") from None
    query = query.order_by(t.c.no.desc()).limit(size + 1)
    async with info.context.call.runtime.engine.connect() as conn:
        found = (await conn.execute(query)).all()
    return build_connection(
        found,
        size=size,
        after=after,
        key=lambda r: [r.no],
        node=lambda r: PointsEntry.from_domain(store.entry_from_row(r)),
    )


@strawberry.type(description="One points entry (积分): each is an audited version of the ledger.")
class PointsEntry:
    no: int
    kind: PointsEntryKind
    amount: int
    balance_after: int
    indicator_code: str | None
    reason: str
    source_id: strawberry.ID | None = strawberry.field(
        description="The global id of the item the entry is for (e.g. an Accountability)."
    )
    recorded_at: datetime

    @classmethod
    def from_domain(cls, entry: points.PointsEntry) -> PointsEntry:
        return cls(
            no=entry.no,
            kind=PointsEntryKind(entry.kind.value),
            amount=entry.amount,
            balance_after=entry.balance_after,
            indicator_code=entry.indicator,
            reason=entry.reason,
            source_id=source_global_id(entry.source),
            recorded_at=entry.recorded_at,
        )


@strawberry.type(
    description="An officer's points ledger: 达标得分、过错扣分、积分消抵. balance = earned − deducted "
    "+ reversed; an offset cancels deducted points with earned ones and leaves the balance."
)
class PointsLedger(Node):
    officer_code: str
    version: int
    balance: int
    earned: int
    deducted: int
    offset: int
    reversed: int
    outstanding_deductions: int = strawberry.field(
        description="Deducted points not yet offset or reversed."
    )
    available_for_offset: int = strawberry.field(
        description="Earned points not yet used to offset deductions."
    )
    entry_count: int

    @classmethod
    def from_aggregate(cls, ledger: points.PointsLedger) -> PointsLedger:
        return cls(
            id=strawberry.ID(to_global_id("PointsLedger", ledger.officer)),
            officer_code=ledger.officer,
            version=ledger.version,
            balance=ledger.balance,
            earned=ledger.earned,
            deducted=ledger.deducted,
            offset=ledger.offset,
            reversed=ledger.reversed,
            outstanding_deductions=ledger.outstanding,
            available_for_offset=ledger.available,
            entry_count=ledger.entry_count,
        )

    @classmethod
    def from_row(cls, row: Any) -> PointsLedger:
        return cls.from_aggregate(store.ledger_from_row(row))

    @classmethod
    def empty(cls, officer_code: str) -> PointsLedger:
        return cls.from_aggregate(points.PointsLedger.empty(officer_code))

    @strawberry.field
    async def officer(self, info: Info) -> Officer | None:
        return await _officer(info, self.officer_code)

    @strawberry.field(description="Entries, newest first; keyset cursors; `first` at most 100.")
    async def entries(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> Connection[PointsEntry]:
        return await ledger_entries(info, self.officer_code, first, after)

    @strawberry.field(description="This ledger's audit events (one per entry), oldest first.")
    async def audit_trail(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent]:
        from api.audit.queries import trail

        return await trail(info, self.id, first, after)


# -- the integrity record (执法诚信档案) -------------------------------------------------------------


@strawberry.type(description="One fault in an officer's integrity record, with its measures.")
class IntegrityFault:
    accountability_id: strawberry.ID
    status: AccountabilityStatus
    fault_type: AccountabilityFaultType
    fault_date: date
    culpability: FaultCulpability
    lifelong: bool
    role_in_matter: AccountabilitySubjectRole
    responsibility: AccountabilityResponsibility
    chain_role: DecisionChainRole
    share: int
    unit_at_fault_code: str
    decided_at: datetime | None
    measures: list[AccountabilityMeasure] = strawberry.field(
        description="This person's decided measures, including those superseded or revoked."
    )
    uuid: strawberry.Private[UUID]

    @classmethod
    def build(cls, item: domain.Accountability, person: domain.PersonSubject) -> IntegrityFault:
        return cls(
            accountability_id=strawberry.ID(to_global_id("Accountability", item.id)),
            uuid=UUID(item.id),
            status=AccountabilityStatus(item.status.value),
            fault_type=AccountabilityFaultType.from_domain(person.fault_type),
            fault_date=item.fault_date,
            culpability=FaultCulpability(item.culpability.value),
            lifelong=item.lifelong,
            role_in_matter=AccountabilitySubjectRole(person.role.value),
            responsibility=AccountabilityResponsibility(person.responsibility.value),
            chain_role=DecisionChainRole(person.chain_role.value),
            share=person.share,
            unit_at_fault_code=person.unit_at_fault,
            decided_at=item.decided_at,
            measures=[
                AccountabilityMeasure.from_domain(m)
                for m in item.measures
                if m.subject == person.officer
            ],
        )

    @strawberry.field(description="The unit the officer served in on the day of the fault.")
    async def unit_at_fault(self, info: Info) -> Unit | None:
        return await _unit(info, self.unit_at_fault_code)

    @strawberry.field(description="The whole accountability, if it is in your scope.")
    async def accountability(self, info: Info) -> Accountability | None:
        query = select(store.accountability).where(store.accountability.c.id == self.uuid)
        condition = accountability_visibility(info.context.call.actor)
        if condition is not None:
            query = query.where(condition)
        async with info.context.call.runtime.engine.connect() as conn:
            row = (await conn.execute(query)).one_or_none()
        return Accountability.from_row(row) if row else None


@strawberry.type(
    description="An officer's enforcement-integrity record (执法诚信档案): faults wherever they "
    "served, points, and the complaints naming them."
)
class OfficerIntegrity:
    officer_code: str
    faults: list[IntegrityFault] = strawberry.field(description="Newest first.")
    points: PointsLedger
    complaints: list[Complaint] = strawberry.field(
        description="Complaints naming the officer that you may see, newest first (at most 100)."
    )

    @strawberry.field
    async def officer(self, info: Info) -> Officer | None:
        return await _officer(info, self.officer_code)

    @strawberry.field(description="Whether any fault is lifelong (终身追责).")
    def lifelong(self) -> bool:
        return any(f.lifelong for f in self.faults)

    @strawberry.field(description="The points balance (积分).")
    def points_balance(self) -> int:
        return self.points.balance

    @strawberry.field(description="Points entries, newest first (at most 100).")
    async def points_entries(self, info: Info) -> list[PointsEntry]:
        page = await ledger_entries(info, self.officer_code, 100, None)
        return [edge.node for edge in page.edges]
