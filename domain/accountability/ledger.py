"""An officer's points ledger (积分, seed 004): 达标得分、过错扣分、积分消抵.

One small aggregate per officer (id = the officer code), so that every entry is one audited event
with a version. Entries are only ever added:

| kind | effect |
|---|---|
| EARN 达标得分 | +amount to the balance; needs an indicator the evaluation may use |
| DEDUCT 过错扣分 | −amount; only a decided accountability deducts (amounts per measure are data) |
| OFFSET 积分消抵 | earned points cancel deducted ones: the balance stays, the outstanding deductions fall; at most the points earned and not yet used, and at most the deductions outstanding |
| REVERSAL | +amount: an appeal revoked or lightened the measures a deduction was for; earned points that had offset the reversed deduction become available again |

balance = earned − deducted + reversed; outstanding deductions = deducted − offset − reversed;
available for offset = earned − offset.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from domain.aggregate import Aggregate
from domain.errors import ValidationFailed

MAX_AMOUNT = 1_000
MAX_REASON = 2_000
INDICATOR = re.compile(r"^[A-Z][A-Z0-9_]{0,63}$")


class EntryKind(StrEnum):
    EARN = "EARN"  # 达标得分
    DEDUCT = "DEDUCT"  # 过错扣分
    OFFSET = "OFFSET"  # 积分消抵
    REVERSAL = "REVERSAL"  # 申诉撤销或变更后退还


_EVENTS = {
    EntryKind.EARN: "earned",
    EntryKind.DEDUCT: "deducted",
    EntryKind.OFFSET: "offset",
    EntryKind.REVERSAL: "reversed",
}


@dataclass(frozen=True, slots=True)
class SourceRef:
    """The item an entry is for: an aggregate type and its id (the API shows a global id)."""

    type: str
    id: str


@dataclass(frozen=True, slots=True)
class ForbiddenIndicators:
    """Indicators evaluation must not use (罚没款, 拘留数, 案件数, 退补率, 破案率…): codes and aliases."""

    codes: Mapping[str, str]  # code → name
    aliases: Mapping[str, str] = field(default_factory=dict)  # alias → code

    def match(self, text: str) -> str | None:
        """The forbidden code `text` is or names, if any."""
        clean = text.strip()
        upper = clean.upper()
        if upper in self.codes:
            return upper
        for alias, code in self.aliases.items():
            if not alias:
                continue
            if alias.upper() == upper:
                return code
            # Words (罚没款, 破案率…) are refused anywhere in the text; codes only whole.
            if not alias.isascii() and alias in clean:
                return code
        return None


def refuse_forbidden(forbidden: ForbiddenIndicators, *, indicator: str | None, reason: str) -> None:
    """VALIDATION when the indicator or the reason is one evaluation must not use."""
    for value, name in ((indicator, "indicatorCode"), (reason, "reason")):
        if value is None:
            continue
        code = forbidden.match(value)
        if code is not None:
            raise ValidationFailed(
                f"evaluation must not use {code} ({forbidden.codes[code]}) as an indicator; "
                "points are earned for meeting enforcement standards",
                field=name,
            )


def delta(kind: EntryKind, amount: int) -> int:
    """What an entry of `kind` does to the balance: an offset moves points, it adds none."""
    if kind is EntryKind.DEDUCT:
        return -amount
    if kind is EntryKind.OFFSET:
        return 0
    return amount


@dataclass(frozen=True, slots=True)
class PointsEntry:
    no: int
    kind: EntryKind
    amount: int
    balance_after: int
    indicator: str | None
    reason: str
    source: SourceRef | None
    recorded_at: datetime

    @property
    def delta(self) -> int:
        """The entry's effect on the balance."""
        return delta(self.kind, self.amount)

    def as_record(self) -> dict[str, Any]:
        return {
            "no": self.no,
            "kind": self.kind.value,
            "amount": self.amount,
            "balanceAfter": self.balance_after,
            "indicator": self.indicator,
            "reason": self.reason,
            "sourceType": self.source.type if self.source else None,
            "sourceId": self.source.id if self.source else None,
        }


class PointsLedger(Aggregate):
    aggregate_type: ClassVar[str] = "points_ledger"

    def __init__(
        self,
        *,
        officer: str,
        version: int,
        earned: int = 0,
        deducted: int = 0,
        offset: int = 0,
        reversed: int = 0,
        entry_count: int = 0,
        unit: str | None = None,
    ) -> None:
        super().__init__(id=officer, version=version)
        self.officer = officer
        self.earned = earned
        self.deducted = deducted
        self.offset = offset
        self.reversed = reversed
        self.entry_count = entry_count
        # The officer's current unit, for the audit event's owner unit (not stored here).
        self.unit = unit
        self.new_entries: list[PointsEntry] = []

    @classmethod
    def empty(cls, officer: str, *, unit: str | None = None) -> PointsLedger:
        """A ledger with no entry yet (version 0): its first entry creates it."""
        return cls(officer=officer, version=0, unit=unit)

    @property
    def owner_unit(self) -> str | None:
        return self.unit

    @property
    def balance(self) -> int:
        return self.earned - self.deducted + self.reversed

    @property
    def outstanding(self) -> int:
        """Deducted points not yet offset or reversed."""
        return self.deducted - self.offset - self.reversed

    @property
    def available(self) -> int:
        """Earned points not yet used to offset deductions."""
        return self.earned - self.offset

    def snapshot(self) -> dict[str, Any]:
        return {
            "earned": self.earned,
            "deducted": self.deducted,
            "offset": self.offset,
            "reversed": self.reversed,
            "balance": self.balance,
            "outstanding": self.outstanding,
            "entries": self.entry_count,
        }

    def record(
        self,
        *,
        kind: EntryKind,
        amount: int,
        reason: str,
        indicator: str | None,
        source: SourceRef | None,
        forbidden: ForbiddenIndicators,
        at: datetime,
    ) -> PointsEntry:
        """Add one entry; each is its own audited event (so one entry per ledger per command)."""
        if not 0 < amount <= MAX_AMOUNT:
            raise ValidationFailed(f"amount must be between 1 and {MAX_AMOUNT}", field="amount")
        why = reason.strip()
        if not why:
            raise ValidationFailed("reason must not be empty", field="reason")
        if len(why) > MAX_REASON:
            raise ValidationFailed(
                f"reason must be at most {MAX_REASON} characters", field="reason"
            )
        code = indicator.strip().upper() if indicator and indicator.strip() else None
        if code is not None and not INDICATOR.match(code):
            raise ValidationFailed(
                "indicatorCode must be an upper-case code (A–Z, 0–9, _)", field="indicatorCode"
            )
        if kind is EntryKind.EARN:
            if code is None:
                raise ValidationFailed(
                    "points are earned against an indicator: give indicatorCode",
                    field="indicatorCode",
                )
            refuse_forbidden(forbidden, indicator=code, reason=why)
        elif kind is EntryKind.OFFSET:
            refuse_forbidden(forbidden, indicator=code, reason=why)
            if amount > self.outstanding:
                raise ValidationFailed(
                    f"only {self.outstanding} deducted points are outstanding to offset",
                    field="amount",
                )
            if amount > self.available:
                raise ValidationFailed(
                    f"only {self.available} earned points are available to offset deductions",
                    field="amount",
                )
        elif kind is EntryKind.REVERSAL and amount > self.deducted - self.reversed:
            raise ValidationFailed(
                f"only {self.deducted - self.reversed} deducted points are left to reverse",
                field="amount",
            )
        entry = PointsEntry(
            no=self.entry_count + 1,
            kind=kind,
            amount=amount,
            balance_after=self.balance + delta(kind, amount),
            indicator=code,
            reason=why,
            source=source,
            recorded_at=at,
        )

        def apply() -> None:
            if kind is EntryKind.EARN:
                self.earned += amount
            elif kind is EntryKind.DEDUCT:
                self.deducted += amount
            elif kind is EntryKind.OFFSET:
                self.offset += amount
            else:
                self.reversed += amount
                # A reversed deduction that earned points had offset gives those points back.
                if self.outstanding < 0:
                    self.offset += self.outstanding
            self.entry_count = entry.no
            self.new_entries.append(entry)

        self._change(_EVENTS[kind], at=at, mutate=apply, data={"entry": entry.as_record()})
        return entry


def balance_of(entries: Iterable[PointsEntry]) -> int:
    """The balance a list of entries adds up to (the ledger keeps it as running totals)."""
    return sum(e.delta for e in entries)
