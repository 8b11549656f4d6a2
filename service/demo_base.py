"""What every part of the demo seed shares: the city, people, office hours, and timed commands.

The seed plans its items first and plays them afterwards: each part (complaints, the seed-000
story, cases, petitions, reviews) turns its items into `Task`s, one command each with its moment;
`seed()` sorts all of them by time and runs them on the movable clock. A `World` keeps what has
been made so far by key, so that a later command finds the item (and its version) that an earlier
one made or changed.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.actor import Actor, Role
from domain.aggregate import Aggregate
from domain.complaint.aggregate import Complaint
from service.context import Call, Runtime

REQUEST_ID = "demo-seed"

INTAKE = Actor(subject="zhangmin", role=Role.INTAKE, unit="SZ-JDZX", officer="P-JDZX-002")
SUPERVISOR = Actor(subject="liuy", role=Role.SUPERVISOR, unit="SZ-JDZX", officer="P-JDZX-001")

OFFICE_OPENS = time(9, 0)
OFFICE_CLOSES = time(18, 0)

A = TypeVar("A", bound=Aggregate)


# -- people ----------------------------------------------------------------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚卢钟谭陆汪范金廖夏方邹熊邱江薛雷侯龙陶黎贺顾龚邵万严覃莫"
GIVEN_NAMES = (
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛",
    "明", "超", "霞", "平", "刚", "华", "建华", "志强", "秀英", "桂兰", "海燕", "晓东",
    "春梅", "雪梅", "丽娟", "永刚", "浩宇", "子涵", "欣怡", "俊杰", "婷婷", "文辉", "国庆",
    "建军", "小红", "志明", "嘉欣", "宇航", "思远", "佳琪", "泽宇", "立新", "卫东", "红梅",
)  # fmt: skip
# Where complainants were born (GB/T 2260 codes): Shenzhen districts and common home provinces.
ID_REGIONS = (
    "440304", "440303", "440305", "440306", "440307", "430102", "360102", "450102",
    "421002", "441421", "445102", "510104", "350102", "411302",
)  # fmt: skip
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


@dataclass(frozen=True, slots=True)
class Person:
    """A complainant or petitioner as the intake form takes them."""

    name: str
    phone: str
    id_number: str | None = None


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of a resident identity number's first 17 digits."""
    return ID_CHECK[sum(int(d) * w for d, w in zip(first17, ID_WEIGHTS, strict=True)) % 11]


def id_number(rng: random.Random) -> str:
    born = date(1955, 1, 1) + timedelta(days=rng.randrange(45 * 365))
    first17 = f"{rng.choice(ID_REGIONS)}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return first17 + id_check_char(first17)


class People:
    """Makes people with plausible names and unique mobile numbers."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._phones: set[str] = set()

    def new(self, *, id_share: float = 0.1) -> Person:
        rng = self._rng
        name = rng.choice(SURNAMES) + rng.choice(GIVEN_NAMES)
        phone = self._phone()
        number = id_number(rng) if rng.random() < id_share else None
        return Person(name=name, phone=phone, id_number=number)

    def reserve(self, phone: str) -> None:
        """Keep a number already in use out of the generated ones."""
        self._phones.add(phone)

    def _phone(self) -> str:
        while True:
            phone = f"{self._rng.choice(('13', '15', '18'))}{self._rng.randrange(10**9):09d}"
            if phone not in self._phones:
                self._phones.add(phone)
                return phone


# -- the city --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Officer:
    code: str
    name: str
    unit: str
    account: str | None


@dataclass(frozen=True, slots=True)
class City:
    """What the demo needs to know of the reference file: names, stations, officers, handlers."""

    unit_names: dict[str, str]
    stations: dict[str, tuple[str, ...]]  # sub-bureau → its stations
    officers: dict[str, tuple[tuple[str, str], ...]]  # station → (code, name) of its officers
    handlers: dict[str, Actor]  # unit → the officer who works its complaints
    people: dict[str, Officer] = field(default_factory=dict)  # officer code → officer

    @classmethod
    def read(cls, data: dict[str, Any]) -> City:
        units = data["units"]
        stations: dict[str, list[str]] = {}
        for unit in units:
            if unit["kind"] == "STATION":
                stations.setdefault(unit["parent"], []).append(unit["code"])
        officers: dict[str, list[tuple[str, str]]] = {}
        handlers: dict[str, Actor] = {}
        people: dict[str, Officer] = {}
        for officer in data["officers"]:
            officers.setdefault(officer["unit"], []).append((officer["code"], officer["name"]))
            people[officer["code"]] = Officer(
                code=officer["code"],
                name=officer["name"],
                unit=officer["unit"],
                account=officer["account"],
            )
            if officer["account"] and officer["unit"] not in handlers:
                handlers[officer["unit"]] = Actor(
                    subject=officer["account"],
                    role=Role.HANDLER,
                    unit=officer["unit"],
                    officer=officer["code"],
                )
        return cls(
            unit_names={unit["code"]: unit["name"] for unit in units},
            stations={sub: tuple(codes) for sub, codes in stations.items()},
            officers={unit: tuple(found) for unit, found in officers.items()},
            handlers=handlers,
            people=people,
        )

    def handler(self, unit: str) -> Actor:
        # A unit without an officer of its own is worked by a handler scoped to that unit.
        return self.handlers.get(unit) or Actor(
            subject=f"handler-{unit.lower()}", role=Role.HANDLER, unit=unit
        )

    def actor(self, code: str, role: Role = Role.HANDLER) -> Actor:
        """An officer acting with their own account, in their unit."""
        officer = self.people[code]
        if officer.account is None:
            raise ValueError(f"officer {code} has no account to act with")
        return Actor(subject=officer.account, role=role, unit=officer.unit, officer=code)

    def name(self, code: str) -> str:
        return self.people[code].name

    def unit_of(self, code: str) -> str:
        return self.people[code].unit


# -- time ------------------------------------------------------------------------------------


def office_time(moment: datetime, tz: ZoneInfo) -> datetime:
    """The first office moment (09:00–18:00, Monday–Friday, local) at or after `moment`."""
    local = moment.astimezone(tz)
    # The minute of the unsnapped time spreads items over the first hour of the morning.
    opening = datetime.combine(local.date(), OFFICE_OPENS, tz) + timedelta(minutes=local.minute)
    if local.time() >= OFFICE_CLOSES:
        local = opening + timedelta(days=1)
    elif local.time() < OFFICE_OPENS:
        local = opening
    while local.weekday() >= 5:
        local = datetime.combine(local.date() + timedelta(days=1), OFFICE_OPENS, tz) + timedelta(
            minutes=local.minute
        )
    return local.astimezone(moment.tzinfo)


def hours(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


def days(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(days=rng.uniform(low, high))


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier (the last day of a shorter month)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return date(year, month + 1, min(day.day, (following - timedelta(days=1)).day))


@dataclass(frozen=True, slots=True)
class Calendar:
    """Local days counted back from the end of the timeline."""

    end: datetime
    tz: ZoneInfo

    @property
    def today(self) -> date:
        return self.end.astimezone(self.tz).date()

    def on(self, day: date, hour: int, minute: int = 0) -> datetime:
        return datetime.combine(day, time(hour, minute), self.tz).astimezone(UTC)

    def day(self, offset: int, hour: int, minute: int = 0) -> datetime:
        """`offset` days from the last day of the timeline (0 = its last day), at a local time."""
        return self.on(self.today + timedelta(days=offset), hour, minute)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()


class Pace:
    """Office moments of one item, each after the one before: a day that falls on a weekend moves
    to Monday, and what was planned for that Monday morning moves after it."""

    def __init__(self, calendar: Calendar, rng: random.Random) -> None:
        self.calendar = calendar
        self.rng = rng
        self.last: datetime | None = None

    def at(self, offset: int, hour: int) -> datetime:
        """About `offset` days from the end of the timeline, at `hour` or the next office hour."""
        moment = self.calendar.day(offset, hour, self.rng.randrange(60))
        return self._keep(office_time(moment, self.calendar.tz))

    def after(self, gap: timedelta) -> datetime:
        assert self.last is not None
        return self._keep(office_time(self.last + gap, self.calendar.tz))

    def _keep(self, moment: datetime) -> datetime:
        if self.last is not None and moment <= self.last:
            gap = timedelta(minutes=self.rng.randint(20, 90))
            moment = office_time(self.last + gap, self.calendar.tz)
        self.last = moment
        return moment


# -- timed commands --------------------------------------------------------------------------


Run = Callable[[], Awaitable[object]]


@dataclass(frozen=True, slots=True)
class Task:
    """One command at its moment; `order` keeps one item's commands in sequence at equal times."""

    at: datetime
    order: tuple[int, int, int]  # (part, item, index)
    run: Run


class Script:
    """One item's commands; they run in the order of their moments, ties in the order added."""

    def __init__(self, tasks: list[Task], part: int, item: int) -> None:
        self._tasks = tasks
        self._part = part
        self._item = item
        self._index = 0

    def add(self, at: datetime, run: Run) -> datetime:
        self._tasks.append(Task(at=at, order=(self._part, self._item, self._index), run=run))
        self._index += 1
        return at


class World:
    """What the seed has made so far, by key, and the calls that change it as an actor."""

    def __init__(self, runtime: Runtime, city: City) -> None:
        self.runtime = runtime
        self.city = city
        self.items: dict[str, Aggregate] = {}
        self.complaints: dict[int, Complaint] = {}  # by complaint plan key
        self.commands = 0

    def call(self, actor: Actor) -> Call:
        return Call(runtime=self.runtime, actor=actor, request_id=REQUEST_ID)

    def now(self) -> datetime:
        return self.runtime.clock.now()

    def get(self, key: str, kind: type[A]) -> A:
        item = self.items[key]
        assert isinstance(item, kind), f"{key} is a {type(item).__name__}"
        return item

    def has(self, key: str) -> bool:
        return key in self.items

    def new(
        self, key: str, actor: Actor, command: Callable[..., Awaitable[Aggregate]], *args: Any
    ) -> Run:
        """A command that makes the item `key` (register, open)."""

        async def run() -> None:
            self.items[key] = await command(self.call(actor), *args)
            self.commands += 1

        return run

    def act(
        self, key: str, actor: Actor, command: Callable[..., Awaitable[Aggregate]], **kwargs: Any
    ) -> Run:
        """A command on the item `key` at the version the seed last saw it."""

        async def run() -> None:
            item = self.items[key]
            self.items[key] = await command(self.call(actor), UUID(item.id), item.version, **kwargs)
            self.commands += 1

        return run

    def bump(self, key: str) -> None:
        """Another command moved the item one version on (a repeat recorded on it)."""
        self.items[key].version += 1


__all__ = [
    "INTAKE",
    "REQUEST_ID",
    "SUPERVISOR",
    "Calendar",
    "City",
    "Pace",
    "People",
    "Person",
    "Script",
    "Task",
    "World",
    "days",
    "hours",
    "id_check_char",
    "id_number",
    "months_before",
    "office_time",
]
