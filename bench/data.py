"""Synthetic complaints shared by the seeder and the write workload (deterministic per seed)."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEMO_CITY_FILE = ROOT / "reference" / "demo-city.json"
TAXONOMY_FILE = ROOT / "reference" / "taxonomy.json"

CHANNELS = ("ONLINE", "HOTLINE_12389", "HOTLINE_12345", "DIRECTOR_MAILBOX", "PETITION")
SUBJECTS = (
    "派出所不予受理报案",
    "民警执法态度恶劣",
    "案件久拖不决无进展",
    "户籍窗口推诿扯皮",
    "交通事故处理不公",
    "报警后出警迟缓",
    "扣押财物未依法返还",
    "咨询出入境证件办理",
    "噪音扰民多次报警无果",
    "询问笔录未交本人核对",
)
CONTENTS = (
    "报案后民警称不归本所管辖，请核查。",
    "多次电话询问案件进展，均未得到答复。",
    "办事窗口要求反复提交材料，无人说明依据。",
    "希望上级机关督促有关单位依法处理。",
)
NAMES = ("张三", "李四", "王五", "赵六", "陈静", "刘洋", "黄磊", "周敏")


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@dataclass(frozen=True, slots=True)
class Routing:
    """Where complaints can be sent: handling units, line departments, leaf categories."""

    units: tuple[str, ...]
    line_units: tuple[str, ...]
    categories: tuple[str, ...]

    @classmethod
    def from_reference(cls) -> Routing:
        city = _load(DEMO_CITY_FILE)
        taxonomy = _load(TAXONOMY_FILE)
        units = tuple(u["code"] for u in city["units"] if u["kind"] in {"SUB_BUREAU", "STATION"})
        lines = tuple(u["code"] for u in city["units"] if u["kind"] == "LINE_DEPARTMENT")
        parents = {c["parent"] for c in taxonomy["categories"] if c.get("parent")}
        leaves = tuple(c["code"] for c in taxonomy["categories"] if c["code"] not in parents)
        return cls(units=units, line_units=lines, categories=leaves)


@dataclass(frozen=True, slots=True)
class Synthetic:
    channel: str
    subject: str
    content: str
    name: str
    phone: str
    unit: str
    line_unit: str | None
    category: str


def synthetic(rng: random.Random, routing: Routing, index: int) -> Synthetic:
    return Synthetic(
        channel=rng.choice(CHANNELS),
        subject=f"{rng.choice(SUBJECTS)}（{index}）",
        content=rng.choice(CONTENTS),
        name=rng.choice(NAMES),
        phone="13" + "".join(rng.choice("0123456789") for _ in range(9)),
        unit=rng.choice(routing.units),
        line_unit=rng.choice((*routing.line_units, None)),
        category=rng.choice(routing.categories),
    )
