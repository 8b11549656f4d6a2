"""Typed row classes of the tables migration 0001 creates (migrations own the DDL)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast
from uuid import UUID

from sqlalchemy import Table, Text
from sqlalchemy.dialects.postgresql import ARRAY, BYTEA, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Row(DeclarativeBase):
    pass


class ChannelRow(Row):
    __tablename__ = "channel"
    code: Mapped[str] = mapped_column(primary_key=True)
    name: Mapped[str]
    name_zh: Mapped[str]


class UnitRow(Row):
    __tablename__ = "unit"
    code: Mapped[str] = mapped_column(primary_key=True)
    version: Mapped[int]
    name: Mapped[str]
    kind: Mapped[str]
    parent_code: Mapped[str | None]
    path: Mapped[str]
    updated_at: Mapped[datetime]


class OfficerRow(Row):
    __tablename__ = "officer"
    code: Mapped[str] = mapped_column(primary_key=True)
    version: Mapped[int]
    name: Mapped[str]
    kind: Mapped[str]
    unit_code: Mapped[str]
    account: Mapped[str | None]
    updated_at: Mapped[datetime]


class OfficerAssignmentRow(Row):
    __tablename__ = "officer_assignment"
    officer_code: Mapped[str] = mapped_column(primary_key=True)
    valid_from: Mapped[date] = mapped_column(primary_key=True)
    unit_code: Mapped[str]


class CategoryRow(Row):
    __tablename__ = "complaint_category"
    code: Mapped[str] = mapped_column(primary_key=True)
    version: Mapped[int]
    name: Mapped[str]
    parent_code: Mapped[str | None]
    is_enforcement: Mapped[bool]
    updated_at: Mapped[datetime]


class ClockRuleRow(Row):
    __tablename__ = "clock_rule"
    code: Mapped[str] = mapped_column(primary_key=True)
    clock: Mapped[str]
    scope: Mapped[str]
    name: Mapped[str]
    start_event: Mapped[str]
    unit: Mapped[str]
    limit_value: Mapped[int]
    max_extension: Mapped[int]
    extension_approver: Mapped[str | None]
    shift_holiday_end: Mapped[bool]
    warn_before: Mapped[int]
    basis: Mapped[str]


class CalendarDayRow(Row):
    __tablename__ = "calendar_day"
    day: Mapped[date] = mapped_column(primary_key=True)
    kind: Mapped[str]


class ComplainantRow(Row):
    __tablename__ = "complainant"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    name: Mapped[str | None]
    phone: Mapped[str | None]
    id_number: Mapped[str | None]
    salt: Mapped[bytes | None] = mapped_column(BYTEA)
    created_at: Mapped[datetime]
    erased_at: Mapped[datetime | None]


class PersonalDataAccessRow(Row):
    __tablename__ = "personal_data_access"
    id: Mapped[int] = mapped_column(primary_key=True)
    accessed_at: Mapped[datetime]
    complainant_id: Mapped[UUID]
    actor_subject: Mapped[str]
    actor_role: Mapped[str]
    request_id: Mapped[str | None]


class ComplaintRow(Row):
    __tablename__ = "complaint"
    id: Mapped[UUID] = mapped_column(primary_key=True)
    version: Mapped[int]
    channel_code: Mapped[str]
    received_at: Mapped[datetime]
    registered_at: Mapped[datetime]
    subject: Mapped[str]
    content: Mapped[str]
    complainant_id: Mapped[UUID]
    complained_units: Mapped[list[str]] = mapped_column(ARRAY(Text))
    complained_officers: Mapped[list[str]] = mapped_column(ARRAY(Text))
    external_system: Mapped[str | None]
    external_ticket: Mapped[str | None]
    status: Mapped[str]
    category_code: Mapped[str | None]
    important: Mapped[bool]
    primary_unit_code: Mapped[str | None]
    line_unit_code: Mapped[str | None]
    reply_text: Mapped[str | None]
    replied_at: Mapped[datetime | None]
    satisfaction: Mapped[str | None]
    callback_note: Mapped[str | None]
    called_back_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    merged_into_id: Mapped[UUID | None]
    rejection_reason: Mapped[str | None]
    reopen_count: Mapped[int]
    correlation_id: Mapped[UUID]
    reply_due_at: Mapped[datetime | None]
    callback_due_at: Mapped[datetime | None]
    deadlines: Mapped[dict[str, Any]] = mapped_column(JSONB)
    updated_at: Mapped[datetime]


unit = cast(Table, UnitRow.__table__)
officer = cast(Table, OfficerRow.__table__)
officer_assignment = cast(Table, OfficerAssignmentRow.__table__)
category = cast(Table, CategoryRow.__table__)
channel = cast(Table, ChannelRow.__table__)
clock_rule = cast(Table, ClockRuleRow.__table__)
calendar_day = cast(Table, CalendarDayRow.__table__)
complainant = cast(Table, ComplainantRow.__table__)
personal_data_access = cast(Table, PersonalDataAccessRow.__table__)
complaint = cast(Table, ComplaintRow.__table__)
