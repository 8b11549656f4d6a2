"""The exposure board (曝光台): a typical case published without personal data.

People are shown by role and unit only ("福田分局某派出所主办民警"): a station is named by its
sub-bureau and "某派出所", as the bureau's own bulletins do (seed 000: "龙岗公安分局某派出所").
Names, officer codes, phone numbers and ID numbers are removed from the published text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.accountability.status import MeasureKind, SubjectRole

ROLE_LABELS: dict[SubjectRole, str] = {
    SubjectRole.ON_DUTY_LEADER: "值班所领导",
    SubjectRole.LEAD_OFFICER: "主办民警",
    SubjectRole.AUXILIARY: "聘员",
    SubjectRole.OTHER: "民警",
}
MEASURE_LABELS: dict[MeasureKind, str] = {
    MeasureKind.CRITICISM_EDUCATION: "批评教育",
    MeasureKind.ADMONISHMENT: "诫勉",
    MeasureKind.POST_ADJUSTMENT: "调整职务",
    MeasureKind.ORDERED_RESIGNATION: "责令辞职",
    MeasureKind.SUSPENSION: "停止执行职务",
    MeasureKind.CONFINEMENT: "禁闭",
    MeasureKind.WARNING: "警告",
    MeasureKind.DEMERIT: "记过",
    MeasureKind.MAJOR_DEMERIT: "记大过",
    MeasureKind.DEMOTION: "降级",
    MeasureKind.DISMISSAL_FROM_POST: "撤职",
    MeasureKind.EXPULSION: "开除",
}
MASK = "某"
REDACTED = "***"

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d(?:[- ]?\d{4}){2}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-?\d{7,8}(?!\d)")


def unit_label(*, kind: str, name: str, parent_name: str | None) -> str:
    """How a unit is shown: a station by its sub-bureau and "某派出所", other units by name."""
    if kind == "STATION":
        return f"{parent_name or ''}某派出所"
    return name


def person_label(*, role: SubjectRole, auxiliary: bool, unit: str) -> str:
    """Role and unit, never the name: "福田分局某派出所主办民警"."""
    label = ROLE_LABELS[role]
    if role is SubjectRole.OTHER and auxiliary:
        label = "辅警"
    return f"{unit}{label}"


def anonymise(text: str, *, names: Iterable[str] = (), codes: Iterable[str] = ()) -> str:
    """Remove the given names and codes, ID numbers and phone numbers from `text`."""
    clean = _ID_NUMBER.sub(REDACTED, text)
    clean = _MOBILE.sub(REDACTED, clean)
    clean = _LANDLINE.sub(REDACTED, clean)
    # Longest first, so that a name containing another is removed whole.
    for word in sorted({w.strip() for w in (*names, *codes) if w.strip()}, key=len, reverse=True):
        clean = clean.replace(word, MASK)
    return clean


@dataclass(frozen=True, slots=True)
class SubjectLine:
    """One subject as published: its label and the measures taken, by name."""

    label: str
    measures: tuple[str, ...]

    def as_record(self) -> dict[str, Any]:
        return {"label": self.label, "measures": list(self.measures)}


@dataclass(frozen=True, slots=True)
class ExposureEntry:
    """A published typical case (典型案例), free of personal data."""

    title: str
    summary: str
    fault_type: str
    subjects: tuple[SubjectLine, ...]
    published_at: datetime

    def as_record(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "summary": self.summary,
            "faultType": self.fault_type,
            "subjects": [s.as_record() for s in self.subjects],
            "publishedAt": self.published_at.isoformat(),
        }

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> ExposureEntry:
        return cls(
            title=str(data["title"]),
            summary=str(data["summary"]),
            fault_type=str(data["faultType"]),
            subjects=tuple(
                SubjectLine(label=str(s["label"]), measures=tuple(s["measures"]))
                for s in data["subjects"]
            ),
            published_at=datetime.fromisoformat(data["publishedAt"]),
        )
