"""Seed 000, the whole loop: the buck-passing letter → reverse investigation → rectification →
sign-off → accountability, with the report the three stations turned away.

The letter itself is one of the demo complaints (`demo.Planner.story`); this part plays what
followed it. The reverse investigation (倒查) is a verification review opened from the letter, so
it and the accountability opened from it share the letter's loop (correlation id) and
`loopTrace` shows DISCOVERY → VERIFICATION → RECTIFICATION → ACCOUNTABILITY. Moments follow one
another in office hours from the day the sub-bureau started handling the letter; `timeline` gives
them all, the complaint's reply, callback and closure included, so the letter is answered once the
fault was determined and the accountability opened.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import text

from domain.accountability.aggregate import MeasureOrder
from domain.accountability.status import (
    Culpability,
    MeasureKind,
    Responsibility,
    SubjectRole,
)
from domain.actor import Actor, Role
from domain.case.status import CaseKind, RevisitOutcome
from domain.review.status import FindingNature, FindingResult, OriginType, ReviewKind
from service import accountability, case, review, warning
from service.accountability import OpenAccountability, PersonInput, UnitInput
from service.case import RegisterCase
from service.demo_base import (
    SUPERVISOR,
    Calendar,
    City,
    Run,
    Script,
    Task,
    World,
    office_time,
)
from service.demo_cases import SYSTEM as CASE_SYSTEM
from service.review import OpenReview

PART = 1
REVIEW = "story:review"
ACCOUNTABILITY = "story:accountability"
CASE = "story:case"

ON_DUTY_LEADER = "P-FT-XS-001"  # 王建国, 值班所领导
LEAD_OFFICER = "P-FT-XS-002"  # 李明, 主办民警
AUXILIARY = "A-FT-XS-003"  # 陈小华, 聘员
STATION = "FT-XS"
SUB_BUREAU = "FT"
CASE_OFFICER = "P-FT-XS-004"  # 刘晓峰: takes the case once jurisdiction is designated
# The sign-off chain of the reverse investigation (五级审核, migration 0005's template).
SIGNERS = {
    1: ("P-DC-001", Role.HANDLER),  # 马超, 督察支队: the verifying officer
    2: ("P-DC-002", Role.HANDLER),  # 陈立军, 督察支队分管领导
    3: ("P-FZ-002", Role.LEGAL),  # 宋佳, 法制监督员
    4: ("P-FZ-001", Role.LEGAL),  # 黄静, 法制员
    5: ("P-SZ-001", Role.LEADER),  # 周海峰, 局领导
}
LEGAL = "P-FZ-001"
BUREAU_LEADER = "P-SZ-001"
WATCH_DAYS = 14
RECTIFY_WITHIN = 25  # days

# The reverse investigation's steps after the sub-bureau started handling the letter: (name,
# time after the previous step); each lands in office hours. The complaint's reply, callback and
# closure are among them.
STEPS: tuple[tuple[str, timedelta], ...] = (
    # The chief's instruction reaches the centre, which opens the reverse investigation.
    ("review_opened", timedelta(days=1, hours=3)),
    ("verifiers_assigned", timedelta(minutes=25)),
    ("evidence_1", timedelta(hours=20)),
    ("case_refusals", timedelta(hours=1)),
    ("case_designated", timedelta(minutes=40)),
    ("case_accepted", timedelta(hours=1)),
    ("evidence_2", timedelta(hours=2)),
    ("evidence_3", timedelta(hours=20)),
    ("evidence_4", timedelta(hours=3)),
    ("case_filed", timedelta(hours=1)),
    ("case_revisit_1", timedelta(hours=2)),
    ("finding", timedelta(hours=18)),
    ("signoff_started", timedelta(hours=1)),
    ("step_1", timedelta(hours=1)),
    ("step_2", timedelta(hours=3)),
    ("step_3_returned", timedelta(hours=19)),
    ("evidence_5", timedelta(hours=3)),
    ("round_2_step_1", timedelta(minutes=50)),
    ("round_2_step_2", timedelta(hours=2)),
    ("round_2_step_3", timedelta(hours=18)),
    ("round_2_step_4", timedelta(hours=3)),
    ("round_2_step_5", timedelta(hours=19)),
    ("rectification_added", timedelta(hours=2)),
    ("accountability_opened", timedelta(hours=1)),
    ("complaint_replied", timedelta(hours=20)),
    ("shares_changed", timedelta(hours=2)),
    ("complaint_called_back", timedelta(days=2)),
    ("complaint_closed", timedelta(hours=2)),
    ("measures_proposed", timedelta(hours=20)),
    ("decided", timedelta(days=3)),
    ("published", timedelta(days=2)),
    ("case_revisit_2", timedelta(days=2)),
    ("rectification_done", timedelta(days=4)),
    ("rectification_closed_off", timedelta(days=3)),
    ("review_closed", timedelta(days=WATCH_DAYS + 1)),
)


def timeline(started: datetime, tz: ZoneInfo) -> dict[str, datetime]:
    """When each step happens, given when the sub-bureau started handling the letter."""
    moments: dict[str, datetime] = {}
    at = started
    for name, gap in STEPS:
        at = office_time(at + gap, tz)
        if name == "case_revisit_2":
            # The second revisit falls from day 15 after acceptance (seed 000).
            at = max(at, office_time(moments["case_accepted"] + timedelta(days=15, hours=2), tz))
        moments[name] = at
    return moments


SUBJECT = "倒查：来信反映报警遭香蜜湖、沙头、华富派出所推诿"
EVIDENCE = (
    "调取香蜜湖派出所报案当日的接报警记录、值班台账和接待登记：来信人到所报案，由民警李明、"
    "聘员陈小华接待，未制作询问笔录，未出具受案回执，值班台账无受案登记。",
    "调取香蜜湖派出所接待室执法记录仪视频（时长18分钟）：民警以“公司注册地不在本所辖区”为由"
    "告知来信人到沙头派出所报警，未请示值班所领导；视频中未见辱骂、刁难言行。",
    "调取沙头、华富派出所接报记录：两所分别以“案发地不在本所辖区”“应由最先报案的派出所受理”为由"
    "未予受理，均未按规定先行受理后移送。",
    "值班所领导王建国询问笔录：当日未接到民警请示，未履行值班所领导把关职责；承认所内首接责任制"
    "落实不到位、日常监督缺位。",
    "补充：华富派出所当班民警询问笔录；福田分局法制大队关于三所辖区划分及本案管辖的书面意见"
    "（公司注册地、合同签订地分属不同辖区，不影响接报派出所先行受理的义务）。",
)
FINDING = (
    "来信反映的问题部分属实。香蜜湖派出所接报后未落实首接责任制，以“不属本所管辖”为由拒不受案，"
    "接处警工作存在推诿敷衍塞责；沙头、华富派出所未先行受理、移送，亦存在推诿情形；来信所称"
    "“民警故意刁难”经调取执法记录仪核查未见。香蜜湖派出所日常执法和队伍管理存在监督缺位、管理不严"
    "等问题。认定为执法过错，建议追究值班所领导、主办民警和聘员的过错责任，责成福田分局建章立制。"
)
RETURN_COMMENT = (
    "证据不完整：缺少华富派出所当班民警的询问笔录及三所管辖范围的认定依据，请补充后重新报审。"
)
RECTIFICATION = (
    "制定《福田分局关于规范推诿扯皮和指定管辖的规定》：明确接处警、受立案首接责任，管辖不明或有争议"
    "的先行受理、限时移送，报请上级公安机关指定管辖的适用标准和流程；组织全局民警、辅警学习考试，"
    "并对香蜜湖、沙头、华富派出所受立案情况开展专项检查。"
)
RECTIFICATION_DONE = (
    "《福田分局关于规范推诿扯皮和指定管辖的规定》已经分局党委会审议通过并印发施行；已组织全局民警、"
    "辅警集中学习并考试，对香蜜湖、沙头、华富派出所近三个月受立案情况开展专项检查，未发现新的推诿情形。"
)
CLOSE_OFF = (
    "经法制支队审核，规定内容合法、可操作，学习考试和专项检查台账齐全，同意销号；观察期内继续跟踪。"
)
SHARES_REASON = (
    "李明作为首接民警直接拒绝受案，负主要责任；王建国未履行值班所领导把关职责，负领导责任；"
    "陈小华协助接待、听从民警安排，负次要责任。"
)
MEASURES = (
    MeasureOrder(subject=ON_DUTY_LEADER, kind=MeasureKind.ADMONISHMENT),
    MeasureOrder(subject=LEAD_OFFICER, kind=MeasureKind.WARNING),
    MeasureOrder(subject=LEAD_OFFICER, kind=MeasureKind.POST_ADJUSTMENT),
    MeasureOrder(subject=AUXILIARY, kind=MeasureKind.CRITICISM_EDUCATION),
    MeasureOrder(subject=STATION, kind=MeasureKind.CRITICISM_EDUCATION),
)
EXPOSURE_TITLE = "福田分局某派出所接处警推诿扯皮被严肃问责"
EXPOSURE_SUMMARY = (
    "市民到派出所报案，接待民警以“不属本所管辖”为由拒不受案，当事人在三个派出所之间往返三天未能报案。"
    "经市局执法监督中心牵头、督察支队倒查，认定该所接处警工作推诿敷衍塞责：值班所领导受到诫勉，"
    "主办民警受到警告处分并调离接警岗位，聘员受到批评教育，该所被通报批评。福田分局已制定规范推诿"
    "扯皮和指定管辖的规定。"
)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class StoryPlanner:
    """Plans the reverse investigation, its rectification and accountability, and the case."""

    def __init__(
        self,
        world: World,
        calendar: Calendar,
        tasks: list[Task],
        *,
        complaint_key: int,
        letter_received: datetime,
        times: dict[str, datetime],
    ) -> None:
        self.world = world
        self.city: City = world.city
        self.calendar = calendar
        self.tasks = tasks
        self.complaint_key = complaint_key
        self.letter = letter_received
        self.times = times

    def plan(self) -> None:
        self._case(Script(self.tasks, PART, 0))
        self._loop(Script(self.tasks, PART, 1))

    def _actor(self, code: str, role: Role = Role.HANDLER) -> Actor:
        return self.city.actor(code, role)

    @property
    def first_report(self) -> datetime:
        """The morning the complainant first went to 香蜜湖派出所, ten days before writing."""
        day = self.calendar.local_date(self.letter) - timedelta(days=10)
        return self.calendar.on(day, 10, 20)

    # -- the report the stations turned away ------------------------------------------------

    def _case(self, script: Script) -> None:
        world, t = self.world, self.times
        platform = Actor(subject=CASE_SYSTEM, role=Role.INTEGRATION)
        alert = self.first_report
        record = f"A440304{self.calendar.local_date(alert):%Y%m%d}0417"
        script.add(
            alert + timedelta(minutes=6),
            world.new(
                CASE,
                platform,
                case.register,
                RegisterCase(
                    kind=CaseKind.CRIMINAL,
                    title="某贸易公司被他人伪造合同提起虚假诉讼案",
                    summary="报案人称有人利用伪造的合同对其公司提起虚假诉讼，涉嫌虚假诉讼罪，"
                    "要求公安机关立案侦查。",
                    unit_code=STATION,
                    alert_received_at=alert,
                    external_system=CASE_SYSTEM,
                    external_record_id=record,
                ),
            ),
        )
        script.add(
            alert + timedelta(minutes=40),
            world.act(
                CASE,
                self._actor(LEAD_OFFICER),
                case.refuse_jurisdiction,
                unit_code=None,
                reason="公司注册地不在本所辖区，告知报案人到沙头派出所报警。",
            ),
        )
        # What the reverse investigation found the other two stations had said, recorded by the
        # centre for them; then the centre settles the dispute (指定管辖).
        script.add(
            t["case_refusals"],
            world.act(
                CASE,
                SUPERVISOR,
                case.refuse_jurisdiction,
                unit_code="FT-SB",
                reason="（倒查核实补录）沙头派出所称案发地不在本所辖区，告知报案人到华富派出所报警。",
            ),
        )
        script.add(
            t["case_refusals"] + timedelta(minutes=5),
            world.act(
                CASE,
                SUPERVISOR,
                case.refuse_jurisdiction,
                unit_code="FT-HF",
                reason="（倒查核实补录）华富派出所称应由最先接报的香蜜湖派出所受理。",
            ),
        )
        script.add(
            t["case_designated"],
            world.act(
                CASE,
                SUPERVISOR,
                case.designate_jurisdiction,
                unit_code=STATION,
                reason="依据首接责任制和管辖规定，经执法监督中心协调，指定香蜜湖派出所管辖，"
                "先行受案侦查并向报案人出具受案回执。",
            ),
        )
        officer = self._actor(CASE_OFFICER)
        script.add(t["case_accepted"], world.act(CASE, officer, case.accept))
        script.add(t["case_filed"], world.act(CASE, officer, case.file))
        script.add(
            t["case_filed"] + timedelta(minutes=30),
            world.act(CASE, officer, case.start_investigating),
        )
        script.add(
            t["case_revisit_1"],
            world.act(
                CASE,
                officer,
                case.record_revisit,
                outcome=RevisitOutcome.SATISFIED,
                note="电话回访报案人：告知案件已立案侦查，已出具受案回执，报案人表示满意。",
            ),
        )
        script.add(
            t["case_revisit_2"],
            world.act(
                CASE,
                officer,
                case.record_revisit,
                outcome=RevisitOutcome.SATISFIED,
                note="第二次回访：告知已调取相关诉讼材料、正在核查合同真伪，报案人表示满意。",
            ),
        )

    # -- the loop after the letter ----------------------------------------------------------

    def _loop(self, script: Script) -> None:
        world, t = self.world, self.times
        script.add(t["review_opened"], self._open_review)
        script.add(
            t["verifiers_assigned"],
            world.act(
                REVIEW,
                SUPERVISOR,
                review.assign_verifiers,
                officer_codes=("P-DC-001", "P-JDZX-001"),
            ),
        )
        for no, name in enumerate(("evidence_1", "evidence_2", "evidence_3", "evidence_4")):
            script.add(t[name], self._evidence(no))
        script.add(
            t["finding"],
            world.act(
                REVIEW,
                SUPERVISOR,
                review.record_finding,
                result=FindingResult.PARTLY_SUBSTANTIATED,
                nature=FindingNature.FAULT,
                summary=FINDING,
            ),
        )
        holders = {step: code for step, (code, _) in SIGNERS.items()}
        script.add(
            t["signoff_started"],
            world.act(REVIEW, SUPERVISOR, review.start_signoff, holders=holders),
        )
        script.add(t["step_1"], self._sign(1, "倒查事实清楚，报请审核。"))
        script.add(t["step_2"], self._sign(2, "同意报审。"))
        script.add(t["step_3_returned"], self._sign(3, RETURN_COMMENT, approve=False))
        script.add(t["evidence_5"], self._evidence(4))
        script.add(t["round_2_step_1"], self._sign(1, "已补充证据，重新报审。"))
        script.add(t["round_2_step_2"], self._sign(2, "同意报审。"))
        script.add(t["round_2_step_3"], self._sign(3, "证据已补充完整，同意认定。"))
        script.add(t["round_2_step_4"], self._sign(4, "事实清楚，证据确实充分，定性准确，同意。"))
        script.add(t["round_2_step_5"], self._sign(5, "同意。严肃追责，举一反三，建章立制。"))
        due = self.calendar.local_date(t["rectification_added"]) + timedelta(days=RECTIFY_WITHIN)
        script.add(
            t["rectification_added"],
            world.act(
                REVIEW,
                SUPERVISOR,
                review.add_rectification,
                owner_unit_code=SUB_BUREAU,
                verifying_unit_code="SZ-FZ",
                requirement=RECTIFICATION,
                due_date=due,
                watch_days=WATCH_DAYS,
            ),
        )
        script.add(t["accountability_opened"], self._open_accountability)
        script.add(
            t["shares_changed"],
            world.act(
                ACCOUNTABILITY,
                SUPERVISOR,
                accountability.change_shares,
                shares={
                    LEAD_OFFICER: (50, None),
                    ON_DUTY_LEADER: (30, None),
                    AUXILIARY: (20, None),
                },
                reason=SHARES_REASON,
            ),
        )
        script.add(
            t["measures_proposed"],
            world.act(
                ACCOUNTABILITY,
                self._actor(LEGAL, Role.LEGAL),
                accountability.propose_measures,
                orders=MEASURES,
            ),
        )
        script.add(
            t["decided"],
            world.act(
                ACCOUNTABILITY,
                self._actor(BUREAU_LEADER, Role.LEADER),
                accountability.decide,
                orders=None,
                note="同意法制支队意见，按拟处理意见执行；问责情况在全局通报。",
            ),
        )
        script.add(
            t["published"],
            world.act(
                ACCOUNTABILITY,
                self._actor(BUREAU_LEADER, Role.LEADER),
                accountability.publish,
                title=EXPOSURE_TITLE,
                summary=EXPOSURE_SUMMARY,
            ),
        )
        script.add(
            t["rectification_done"],
            world.act(
                REVIEW,
                self.city.handler(SUB_BUREAU),
                review.report_rectification_done,
                no=1,
                note=RECTIFICATION_DONE,
            ),
        )
        script.add(
            t["rectification_closed_off"],
            world.act(
                REVIEW,
                self._actor(LEGAL, Role.HANDLER),
                review.close_off_rectification,
                no=1,
                comment=CLOSE_OFF,
            ),
        )
        script.add(t["review_closed"], world.act(REVIEW, SUPERVISOR, review.close))

    async def _open_review(self) -> None:
        """The chief's instruction on the letter: the centre escalates the 有警不处 warning that
        the turned-away report had raised days before into the reverse investigation, which takes
        up the letter too (its loop is linked), so the story's trace starts at that warning."""
        letter = self.world.complaints[self.complaint_key]
        report = self.world.items[CASE]
        found = await self._warning_on(report.id)
        if found is None:
            command = OpenReview(
                kind=ReviewKind.VERIFICATION,
                subject=SUBJECT,
                unit_code=SUB_BUREAU,
                origin_type=OriginType.COMPLAINT,
                origin_id=letter.id,
            )
            await self.world.new(REVIEW, SUPERVISOR, review.open_review, command)()
            return
        _, opened = await warning.escalate(
            self.world.call(SUPERVISOR),
            found[0],
            found[1],
            warning.Escalate(
                unit_code=SUB_BUREAU,
                subject=SUBJECT,
                related_type="complaint",
                related_id=letter.id,
            ),
        )
        self.world.items[REVIEW] = opened
        self.world.commands += 1

    async def _warning_on(self, case_id: str) -> tuple[UUID, int] | None:
        async with self.world.runtime.engine.connect() as conn:
            row = (
                await conn.execute(
                    text(
                        "SELECT id, version FROM warning WHERE rule_code = 'ALERT_NOT_ACCEPTED' "
                        "AND item_type = 'case' AND item_id = :id "
                        "AND status IN ('RAISED', 'ACKNOWLEDGED')"
                    ),
                    {"id": case_id},
                )
            ).first()
        return (row.id, row.version) if row else None

    def _evidence(self, no: int) -> Run:
        attachment = _digest(f"demo-story/evidence/{no + 1}") if no in {1, 4} else None
        return self.world.act(
            REVIEW,
            SUPERVISOR,
            review.add_evidence,
            description=EVIDENCE[no],
            attachment_sha256=attachment,
        )

    def _sign(self, step: int, comment: str, *, approve: bool = True) -> Run:
        code, role = SIGNERS[step]
        return self.world.act(
            REVIEW,
            self._actor(code, role),
            review.sign_step,
            step_no=step,
            approve=approve,
            comment=comment,
        )

    async def _open_accountability(self) -> None:
        found = self.world.items[REVIEW]
        command = OpenAccountability(
            review_id=UUID(found.id),
            fault_type_code="BUCK_PASSING",
            fault_type="接处警推诿扯皮",
            fault_date=self.calendar.local_date(self.first_report),
            culpability=Culpability.NEGLIGENCE,
            persons=(
                PersonInput(
                    officer_code=ON_DUTY_LEADER,
                    role=SubjectRole.ON_DUTY_LEADER,
                    responsibility=Responsibility.LEADERSHIP,
                ),
                PersonInput(
                    officer_code=LEAD_OFFICER,
                    role=SubjectRole.LEAD_OFFICER,
                    responsibility=Responsibility.DIRECT,
                ),
                PersonInput(
                    officer_code=AUXILIARY,
                    role=SubjectRole.AUXILIARY,
                    responsibility=Responsibility.DIRECT,
                ),
            ),
            units=(UnitInput(unit_code=STATION, responsibility=Responsibility.LEADERSHIP),),
        )
        await self.world.new(
            ACCOUNTABILITY, SUPERVISOR, accountability.open_accountability, command
        )()
