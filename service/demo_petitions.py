"""Demo petitions (信访事项): seed 002's backlog campaign and a handful of ordinary petitions.

The backlog campaign (信访积案化解攻坚行动) began about a year before the end of the timeline: 42
backlog cases (积案) were put on the inventory in its first weeks — two supervised by the ministry
(部督), three by the province (省厅督办) — each re-registered at the petitioner's latest visit,
accepted, marked as backlog, given a leader in charge with a deadline (包案, 限期化解) and a case
file (案卷), then worked: interviews (约谈), weekly dispatches (每周调度), lawyers (律师代理), legal
aid, judicial aid (司法救助), an answer, sometimes 复查 and 复核. 41 end with the petitioner
stopping (息诉罢访) or the matter settled (案结事了) and are closed; one is still petitioning after
复核 (its repeat arrival is refused and recorded) and is worked on. The ordinary petitions of the
last months stand in every state; one was registered from a complaint.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from domain.actor import Actor, Role
from domain.petition.clocks import RE_EXAMINATION_REQUEST, REVIEW_REQUEST, PetitionClocks
from domain.petition.errors import AlreadyReExamined
from domain.petition.status import (
    Finding,
    JudicialAidStatus,
    Outcome,
    RoutingDecision,
    SupervisionLevel,
)
from service import petition
from service.demo_base import (
    INTAKE,
    SUPERVISOR,
    Calendar,
    Pace,
    People,
    Person,
    Script,
    Task,
    World,
    days,
    hours,
    office_time,
)
from service.petition import RegisterPetition, RegisterPetitionFromComplaint

PART = 3
BACKLOG_COUNT = 42
CAMPAIGN_DAYS = 360  # the campaign began this many days before the end
CONTINUING_INDEX = 0  # the one backlog case still open (a ministry-supervised one)
BUREAU_LEADER = "P-SZ-001"
SUB_LEADERS = {"FT": "P-FT-001", "LH": "P-LH-001", "NS": "P-NS-001"}
PLACES = {
    "FT": ("车公庙", "华强北", "景田", "香蜜湖", "皇岗"),
    "LH": ("东门", "国贸", "黄贝岭", "春风路", "笋岗"),
    "NS": ("科技园", "蛇口", "西丽", "南头", "后海"),
}
LAWYERS = (
    ("王立群", "广东鹏城律师事务所"),
    ("孙晓梅", "广东深南律师事务所"),
    ("郑凯", "广东前海法和律师事务所"),
)
LEGAL_AID_CENTRES = {"FT": "福田区法律援助处", "LH": "罗湖区法律援助处", "NS": "南山区法律援助处"}

F = Finding


@dataclass(frozen=True, slots=True)
class Matter:
    """What one kind of backlog petition says and how it was answered."""

    subject: str
    content: str  # {year} {station} {place}
    answer: str
    finding: Finding
    accuses_station: bool = False


MATTERS = (
    Matter(
        "对故意伤害案处理结果不服，要求追究对方刑事责任",
        "信访人称{year}年在{place}被他人打伤，{station}以轻微伤作治安处理。信访人认为伤情鉴定有误，"
        "多年来多次到市、省上访，要求重新鉴定并追究对方刑事责任。",
        "经复核，原伤情鉴定程序合法、结论准确，对该案作治安处理适用法律正确。已向信访人逐项解释"
        "鉴定依据和法律规定，并告知其可依法提起民事诉讼主张赔偿。",
        F.EXPLAIN,
    ),
    Matter(
        "被盗案件多年未破，要求破案追赃",
        "信访人称{year}年其在{place}经营的店铺被盗，损失货物价值十余万元，报案后至今未破，"
        "多次信访要求公安机关破案并追回损失。",
        "该案已列为积案攻坚重点，重新组织侦查力量梳理线索，已抓获犯罪嫌疑人一名并追回部分赃物，"
        "侦查情况已向信访人通报。",
        F.SUPPORT,
    ),
    Matter(
        "对交通事故责任认定不服，反复信访",
        "信访人称{year}年其亲属在{place}附近发生交通事故身亡，对事故责任认定不服，认为对方车辆"
        "超速未予认定，多年来反复信访。",
        "经重新调取现场勘查材料和车辆痕迹鉴定意见，原事故责任认定事实清楚、程序合法。已邀请律师"
        "向信访人释法说理，并协助其通过民事诉讼主张赔偿。",
        F.EXPLAIN,
    ),
    Matter(
        "要求撤销治安拘留决定并赔偿",
        "信访人称{year}年因邻里纠纷被{station}处以行政拘留五日，认为处罚不公，行政复议和行政诉讼"
        "均未获支持后持续信访，要求撤销处罚并赔偿。",
        "该处罚决定已经行政复议和行政诉讼审查维持，认定事实清楚、适用法律正确，信访人要求撤销处罚"
        "并赔偿的诉求不予支持。已向信访人说明依法终结的情况。",
        F.NOT_SUPPORT,
        accuses_station=True,
    ),
    Matter(
        "非法集资案投资款未追回，要求退还",
        "信访人称{year}年投资某理财公司被骗，公司负责人已被判刑，但投资款至今未退还，多次上访要求"
        "公安机关追回钱款。",
        "该案已判决生效，追缴退赔由人民法院执行。公安机关已将查扣资产移交法院，已向信访人说明退赔"
        "进度和执行程序，并协助其申请司法救助。",
        F.EXPLAIN,
    ),
    Matter(
        "亲属死亡事件对鉴定结论有异议，要求重新调查",
        "信访人称其子{year}年在{place}坠楼身亡，公安机关认定排除他杀，信访人对死因鉴定结论有异议，"
        "要求重新调查。",
        "经组织法医专家重新审查，原鉴定意见科学、结论可靠，排除他杀。已当面向信访人详细说明，"
        "并为其家庭生活困难申请司法救助。",
        F.EXPLAIN,
    ),
    Matter(
        "电信诈骗被骗钱款未追回，要求加大侦办力度",
        "信访人称{year}年被冒充公检法人员诈骗二十余万元，报案后仅追回少量资金，多次信访要求"
        "加大侦办力度。",
        "该案已串并为电信诈骗专案，主要嫌疑人已抓获并移送起诉，冻结资金已按比例返还。已将侦办情况"
        "向信访人通报。",
        F.SUPPORT,
    ),
    Matter(
        "不服不予立案决定，要求立案侦查",
        "信访人称{year}年向{station}报案称被合伙人侵占财产，派出所以经济纠纷为由不予立案，信访人"
        "复议未获支持后持续信访。",
        "经审查，该事项系合伙经营纠纷，不属于刑事案件，原不予立案决定正确。已引导信访人通过民事诉讼"
        "解决，并由律师协助其准备诉讼材料。",
        F.NOT_SUPPORT,
        accuses_station=True,
    ),
    Matter(
        "要求退还扣押车辆并赔偿损失",
        "信访人称{year}年其车辆因涉案被{station}扣押，案件处理完毕后未及时发还，多次信访要求退还"
        "并赔偿损失。",
        "经核查，该车辆确属与案件无关的财物，已依法发还，并就扣押期间保管不当造成的损失依法作出处理。",
        F.SUPPORT,
        accuses_station=True,
    ),
    Matter(
        "反映民警处置邻里纠纷不公",
        "信访人称{year}年与邻居因房屋漏水纠纷发生冲突，{station}民警处置偏袒对方，多次信访要求重新"
        "处理并追究民警责任。",
        "经督察部门核查，民警处置程序基本规范，但与当事人沟通解释不够。已由责任单位负责人当面向"
        "信访人说明情况，并联合街道调解化解纠纷。",
        F.EXPLAIN,
        accuses_station=True,
    ),
    Matter(
        "户口迁移多年未办理",
        "信访人称{year}年起申请将户口迁回原籍，因历史原因材料不全一直未获办理，多次信访要求解决。",
        "经与原籍公安机关协调核实，信访人符合迁移条件，已为其办理户口迁移手续。",
        F.SUPPORT,
    ),
    Matter(
        "讨薪时被殴打，不满处罚结果",
        "信访人称{year}年讨要工资时在{place}被老板殴打，公安机关仅对对方罚款，信访人认为处罚过轻，"
        "多次信访。",
        "原处罚决定在法定幅度内，处罚适当。已协调劳动保障部门为信访人追回欠薪，并向其解释治安"
        "处罚的法律规定。",
        F.EXPLAIN,
    ),
    Matter(
        "被网络传销骗取钱财，要求追回",
        "信访人称{year}年被亲友拉入网络传销组织，投入十余万元，要求公安机关打击并追回钱款。",
        "该传销组织已被依法打掉，组织者已被判刑。已将涉案资金清退情况告知信访人，并转介法律援助"
        "机构协助其申请退赔。",
        F.EXPLAIN,
    ),
    Matter(
        "交通肇事逃逸案件未破，家庭生活困难",
        "信访人称{year}年其父亲在{place}被车撞伤后肇事车辆逃逸，至今未破案，家庭生活困难，多次上访。",
        "经重新梳理视频和车辆线索，肇事嫌疑车辆及驾驶人已查获，案件已移送起诉。同时协助信访人申请"
        "司法救助。",
        F.SUPPORT,
    ),
)

# How each backlog case was resolved (seed 002: lawyers six, judicial aid two, solved cases four).
BY_LAWYER, BY_JUDICIAL_AID, BY_SOLVING, BY_LEGAL_AID, BY_TALKS = (
    "lawyer",
    "judicial aid",
    "solved",
    "legal aid",
    "talks",
)
WAYS = {
    BY_SOLVING: (1, 6, 13, 1),
    BY_JUDICIAL_AID: (4, 5),
    BY_LAWYER: (0, 2, 7, 11, 0, 2),
    BY_LEGAL_AID: (12, 11),
}
STOPPED_NOTES = (
    "信访人签署息诉罢访承诺书，表示不再信访。",
    "经包案领导多次约谈，信访人表示理解，息诉罢访。",
    "信访人接受处理意见，书面承诺息诉罢访。",
)
SETTLED_NOTE = "案件已办结，信访人诉求依法得到解决，案结事了。"


@dataclass(frozen=True, slots=True)
class Backlog:
    index: int
    matter: Matter
    way: str
    level: SupervisionLevel
    path: str  # "answer", "review" (复查) or "re-examination" (复核)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class PetitionPlanner:
    """Plans the backlog campaign and the ordinary petitions."""

    def __init__(
        self,
        world: World,
        calendar: Calendar,
        rng: random.Random,
        people: People,
        tasks: list[Task],
        *,
        clocks: PetitionClocks,
        from_complaint: tuple[int, str, datetime] | None,
    ) -> None:
        self.world = world
        self.clocks = clocks
        self.city = world.city
        self.calendar = calendar
        self.rng = rng
        self.people = people
        self.tasks = tasks
        self.from_complaint = from_complaint  # (complaint plan key, its unit, when triaged)
        self.item = 0

    def plan(self) -> None:
        for backlog in self._inventory():
            self._backlog(backlog)
        self._ordinary()

    def _script(self) -> Script:
        self.item += 1
        return Script(self.tasks, PART, self.item)

    def office(self, moment: datetime) -> datetime:
        return office_time(moment, self.calendar.tz)

    def _after(self, window: str, started: datetime) -> datetime:
        """The first office moment after the petitioner's window to ask for the next step."""
        due = self.clocks.due(window, started_at=started)
        if due is None or due.due_at is None:
            return self.office(started + timedelta(days=31))
        return self.office(due.due_at + timedelta(minutes=self.rng.randint(5, 120)))

    # -- the backlog campaign ---------------------------------------------------------------

    def _inventory(self) -> list[Backlog]:
        rng = self.rng
        ways: list[tuple[str, int]] = [(way, m) for way, ms in WAYS.items() for m in ms]
        while len(ways) < BACKLOG_COUNT - 1:
            ways.append((BY_TALKS, rng.randrange(len(MATTERS))))
        rng.shuffle(ways)
        ways.insert(CONTINUING_INDEX, (BY_TALKS, 3))
        paths = ["re-examination"] * 4 + ["review"] * 10
        paths += ["answer"] * (BACKLOG_COUNT - 1 - len(paths))
        rng.shuffle(paths)
        paths.insert(CONTINUING_INDEX, "re-examination")
        levels = [SupervisionLevel.MINISTRY] * 2 + [SupervisionLevel.PROVINCE] * 3
        levels += [SupervisionLevel.CITY] * (BACKLOG_COUNT - len(levels))
        return [
            Backlog(index=i, matter=MATTERS[m], way=way, level=levels[i], path=paths[i])
            for i, (way, m) in enumerate(ways)
        ]

    def _backlog(self, b: Backlog) -> None:
        rng, world = self.rng, self.world
        script = self._script()
        key = f"petition:backlog:{b.index + 1}"
        sub = rng.choice(("FT", "FT", "LH", "NS"))
        station = rng.choice(self.city.stations[sub])
        high = b.level is not SupervisionLevel.CITY
        unit = sub if b.matter.accuses_station or high else station
        handler = self.city.handler(unit)
        leader_code = BUREAU_LEADER if high else SUB_LEADERS[sub]
        leader = self.city.actor(leader_code, Role.LEADER)
        dispatcher = self.city.actor(SUB_LEADERS[sub], Role.LEADER)
        person = self.people.new(id_share=0.3)
        scene = {
            "year": str(rng.randint(2015, 2022)),
            "station": self.city.unit_names[station],
            "place": rng.choice(PLACES[sub]),
        }
        campaign = self.calendar.day(-CAMPAIGN_DAYS, 9, 0)
        registered = self.office(campaign + days(rng, 0, 21))
        received = registered - hours(rng, 2, 40)
        level = {"MINISTRY": "部督", "PROVINCE": "省厅督办", "CITY": "市局"}[b.level.value]
        script.add(
            registered,
            world.new(
                key,
                INTAKE,
                petition.register,
                RegisterPetition(
                    subject=b.matter.subject,
                    content=b.matter.content.format(**scene),
                    petitioner_name=person.name,
                    petitioner_phone=person.phone,
                    petitioner_id_number=person.id_number,
                    handling_unit=unit,
                    supervision_level=b.level,
                    received_at=received,
                    complained_units=(station,) if b.matter.accuses_station else (),
                ),
            ),
        )
        accepted = self.office(registered + days(rng, 1, 3))
        script.add(accepted, world.act(key, SUPERVISOR, petition.accept))
        script.add(
            accepted + timedelta(minutes=30),
            world.act(
                key,
                SUPERVISOR,
                petition.mark_backlog,
                reason=f"信访积案化解攻坚行动清理确定的存量积案（{level}），自{scene['year']}年起反复信访。",
            ),
        )
        script.add(
            accepted + timedelta(minutes=70),
            world.act(
                key,
                SUPERVISOR,
                petition.assign_leader,
                officer=leader_code,
                deadline=self.calendar.local_date(accepted) + timedelta(days=rng.randint(90, 200)),
            ),
        )
        script.add(
            accepted + timedelta(minutes=100),
            world.act(
                key,
                SUPERVISOR,
                petition.add_attachment,
                name=f"信访积案案卷（第{b.index + 1:02d}号）.pdf",
                media_type="application/pdf",
                size=rng.randint(800_000, 9_000_000),
                sha256=_digest(f"demo-petition/backlog/{b.index + 1}/dossier"),
            ),
        )
        started = self.office(accepted + days(rng, 1, 2))
        script.add(started, world.act(key, handler, petition.start_handling))
        extended = b.index % 8 == 3
        answered = self.office(accepted + (days(rng, 70, 82) if extended else days(rng, 25, 55)))
        if extended:
            script.add(
                self.office(accepted + days(rng, 48, 52)),
                world.act(
                    key,
                    leader,
                    petition.extend_handling,
                    days=30,
                    reason="涉及多个部门和历史遗留问题，需进一步调查核实，经局领导批准延长办理期限三十日。",
                ),
            )
        self._resolution_work(script, key, b, sub, started, answered)
        script.add(
            answered,
            world.act(
                key, handler, petition.answer, finding=b.matter.finding, text=b.matter.answer
            ),
        )
        last = answered
        if b.path in {"review", "re-examination"}:
            asked = self.office(last + days(rng, 8, 25))
            script.add(
                asked,
                world.act(
                    key,
                    INTAKE,
                    petition.request_review,
                    reason="信访人对处理意见不服，请求复查。",
                ),
            )
            last = self.office(asked + days(rng, 12, 27))
            script.add(
                last,
                world.act(
                    key,
                    SUPERVISOR,
                    petition.decide_review,
                    finding=b.matter.finding,
                    text="经复查，原处理意见认定事实清楚、处理恰当，予以维持。" + b.matter.answer,
                ),
            )
        if b.path == "re-examination":
            asked = self.office(last + days(rng, 8, 25))
            script.add(
                asked,
                world.act(
                    key,
                    INTAKE,
                    petition.request_re_examination,
                    reason="信访人对复查意见仍不服，请求复核。",
                ),
            )
            last = self.office(asked + days(rng, 12, 27))
            script.add(
                last,
                world.act(
                    key,
                    SUPERVISOR,
                    petition.decide_re_examination,
                    finding=b.matter.finding,
                    text="经复核，复查意见正确，予以维持。同一事实和理由不再受理。",
                ),
            )
        if b.index == CONTINUING_INDEX:
            self._continuing(script, key, b, person, unit, leader, dispatcher, last)
            return
        self._dispatches(script, key, dispatcher, unit, started, answered)
        # The petitioner's right to the next step must have lapsed before the case is closed;
        # some petitioners take months more before they stop.
        windows = {"answer": REVIEW_REQUEST, "review": RE_EXAMINATION_REQUEST}
        window = windows.get(b.path)
        may_close = self._after(window, last) if window else last + timedelta(hours=20)
        delay = days(rng, 3, 20) + days(rng, 0, 150)
        budget = self.calendar.day(-20, 9, 0) - last  # closed three weeks before the end at latest
        outcome = self.office(last + max(min(delay, budget), timedelta(days=2)))
        settled = b.way == BY_SOLVING or b.matter.finding is F.SUPPORT
        script.add(
            outcome,
            world.act(
                key,
                leader,
                petition.record_outcome,
                outcome=Outcome.SETTLED if settled else Outcome.STOPPED,
                note=SETTLED_NOTE if settled else rng.choice(STOPPED_NOTES),
            ),
        )
        closed = self.office(max(may_close, outcome + timedelta(hours=3)))
        script.add(closed, world.act(key, SUPERVISOR, petition.close))

    def _resolution_work(
        self, script: Script, key: str, b: Backlog, sub: str, started: datetime, answered: datetime
    ) -> None:
        """Interviews by the leader in charge, and the lawyer, legal aid or judicial aid."""
        rng, world = self.rng, self.world
        high = b.level is not SupervisionLevel.CITY
        leader_code = BUREAU_LEADER if high else SUB_LEADERS[sub]
        leader = self.city.actor(leader_code, Role.LEADER)
        span = (answered - started).total_seconds()
        talks = rng.randint(1, 3)
        for n in range(talks):
            at = self.office(started + timedelta(seconds=span * (n + 0.5) / (talks + 1)))
            participants = [
                f"{self.city.name(leader_code)}（包案领导）",
                "责任单位负责人",
                "信访人",
            ]
            if b.way == BY_LAWYER:
                participants.append("代理律师")
            script.add(
                at,
                world.act(
                    key,
                    leader,
                    petition.record_interview,
                    held_on=self.calendar.local_date(at),
                    participants=tuple(participants),
                    notes=rng.choice(
                        (
                            "包案领导约谈信访人，听取诉求，逐项释法说理，信访人情绪趋于平稳。",
                            "约谈信访人及其家属，通报办理进展，明确下一步化解措施。",
                            "下访到信访人家中，了解生活困难，协调街道落实帮扶。",
                        )
                    ),
                ),
            )
        helper_at = self.office(started + days(rng, 4, 12))
        if b.way == BY_LAWYER:
            name, firm = rng.choice(LAWYERS)
            script.add(
                helper_at, world.act(key, leader, petition.record_lawyer, name=name, firm=firm)
            )
        elif b.way == BY_LEGAL_AID:
            script.add(
                helper_at,
                world.act(
                    key,
                    leader,
                    petition.refer_to_legal_aid,
                    centre=LEGAL_AID_CENTRES[sub],
                    note="信访人符合法律援助条件，转介法律援助机构协助其依法主张权利。",
                ),
            )
        elif b.way == BY_JUDICIAL_AID:
            script.add(
                helper_at,
                world.act(
                    key,
                    leader,
                    petition.record_judicial_aid,
                    status=JudicialAidStatus.APPLIED,
                    amount=None,
                    note="信访人家庭生活困难，协助其向人民法院申请司法救助。",
                ),
            )
            granted = min(self.office(helper_at + days(rng, 10, 20)), answered - timedelta(hours=2))
            script.add(
                granted,
                world.act(
                    key,
                    leader,
                    petition.record_judicial_aid,
                    status=JudicialAidStatus.GRANTED,
                    amount=rng.choice((30_000, 40_000, 50_000)),
                    note="经人民法院审批，给予一次性司法救助。",
                ),
            )

    def _dispatches(
        self,
        script: Script,
        key: str,
        dispatcher: Actor,
        unit: str,
        first: datetime,
        last: datetime,
        *,
        every: int = 7,
        count: int | None = None,
    ) -> None:
        """每周调度: the sub-bureau's chief hears the progress of the case, week by week."""
        at = first
        for _ in range(self.rng.randint(2, 4) if count is None else count):
            at = self.office(at + timedelta(days=every))
            if at >= last:
                return
            script.add(
                at,
                self.world.act(
                    key,
                    dispatcher,
                    petition.record_dispatch,
                    held_on=self.calendar.local_date(at),
                    notes=f"分局局长调度：听取{self.city.unit_names[unit]}化解进展汇报，"
                    + self.rng.choice(
                        (
                            "要求责任单位每周向包案领导报告进展。",
                            "要求法制、督察部门共同审查原案卷。",
                            "要求在限期内拿出化解方案。",
                        )
                    ),
                ),
            )

    def _continuing(
        self,
        script: Script,
        key: str,
        b: Backlog,
        person: Person,
        unit: str,
        leader: Actor,
        dispatcher: Actor,
        re_examined: datetime,
    ) -> None:
        """Still petitioning after 复核: the repeat is refused and recorded; the work goes on."""
        rng, world = self.rng, self.world
        again = self.office(re_examined + days(rng, 10, 20))

        async def arrives_again() -> None:
            command = RegisterPetition(
                subject=f"再次信访：{b.matter.subject}",
                content="信访人对复核意见仍不服，再次到市局信访，坚持原诉求。",
                petitioner_name=person.name,
                petitioner_phone=person.phone,
                petitioner_id_number=person.id_number,
                handling_unit=unit,
                supervision_level=b.level,
                same_matter_as=UUID(world.items[key].id),
            )
            try:
                await petition.register(world.call(INTAKE), command)
            except AlreadyReExamined:
                world.bump(key)  # the repeat was recorded on the re-examined petition
            world.commands += 1

        script.add(again, arrives_again)
        script.add(
            again + timedelta(hours=2),
            world.act(
                key,
                leader,
                petition.record_outcome,
                outcome=Outcome.CONTINUING,
                note="信访人仍坚持撤销处罚并赔偿的诉求，继续由局领导包案做息诉化解工作。",
            ),
        )
        script.add(
            again + timedelta(hours=3),
            world.act(
                key,
                SUPERVISOR,
                petition.assign_leader,
                officer=BUREAU_LEADER,
                deadline=self.calendar.today + timedelta(days=45),
            ),
        )
        self._dispatches(
            script, key, dispatcher, unit, again, self.calendar.day(-1, 9, 0), every=21, count=12
        )
        talk = self.office(max(again + days(rng, 20, 30), self.calendar.day(-12, 10, 0)))
        script.add(
            talk,
            world.act(
                key,
                leader,
                petition.record_interview,
                held_on=self.calendar.local_date(talk),
                participants=(f"{self.city.name(BUREAU_LEADER)}（包案领导）", "代理律师", "信访人"),
                notes="局领导再次约谈信访人，邀请律师释法说理，信访人表示考虑后答复。",
            ),
        )

    # -- ordinary petitions -----------------------------------------------------------------

    def _register(
        self,
        script: Script,
        key: str,
        at: datetime,
        *,
        subject: str,
        content: str,
        unit: str,
        complained: tuple[str, ...] = (),
    ) -> None:
        person = self.people.new(id_share=0.2)
        script.add(
            at,
            self.world.new(
                key,
                INTAKE,
                petition.register,
                RegisterPetition(
                    subject=subject,
                    content=content,
                    petitioner_name=person.name,
                    petitioner_phone=person.phone,
                    petitioner_id_number=person.id_number,
                    handling_unit=unit,
                    received_at=at - hours(self.rng, 1, 30),
                    complained_units=complained,
                ),
            ),
        )

    def _ordinary(self) -> None:
        rng, world = self.rng, self.world
        self._from_complaint()

        pace = Pace(self.calendar, rng)
        s, key = self._script(), "petition:new"
        self._register(
            s,
            key,
            pace.at(-3, 10),
            subject="反映小区周边夜间飙车扰民",
            content="信访人反映后海一带夜间经常有改装车辆飙车，噪音扰民且存在安全隐患，要求公安机关整治。",
            unit="NS-SK",
        )

        pace = Pace(self.calendar, rng)
        s, key = self._script(), "petition:refused"
        self._register(
            s,
            key,
            pace.at(-40, 10),
            subject="要求公安机关追讨拖欠工资",
            content="信访人称所在公司拖欠其工资四个月，要求公安机关出面追讨。",
            unit="LH-DM",
        )
        s.add(
            pace.at(-37, 15),
            world.act(
                key,
                SUPERVISOR,
                petition.refuse,
                reason="所反映的劳动报酬争议不属于公安机关职权范围，已告知向劳动保障监察部门投诉或申请劳动仲裁。",
            ),
        )

        pace = Pace(self.calendar, rng)
        s, key = self._script(), "petition:rerouted"
        self._register(
            s,
            key,
            pace.at(-35, 11),
            subject="反映华富路某工地夜间施工噪音扰民",
            content="信访人反映华富路一工地连续多日夜间施工，报警后无人处理，要求依法查处。",
            unit="FT-SB",
        )
        s.add(
            pace.at(-33, 10),
            world.act(
                key,
                self.city.handler("FT-SB"),
                petition.object_to_routing,
                reason="反映事项发生地在华富派出所辖区，不属本所管辖，请求退回重新交办。",
            ),
        )
        s.add(
            pace.at(-31, 15),
            world.act(
                key,
                SUPERVISOR,
                petition.decide_routing,
                decision=RoutingDecision.REASSIGNED,
                superior_unit="FT",
                unit="FT-HF",
                reason="经福田分局核实，事项发生地属华富派出所辖区，改由华富派出所办理。",
            ),
        )
        s.add(pace.at(-30, 10), world.act(key, SUPERVISOR, petition.accept))
        s.add(
            pace.at(-29, 10),
            world.act(key, self.city.handler("FT-HF"), petition.start_handling),
        )
        s.add(
            pace.at(-10, 16),
            world.act(
                key,
                self.city.handler("FT-HF"),
                petition.answer,
                finding=F.SUPPORT,
                text="经查，该工地未经批准夜间施工，已联合住建部门依法查处并责令停止夜间施工，已向信访人反馈。",
            ),
        )

        pace = Pace(self.calendar, rng)
        s, key = self._script(), "petition:objected"
        self._register(
            s,
            key,
            pace.at(-6, 15),
            subject="反映出租屋群租存在消防隐患",
            content="信访人反映所住楼栋多套房屋被改成群租房，楼道堆满杂物，存在消防安全隐患。",
            unit="NS-SK",
        )
        s.add(
            pace.at(-4, 10),
            world.act(
                key,
                self.city.handler("NS-SK"),
                petition.object_to_routing,
                reason="反映的楼栋位于西丽派出所辖区，请求重新交办。",
            ),
        )

        pace = Pace(self.calendar, rng)
        s, key = self._script(), "petition:overdue"
        self._register(
            s,
            key,
            pace.at(-81, 10),
            subject="反映民警办理户籍业务推诿",
            content="信访人称到西丽派出所办理子女入户，民警多次以材料不全为由推诿，未一次性告知所需材料。",
            unit="NS",
            complained=("NS-XL",),
        )
        s.add(pace.at(-79, 10), world.act(key, SUPERVISOR, petition.accept))
        s.add(
            pace.at(-78, 11),
            world.act(key, self.city.handler("NS"), petition.start_handling),
        )

        pace = Pace(self.calendar, rng)
        s, key = self._script(), "petition:extended"
        self._register(
            s,
            key,
            pace.at(-66, 10),
            subject="反映被他人冒用身份信息注册公司",
            content="信访人称其身份信息被他人冒用注册公司并产生债务，报警后未见处理结果，要求查处并出具证明。",
            unit="LH",
        )
        s.add(pace.at(-63, 10), world.act(key, SUPERVISOR, petition.accept))
        s.add(
            pace.at(-62, 10),
            world.act(key, self.city.handler("LH"), petition.start_handling),
        )
        s.add(
            pace.at(-8, 11),
            world.act(
                key,
                self.city.actor("P-LH-001", Role.LEADER),
                petition.extend_handling,
                days=30,
                reason="需向市场监管部门和外地公安机关调查核实，经批准延长办理期限三十日，已告知信访人延期理由。",
            ),
        )

        pace = Pace(self.calendar, rng)
        s, key = self._script(), "petition:review-requested"
        self._register(
            s,
            key,
            pace.at(-86, 10),
            subject="对交通违法处罚不服，要求撤销",
            content="信访人称其车辆被电子警察抓拍闯红灯，认为信号灯故障，要求撤销处罚。",
            unit="FT",
        )
        s.add(pace.at(-84, 10), world.act(key, SUPERVISOR, petition.accept))
        s.add(
            pace.at(-83, 10),
            world.act(key, self.city.handler("FT"), petition.start_handling),
        )
        s.add(
            pace.at(-41, 15),
            world.act(
                key,
                self.city.handler("FT"),
                petition.answer,
                finding=F.NOT_SUPPORT,
                text="经调取信号灯运行记录，该路口信号灯当日运行正常，处罚决定事实清楚，不予支持。",
            ),
        )
        s.add(
            pace.at(-20, 10),
            world.act(
                key, INTAKE, petition.request_review, reason="信访人对处理意见不服，请求复查。"
            ),
        )

        pace = Pace(self.calendar, rng)
        s, key = self._script(), "petition:closed"
        self._register(
            s,
            key,
            pace.at(-96, 10),
            subject="反映小区门口长期乱停车堵塞消防通道",
            content="信访人反映小区门口长期有车辆乱停，堵塞消防通道，多次报警未根治。",
            unit="LH-HB",
        )
        s.add(pace.at(-94, 10), world.act(key, SUPERVISOR, petition.accept))
        s.add(
            pace.at(-93, 10),
            world.act(key, self.city.handler("LH-HB"), petition.start_handling),
        )
        answered = pace.at(-71, 15)
        s.add(
            answered,
            world.act(
                key,
                self.city.handler("LH-HB"),
                petition.answer,
                finding=F.SUPPORT,
                text="已联合交警部门在小区门口施划禁停标线、加强巡查，乱停车问题已解决。",
            ),
        )
        s.add(self._after(REVIEW_REQUEST, answered), world.act(key, SUPERVISOR, petition.close))

    def _from_complaint(self) -> None:
        """A letter received through the petition channel becomes a petition (same loop)."""
        if self.from_complaint is None:
            return
        complaint_key, unit, triaged = self.from_complaint
        world, rng = self.world, self.rng
        s, key = self._script(), "petition:from-complaint"
        registered = self.office(triaged + days(rng, 0.5, 1.5))

        async def register() -> None:
            letter = world.complaints[complaint_key]
            command = RegisterPetitionFromComplaint(complaint_id=UUID(letter.id))
            await world.new(key, INTAKE, petition.register_from_complaint, command)()

        s.add(registered, register)
        accepted = self.office(registered + days(rng, 1, 2))
        s.add(accepted, world.act(key, SUPERVISOR, petition.accept))
        s.add(
            self.office(accepted + days(rng, 0.5, 1.5)),
            world.act(key, self.city.handler(unit), petition.start_handling),
        )
