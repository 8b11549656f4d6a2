"""Demo reviews besides the seed-000 investigation: case-quality evaluations (执法质量考评), a
surprise inspection with a rectification and a supervision recommendation (执法监督建议书), an
online patrol that caught a detention past its limit, and a legal review (法制审核) of a penalty.

Evaluations are scored by the legal department on five criteria; two of eight are rated
excellent (the share rated excellent is controlled). Each review is opened from the case it
looks at, so it joins that case's loop.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import datetime, timedelta

from domain.actor import Role
from domain.case.aggregate import Case
from domain.review.aggregate import CriterionScore
from domain.review.status import (
    FindingNature,
    FindingResult,
    InspectionMethod,
    OriginType,
    Rating,
    ReviewKind,
)
from service import review
from service.demo_base import (
    SUPERVISOR,
    Calendar,
    Pace,
    Run,
    Script,
    Task,
    World,
    days,
    office_time,
)
from service.review import OpenReview

PART = 4
LEGAL = "P-FZ-001"  # 黄静, 法制员: scores the evaluations
CRITERIA = (
    ("FILING", 20),
    ("EVIDENCE", 30),
    ("LAW_APPLICATION", 20),
    ("PROCEDURE", 20),
    ("DOCUMENTS", 10),
)
# Share of each criterion's maximum a rating scores (low, high).
BANDS = {
    Rating.EXCELLENT: (0.9, 1.0),
    Rating.QUALIFIED: (0.72, 0.88),
    Rating.UNQUALIFIED: (0.45, 0.66),
}
NOTES = {
    Rating.EXCELLENT: "案件受立案及时，证据收集全面规范，法律适用准确，文书制作规范，评为优秀。",
    Rating.QUALIFIED: "案件办理总体规范，个别文书填写不够完整，评为合格。",
    Rating.UNQUALIFIED: "审查不细致，未依法调取关键证据即作出不予立案决定，告知程序不完整，评为不合格。",
}
# (case key, days before the end it was evaluated, rating, closed after scoring)
EVALUATIONS = (
    ("gambling", -18, Rating.QUALIFIED, True),
    ("e-bike-thefts", -15, Rating.EXCELLENT, True),
    ("neighbour-beating", -14, Rating.EXCELLENT, True),
    ("self-defence", -10, Rating.QUALIFIED, True),
    ("corridor-dispute", -9, Rating.QUALIFIED, True),
    ("affray", -8, Rating.QUALIFIED, True),
    ("supermarket-theft", -6, Rating.QUALIFIED, False),
    ("loan-dispute", -21, Rating.UNQUALIFIED, True),
)


def _case_key(key: str) -> str:
    return f"case:{key}"


class ReviewPlanner:
    """Plans the other reviews; the cases they look at are planned before them."""

    def __init__(
        self, world: World, calendar: Calendar, rng: random.Random, tasks: list[Task]
    ) -> None:
        self.world = world
        self.city = world.city
        self.calendar = calendar
        self.rng = rng
        self.tasks = tasks
        self.item = 0

    def plan(self) -> None:
        for case_key, offset, rating, closed in EVALUATIONS:
            self._evaluation(case_key, offset, rating, closed=closed)
        self._surprise_inspection()
        self._online_patrol()
        self._legal_review()

    def _script(self) -> Script:
        self.item += 1
        return Script(self.tasks, PART, self.item)

    def day(self, offset: int, hour: int) -> datetime:
        return self.calendar.day(offset, hour, self.rng.randrange(60))

    def office(self, moment: datetime) -> datetime:
        return office_time(moment, self.calendar.tz)

    def _open_from_case(self, key: str, case_key: str, kind: ReviewKind, subject: str) -> Run:
        world = self.world

        async def run() -> None:
            looked_at = world.get(_case_key(case_key), Case)
            command = OpenReview(
                kind=kind,
                subject=subject,
                unit_code=looked_at.unit,
                origin_type=OriginType.CASE,
                origin_id=looked_at.id,
            )
            await world.new(key, SUPERVISOR, review.open_review, command)()

        return run

    # -- case-quality evaluation (执法质量考评) -------------------------------------------------

    def _scores(self, rating: Rating) -> tuple[CriterionScore, ...]:
        low, high = BANDS[rating]
        return tuple(
            CriterionScore(
                criterion=code,
                score=round(top * self.rng.uniform(low, high) * 2) / 2,
                max=float(top),
            )
            for code, top in CRITERIA
        )

    def _evaluation(self, case_key: str, offset: int, rating: Rating, *, closed: bool) -> None:
        world, rng = self.world, self.rng
        s = self._script()
        key = f"review:evaluation:{case_key}"
        opened = self.office(self.day(offset, 9))
        s.add(
            opened,
            self._open_from_case(
                key, case_key, ReviewKind.CASE_QUALITY_EVALUATION, "执法质量考评：案件质量评查"
            ),
        )
        s.add(
            opened + timedelta(minutes=30),
            world.act(key, SUPERVISOR, review.assign_verifiers, officer_codes=(LEGAL, "P-FZ-002")),
        )
        scored = self.office(opened + days(rng, 0.8, 1.6))
        s.add(
            scored,
            world.act(
                key,
                self.city.actor(LEGAL, Role.LEGAL),
                review.record_evaluation,
                scores=self._scores(rating),
                rating=rating,
                note=NOTES[rating],
            ),
        )
        last = scored
        if rating is Rating.UNQUALIFIED:
            unit = "NS-XL"
            s.add(
                scored + timedelta(hours=1),
                world.act(
                    key,
                    SUPERVISOR,
                    review.issue_recommendation,
                    unit_code=unit,
                    content="针对考评发现的问题，建议：一、对报警人反映的经济纠纷类警情，应依法全面调取证据后"
                    "再作出立案与否的决定；二、规范不予立案通知书的送达和告知程序；三、组织民警开展受立案"
                    "业务培训。请于十五日内书面回复整改情况。",
                ),
            )
            last = self.office(scored + days(rng, 6, 8))
            s.add(
                last,
                world.act(
                    key,
                    self.city.handler(unit),
                    review.record_recommendation_response,
                    no=1,
                    response="已组织全所民警学习受立案有关规定，对近半年不予立案的案件逐案复查，未发现"
                    "其他问题；不予立案通知书已规范送达。",
                ),
            )
        if closed:
            s.add(self.office(last + days(rng, 0.5, 1.5)), world.act(key, SUPERVISOR, review.close))

    # -- a surprise inspection (飞行临检) -------------------------------------------------------

    def _surprise_inspection(self) -> None:
        world = self.world
        s = self._script()
        pace = Pace(self.calendar, self.rng)
        key = "review:inspection:NS-XL"
        unit = "NS-XL"
        s.add(
            pace.at(-17, 9),
            world.new(
                key,
                SUPERVISOR,
                review.open_review,
                OpenReview(
                    kind=ReviewKind.VERIFICATION,
                    subject="飞行临检：西丽派出所执法办案区和涉案财物管理",
                    unit_code=unit,
                    origin_type=OriginType.INSPECTION,
                    inspection_method=InspectionMethod.SURPRISE_INSPECTION,
                    inspection_description="飞行临检西丽派出所：抽查近三个月执法办案区使用登记、涉案财物"
                    "管理和执法记录仪使用情况。",
                ),
            ),
        )
        s.add(
            pace.after(timedelta(minutes=20)),
            world.act(key, SUPERVISOR, review.assign_verifiers, officer_codes=("P-DC-001",)),
        )
        for text in (
            "执法办案区使用登记台账：近三个月有七人次进出未登记。",
            "涉案财物保管室检查记录：两起案件的扣押财物未按规定入库，仍存放在办公室。",
        ):
            s.add(
                pace.after(timedelta(hours=1)),
                world.act(
                    key, SUPERVISOR, review.add_evidence, description=text, attachment_sha256=None
                ),
            )
        s.add(
            pace.at(-15, 10),
            world.act(
                key,
                SUPERVISOR,
                review.record_finding,
                result=FindingResult.SUBSTANTIATED,
                nature=FindingNature.FLAW,
                summary="执法办案区使用登记不全，两起案件涉案财物未按规定入库，属执法瑕疵，纳入执法质量考评。",
            ),
        )
        s.add(
            pace.after(timedelta(hours=1)),
            world.act(
                key,
                SUPERVISOR,
                review.add_rectification,
                owner_unit_code=unit,
                verifying_unit_code="SZ-DC",
                requirement="补齐执法办案区使用登记；涉案财物全部入库并建立台账；落实专人管理。",
                due_date=self.calendar.today + timedelta(days=6),
                watch_days=30,
            ),
        )
        s.add(
            pace.at(-9, 10),
            world.act(
                key,
                SUPERVISOR,
                review.issue_recommendation,
                unit_code=unit,
                content="建议西丽派出所：一、严格执行执法办案区“先登记、后使用”制度；二、涉案财物一律"
                "当日入库、专人管理；三、所领导每周检查一次。请于十五日内书面回复。",
            ),
        )
        s.add(
            pace.at(-7, 15),
            world.act(
                key,
                self.city.handler(unit),
                review.report_rectification_done,
                no=1,
                note="已补登办案区使用记录，两起案件涉案财物已入库。",
            ),
        )
        s.add(
            pace.at(-5, 11),
            world.act(
                key,
                self.city.actor("P-DC-001"),
                review.return_rectification,
                no=1,
                comment="复查发现涉案财物入库台账仍不完整，缺少交接签名，退回重改。",
            ),
        )

    # -- an online patrol (网上巡查) found a detention past its limit ----------------------------

    def _online_patrol(self) -> None:
        world = self.world
        s = self._script()
        key = "review:patrol:shop-thefts"
        opened = self.day(-1, 10)
        s.add(
            opened,
            self._open_from_case(
                key,
                "shop-thefts",
                ReviewKind.VERIFICATION,
                "网上巡查：刑事拘留期满未提请批准逮捕（羁押超期）",
            ),
        )
        s.add(
            opened + timedelta(minutes=40),
            world.act(
                key, SUPERVISOR, review.assign_verifiers, officer_codes=("P-DC-001", "P-FZ-002")
            ),
        )

    # -- a legal review (法制审核) before a major administrative penalty ----------------------------

    def _legal_review(self) -> None:
        world = self.world
        s = self._script()
        key = "review:legal:neighbour-beating"
        holders: Mapping[int, tuple[str, Role]] = {
            1: ("P-FT-SB-002", Role.HANDLER),  # 钱勇, 办案民警
            2: ("P-FT-SB-001", Role.HANDLER),  # 赵强, 所领导
            3: ("P-FZ-002", Role.LEGAL),  # 宋佳, 法制监督员
            4: ("P-FZ-001", Role.LEGAL),  # 黄静, 法制员
            5: ("P-FT-001", Role.LEADER),  # 林志远, 分局领导
        }
        opened = self.office(self.day(-26, 9))
        s.add(
            opened,
            self._open_from_case(
                key,
                "neighbour-beating",
                ReviewKind.LEGAL_REVIEW,
                "法制审核：拟对殴打他人的违法行为人作出行政拘留五日并处罚款五百元的决定",
            ),
        )
        s.add(
            opened + timedelta(minutes=15),
            world.act(
                key,
                SUPERVISOR,
                review.start_signoff,
                holders={step: code for step, (code, _) in holders.items()},
            ),
        )
        at = opened + timedelta(minutes=15)
        comments = {
            1: "事实清楚，证据确实充分，拟行政拘留五日并处罚款五百元，报请审核。",
            2: "同意。",
            3: "伤情鉴定意见已附卷，程序合法，同意。",
            4: "适用《治安管理处罚法》第四十三条第一款，量罚适当，同意。",
            5: "同意。",
        }
        for step, (code, role) in holders.items():
            at = self.office(at + timedelta(hours=3))
            s.add(
                at,
                world.act(
                    key,
                    self.city.actor(code, role),
                    review.sign_step,
                    step_no=step,
                    approve=True,
                    comment=comments[step],
                ),
            )
        s.add(self.office(at + timedelta(hours=2)), world.act(key, SUPERVISOR, review.close))
