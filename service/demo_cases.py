"""Demo cases (案件) pushed by the police integrated platform (警综平台), then worked by the units.

The platform registers each alert (role integration, externalRef `jingzong-platform` / its record
number); the owning station's officer accepts, files and investigates, takes coercive measures
and makes the revisits; the centre starts tracking (盯办) and designates jurisdiction. The cases
are written out one by one, their days counted back from the end of the timeline, so that the
situations the supervision looks for are there on every run: bail and residential surveillance
a few days before their legal limit, a criminal detention past its limit, revisits made and missed,
an administrative case past its handling limit and one extended, a major case under tracking.
Long-running cases reach back about a year (bail lasts up to 12 months), further than the
complaints.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain.actor import Actor, Role
from domain.case.status import CaseKind, DetentionStep, MeasureKind, RevisitOutcome
from service import case
from service.case import RegisterCase
from service.demo_base import SUPERVISOR, Calendar, Script, Task, World, months_before

PART = 2
SYSTEM = "jingzong-platform"
PLATFORM = Actor(subject=SYSTEM, role=Role.INTEGRATION)
REGIONS = {"FT": "440304", "LH": "440303", "NS": "440305", "SZ": "440300"}
# How close to their limits the long measures are at the end of the timeline.
BAIL_DAYS_LEFT = 5
SURVEILLANCE_DAYS_LEFT = 3

K = CaseKind
M = MeasureKind
R = RevisitOutcome


@dataclass(frozen=True, slots=True)
class Spec:
    key: str
    kind: CaseKind
    unit: str
    lead: str
    title: str
    summary: str


class CaseScript:
    """One case's commands: pushed by the platform, then worked by its lead officer."""

    def __init__(self, planner: CasePlanner, item: int, spec: Spec, alert: datetime) -> None:
        self.world = planner.world
        self.key = f"case:{spec.key}"
        self.script = Script(planner.tasks, PART, item)
        self.officer = planner.world.city.actor(spec.lead)
        self.measures = 0
        region = REGIONS[spec.unit.split("-")[0]]
        record = f"A{region}{planner.calendar.local_date(alert):%Y%m%d}{item + 101:04d}"
        self.script.add(
            alert + timedelta(minutes=planner.rng.randint(2, 15)),
            self.world.new(
                self.key,
                PLATFORM,
                case.register,
                RegisterCase(
                    kind=spec.kind,
                    title=spec.title,
                    summary=spec.summary,
                    unit_code=spec.unit,
                    lead_officer_code=spec.lead,
                    alert_received_at=alert,
                    external_system=SYSTEM,
                    external_record_id=record,
                ),
            ),
        )

    def do(self, at: datetime, command: Any, *, actor: Actor | None = None, **kwargs: Any) -> None:
        self.script.add(at, self.world.act(self.key, actor or self.officer, command, **kwargs))

    def opened(self, accepted: datetime, filed: datetime, investigating: datetime) -> None:
        self.do(accepted, case.accept)
        self.do(filed, case.file)
        self.do(investigating, case.start_investigating)

    def detain(self, at: datetime, label: str) -> int:
        """刑事拘留, with the three things due within 24 hours done in time."""
        self.measures += 1
        number = self.measures
        self.do(
            at, case.start_measure, kind=M.CRIMINAL_DETENTION, person_label=label, started_at=None
        )
        for hours, step, note in (
            (1.5, DetentionStep.FIRST_INTERROGATION, "拘留后第一次讯问"),
            (3, DetentionStep.SENT_TO_DETENTION_CENTRE, "送市看守所羁押"),
            (5, DetentionStep.FAMILY_NOTIFIED, "已电话通知其家属拘留原因和羁押处所"),
        ):
            self.do(
                at + timedelta(hours=hours),
                case.record_detention_step,
                number=number,
                step=step,
                done_at=None,
                note=note,
            )
        return number

    def measure(self, at: datetime, kind: MeasureKind, label: str) -> int:
        self.measures += 1
        self.do(at, case.start_measure, kind=kind, person_label=label, started_at=None)
        return self.measures

    def end(self, at: datetime, number: int, reason: str) -> None:
        self.do(at, case.end_measure, number=number, ended_at=None, reason=reason)

    def revisit(
        self, at: datetime, outcome: RevisitOutcome, note: str, *, actor: Actor | None = None
    ) -> None:
        self.do(at, case.record_revisit, actor=actor, outcome=outcome, note=note)


class CasePlanner:
    """Writes out the demo cases; `plan` appends their commands to `tasks`."""

    def __init__(
        self, world: World, calendar: Calendar, rng: random.Random, tasks: list[Task]
    ) -> None:
        self.world = world
        self.calendar = calendar
        self.rng = rng
        self.tasks = tasks
        self.count = 0

    def plan(self) -> None:
        for build in (
            self._bail_near_its_limit,
            self._surveillance_near_its_limit,
            self._detention_past_its_limit,
            self._tracked_gang_fraud,
            self._concluded_affray,
            self._concluded_thefts,
            self._revisits_missed,
            self._revisit_late,
            self._not_filed,
            self._withdrawn,
            self._transferred,
            self._recent,
            self._administrative,
            self._stalled,
        ):
            build()

    def _case(self, spec: Spec, alert: datetime) -> CaseScript:
        self.count += 1
        return CaseScript(self, self.count, spec, alert)

    def day(self, offset: int, hour: int, minute: int | None = None) -> datetime:
        """A moment `offset` days from the end, at a local time; with no minute, one of the hour's
        first forty, so that what an hour later follows from it (a push takes minutes) comes after."""
        return self.calendar.day(offset, hour, self.rng.randrange(40) if minute is None else minute)

    def on(self, day: date, hour: int, minute: int | None = None) -> datetime:
        return self.calendar.on(day, hour, self.rng.randrange(40) if minute is None else minute)

    # -- long measures close to their limits --------------------------------------------------

    def _bail_near_its_limit(self) -> None:
        """取保候审 for almost twelve months: the victim still waits (a complaint says so)."""
        bail = months_before(self.calendar.today, 12) + timedelta(days=BAIL_DAYS_LEFT)
        c = self._case(
            Spec(
                "assault-bail",
                K.CRIMINAL,
                "FT-SB",
                "P-FT-SB-002",
                "陈某被故意伤害案",
                "报警人称在沙头街道一餐馆门前与他人发生口角后被对方用酒瓶击伤头部，经鉴定为轻伤二级。",
            ),
            self.on(bail - timedelta(days=3), 22, 10),
        )
        c.opened(
            self.on(bail - timedelta(days=3), 23, 5),
            self.on(bail - timedelta(days=2), 10),
            self.on(bail - timedelta(days=2), 14),
        )
        detention = c.detain(self.on(bail - timedelta(days=2), 11), "嫌疑人甲")
        c.end(
            self.on(bail, 9, 30),
            detention,
            "提请批准逮捕后检察院以证据不足不批准逮捕，变更强制措施为取保候审。",
        )
        c.measure(self.on(bail, 10, 15), M.BAIL, "嫌疑人甲")
        c.revisit(
            self.on(bail + timedelta(days=8), 15),
            R.BASICALLY_SATISFIED,
            "回访被害人：告知嫌疑人已取保候审，案件正在补充侦查，被害人表示理解。",
        )
        c.revisit(
            self.on(bail + timedelta(days=20), 16),
            R.DISSATISFIED,
            "第二次回访：被害人对嫌疑人被取保候审有意见，要求尽快移送起诉；已解释取保候审的法律规定。",
        )

    def _surveillance_near_its_limit(self) -> None:
        """监视居住 for almost six months in a contract fraud."""
        watch = months_before(self.calendar.today, 6) + timedelta(days=SURVEILLANCE_DAYS_LEFT)
        c = self._case(
            Spec(
                "contract-fraud",
                K.CRIMINAL,
                "NS-YH",
                "P-NS-YH-001",
                "某科技公司被合同诈骗案",
                "报案公司称对方以虚假项目签订采购合同，骗取预付款人民币八十六万元后失联。",
            ),
            self.on(watch - timedelta(days=16), 10),
        )
        c.opened(
            self.on(watch - timedelta(days=16), 15),
            self.on(watch - timedelta(days=14), 10),
            self.on(watch - timedelta(days=14), 11),
        )
        detention = c.detain(self.on(watch - timedelta(days=7), 6, 40), "嫌疑人甲")
        c.do(
            self.on(watch - timedelta(days=5), 16),
            case.extend_measure,
            number=detention,
            amount=4,
            reason="涉案合同及资金往来需进一步调取核实，经批准延长提请批准逮捕期限四日。",
            serious=False,
        )
        c.end(
            self.on(watch, 9, 5),
            detention,
            "检察院不批准逮捕，变更强制措施为监视居住。",
        )
        c.measure(self.on(watch, 9, 40), M.RESIDENTIAL_SURVEILLANCE, "嫌疑人甲")
        c.revisit(
            self.on(watch - timedelta(days=8), 10),
            R.SATISFIED,
            "回访报案公司负责人：告知已立案侦查、嫌疑人已到案，对方表示满意。",
        )
        c.revisit(
            self.on(watch + timedelta(days=6), 10),
            R.BASICALLY_SATISFIED,
            "第二次回访：报案公司希望加快追赃，已告知涉案资金正在查询冻结。",
        )

    def _detention_past_its_limit(self) -> None:
        """Detained six days ago, arrest approval never requested: 羁押超期."""
        c = self._case(
            Spec(
                "shop-thefts",
                K.CRIMINAL,
                "LH-DM",
                "P-LH-DM-002",
                "东门步行街商铺系列盗窃案",
                "东门步行街多家商铺夜间被撬门入室盗窃，被盗现金及手机等物品价值约三万元。",
            ),
            self.day(-8, 3, 20),
        )
        c.opened(self.day(-8, 4, 5), self.day(-8, 10), self.day(-8, 11))
        c.detain(self.day(-6, 16, 40), "嫌疑人甲")
        c.revisit(
            self.day(-3, 15),
            R.SATISFIED,
            "回访被盗商户：告知一名嫌疑人已被刑事拘留，商户表示满意。",
        )

    # -- a major case under tracking (盯办) ---------------------------------------------------

    def _tracked_gang_fraud(self) -> None:
        c = self._case(
            Spec(
                "gang-fraud",
                K.CRIMINAL,
                "FT-HF",
                "P-FT-HF-002",
                "华富街道“投资理财”电信网络诈骗团伙案",
                "多名群众报称被诱导下载虚假投资理财应用并转账，涉案金额逾四百万元，系团伙作案。",
            ),
            self.day(-97, 10),
        )
        c.opened(self.day(-97, 11), self.day(-96, 9), self.day(-96, 10))
        detained = {
            label: c.detain(self.day(-90, 6, minute), label)
            for label, minute in (("嫌疑人甲", 5), ("嫌疑人乙", 12), ("嫌疑人丙", 20))
        }
        for label in ("嫌疑人甲", "嫌疑人乙"):
            c.do(
                self.day(-89, 15),
                case.extend_measure,
                number=detained[label],
                amount=27,
                reason="结伙作案，需进一步查明团伙成员分工及资金流向，经批准延长提请批准逮捕期限至三十日。",
                serious=True,
            )
        c.end(
            self.day(-87, 10, 5), detained["嫌疑人丙"], "系从犯，情节较轻，变更强制措施为取保候审。"
        )
        c.measure(self.day(-87, 10, 30), M.BAIL, "嫌疑人丙")
        for label in ("嫌疑人甲", "嫌疑人乙"):
            c.end(self.day(-63, 16), detained[label], "经检察院批准逮捕，已执行逮捕。")
        c.do(
            self.day(-85, 9),
            case.start_tracking,
            actor=SUPERVISOR,
            city_officer_code="P-XZ-001",
            sub_bureau_officer_code="P-FT-001",
            station_officer_code="P-FT-HF-001",
            closing_standard="主要犯罪嫌疑人全部到案；涉案资金查明并依法冻结、返还；案件侦查终结移送审查起诉。",
        )
        c.revisit(
            self.day(-88, 14),
            R.SATISFIED,
            "回访被害人代表：告知三名嫌疑人已到案，正在追查资金流向，被害人表示满意。",
        )
        c.revisit(
            self.day(-74, 14),
            R.BASICALLY_SATISFIED,
            "第二次回访：被害人关心追赃进度，已告知冻结资金的返还程序。",
        )

    # -- finished cases -------------------------------------------------------------------------

    def _concluded_affray(self) -> None:
        c = self._case(
            Spec(
                "affray",
                K.CRIMINAL,
                "NS-SK",
                "P-NS-SK-001",
                "蛇口某酒吧寻衅滋事案",
                "数名男子在酒吧内借故生非，随意殴打他人并砸毁财物，致两人轻微伤。",
            ),
            self.day(-53, 1, 30),
        )
        c.opened(self.day(-53, 2, 10), self.day(-52, 10), self.day(-52, 11))
        detention = c.detain(self.day(-52, 12), "嫌疑人甲")
        c.end(self.day(-49, 10, 5), detention, "积极赔偿并取得被害人谅解，变更强制措施为取保候审。")
        bail = c.measure(self.day(-49, 10, 30), M.BAIL, "嫌疑人甲")
        c.revisit(
            self.day(-41, 15), R.SATISFIED, "回访被害人：告知嫌疑人已到案并赔偿，被害人表示满意。"
        )
        c.revisit(
            self.day(-31, 15), R.SATISFIED, "第二次回访：告知案件即将侦查终结，被害人表示满意。"
        )
        c.do(self.day(-12, 10), case.conclude)
        c.end(self.day(-12, 11), bail, "案件侦查终结移送审查起诉，强制措施由检察机关重新决定。")

    def _concluded_thefts(self) -> None:
        c = self._case(
            Spec(
                "e-bike-thefts",
                K.CRIMINAL,
                "FT-XS",
                "P-FT-XS-002",
                "香蜜湖片区电动车系列盗窃案",
                "香蜜湖片区多个小区一个月内连续发生电动车被盗案件十余起。",
            ),
            self.day(-49, 8),
        )
        c.opened(self.day(-49, 9), self.day(-48, 10), self.day(-48, 11))
        detention = c.detain(self.day(-40, 20), "嫌疑人甲")
        c.end(self.day(-37, 17), detention, "经检察院批准逮捕，已执行逮捕。")
        c.revisit(self.day(-45, 10), R.SATISFIED, "回访报案群众：告知已串并侦查，报案人表示满意。")
        c.revisit(
            self.day(-31, 10), R.SATISFIED, "第二次回访：告知嫌疑人已被逮捕、部分车辆已追回。"
        )
        c.do(self.day(-20, 10), case.conclude)

    # -- revisits -----------------------------------------------------------------------------

    def _revisits_missed(self) -> None:
        c = self._case(
            Spec(
                "refund-fraud",
                K.CRIMINAL,
                "LH-HB",
                "P-LH-HB-001",
                "冒充客服网购退款诈骗案",
                "报警人接到冒充电商客服的电话，按对方指引操作“退款”，被骗人民币四万二千元。",
            ),
            self.day(-41, 16),
        )
        c.opened(self.day(-41, 17), self.day(-40, 10), self.day(-39, 10))

    def _revisit_late(self) -> None:
        c = self._case(
            Spec(
                "burglary",
                K.CRIMINAL,
                "NS-XL",
                "P-NS-XL-002",
                "西丽某小区入室盗窃案",
                "报警人称家中被撬门入室，被盗金饰及现金价值约两万元。",
            ),
            self.day(-36, 7),
        )
        c.opened(self.day(-36, 8), self.day(-35, 10), self.day(-35, 11))
        c.revisit(
            self.day(-17, 16),
            R.BASICALLY_SATISFIED,
            "逾期回访：告知已调取周边监控，报案人希望加快进度。",
        )
        c.revisit(
            self.day(-8, 16), R.SATISFIED, "第二次回访：告知已锁定嫌疑人身份，报案人表示满意。"
        )

    def _not_filed(self) -> None:
        c = self._case(
            Spec(
                "loan-dispute",
                K.CRIMINAL,
                "NS-XL",
                "P-NS-XL-001",
                "报警称投资款被骗案",
                "报警人称借给朋友用于投资的十五万元未归还，认为被诈骗。",
            ),
            self.day(-31, 10),
        )
        c.do(self.day(-31, 11), case.accept)
        c.do(
            self.day(-28, 10),
            case.refuse_to_file,
            reason="经审查，系民间借贷纠纷，没有犯罪事实，不予立案；已告知可向人民法院提起民事诉讼。",
        )
        c.do(self.day(-27, 15), case.record_not_filing_notice, served_at=None)
        c.revisit(
            self.day(-21, 10),
            R.DISSATISFIED,
            "回访报警人：对不予立案有异议，已告知可在收到通知书后七日内申请复议。",
        )

    def _withdrawn(self) -> None:
        c = self._case(
            Spec(
                "self-defence",
                K.CRIMINAL,
                "LH-DM",
                "P-LH-DM-001",
                "东门某商场门前打架致人轻伤案",
                "两名男子在商场门前发生冲突，一人被打致轻伤。",
            ),
            self.day(-76, 21),
        )
        c.opened(self.day(-76, 22), self.day(-75, 10), self.day(-75, 11))
        c.revisit(self.day(-66, 10), R.SATISFIED, "回访报警人：告知案件正在侦查，报警人表示满意。")
        c.revisit(self.day(-55, 10), R.BASICALLY_SATISFIED, "第二次回访：告知正在调取现场视频。")
        c.do(
            self.day(-15, 10),
            case.withdraw,
            reason="经侦查，行为人系为制止正在进行的不法侵害而实施的正当防卫，不负刑事责任，依法撤销案件。",
        )

    def _transferred(self) -> None:
        """Too big for the station: handed on to the city's criminal investigation bureau."""
        c = self._case(
            Spec(
                "embezzlement",
                K.CRIMINAL,
                "NS-YH",
                "P-NS-YH-001",
                "南山某科技公司职务侵占案",
                "报案公司称其财务人员利用职务便利，通过虚构采购侵占公司资金逾一千二百万元，涉及多地账户。",
            ),
            self.day(-29, 14),
        )
        c.do(self.day(-29, 16), case.accept)
        c.do(
            self.day(-27, 10),
            case.transfer,
            to_unit_code="SZ-XZ",
            reason="涉案金额特别巨大、资金流向涉及多地，报请市局刑事侦查局侦办。",
        )
        bureau = self.world.city.actor("P-XZ-001")
        c.do(self.day(-25, 10), case.file, actor=bureau)
        c.do(self.day(-25, 11), case.start_investigating, actor=bureau)
        c.revisit(
            self.day(-20, 15),
            R.SATISFIED,
            "回访报案公司：告知案件已由市局刑侦局立案侦查，对方表示满意。",
            actor=bureau,
        )

    def _recent(self) -> None:
        c = self._case(
            Spec(
                "phone-snatch",
                K.CRIMINAL,
                "FT-SB",
                "P-FT-SB-001",
                "沙头街道手机被抢夺案",
                "报警人称步行时手机被骑电动车的男子抢走。",
            ),
            self.day(-2, 21, 40),
        )
        c.do(self.day(-2, 22, 30), case.accept)
        self._case(
            Spec(
                "pickpocket",
                K.CRIMINAL,
                "NS-YH",
                "P-NS-YH-001",
                "科技园地铁站扒窃案",
                "报警人称在地铁站内钱包被扒窃。",
            ),
            self.day(-1, 23, 10),
        )

    def _stalled(self) -> None:
        """Two cases the warning rules catch: accepted and left (有案不立), filed and left (立而不侦)."""
        unfiled = self._case(
            Spec(
                "unfiled-fraud",
                K.CRIMINAL,
                "LH-DM",
                "P-LH-DM-001",
                "民治街道网络刷单诈骗案",
                "报案人称参与网络刷单被骗人民币三万余元，已受案，至今未作立案决定。",
            ),
            self.day(-12, 10),
        )
        unfiled.do(self.day(-12, 14), case.accept)
        idle = self._case(
            Spec(
                "idle-theft",
                K.CRIMINAL,
                "NS-XL",
                "P-NS-XL-001",
                "西丽街道电动车盗窃案",
                "报案人称停放在小区的电动车被盗，已立案，未开展侦查工作。",
            ),
            self.day(-22, 9),
        )
        idle.do(self.day(-22, 11), case.accept)
        idle.do(self.day(-20, 16), case.file)

    # -- administrative (治安) cases ------------------------------------------------------------

    def _administrative(self) -> None:
        beating = self._case(
            Spec(
                "neighbour-beating",
                K.ADMINISTRATIVE,
                "FT-SB",
                "P-FT-SB-002",
                "沙头某小区邻里纠纷殴打他人案",
                "两户邻居因漏水问题发生争执，一方殴打对方致轻微伤。",
            ),
            self.day(-46, 19),
        )
        beating.opened(self.day(-46, 20), self.day(-45, 10), self.day(-45, 11))
        beating.do(
            self.day(-44, 10), case.start_appraisal, reason="委托法医对被侵害人进行伤情鉴定。"
        )
        beating.do(self.day(-36, 16), case.end_appraisal)
        beating.revisit(self.day(-39, 10), R.SATISFIED, "回访报警人：告知已委托伤情鉴定。")
        beating.revisit(
            self.day(-29, 10), R.SATISFIED, "第二次回访：告知鉴定意见为轻微伤，正在依法处理。"
        )
        beating.do(self.day(-19, 15), case.conclude)

        gambling = self._case(
            Spec(
                "gambling",
                K.ADMINISTRATIVE,
                "LH-HB",
                "P-LH-HB-001",
                "黄贝岭某出租屋聚众赌博案",
                "群众举报出租屋内有人聚众赌博，民警到场查获参赌人员六名。",
            ),
            self.day(-26, 22),
        )
        gambling.opened(self.day(-26, 23), self.day(-25, 10), self.day(-25, 11))
        gambling.do(self.day(-22, 16), case.conclude)
        gambling.revisit(
            self.day(-16, 10), R.SATISFIED, "回访举报人：告知已依法处理，举报人表示满意。"
        )
        gambling.revisit(self.day(-9, 10), R.SATISFIED, "第二次回访：该出租屋未再发现赌博活动。")

        extended = self._case(
            Spec(
                "internet-cafe-fight",
                K.ADMINISTRATIVE,
                "NS-YH",
                "P-NS-YH-001",
                "粤海街道某网吧群殴案",
                "两伙青年在网吧内互相殴打，涉案人员九名，部分人员逃离现场。",
            ),
            self.day(-51, 23),
        )
        extended.opened(self.day(-50, 0, 40), self.day(-50, 10), self.day(-49, 10))
        extended.revisit(
            self.day(-43, 10), R.SATISFIED, "回访报警的网吧经营者：告知已传唤部分涉案人员。"
        )
        extended.revisit(
            self.day(-33, 10), R.BASICALLY_SATISFIED, "第二次回访：尚有涉案人员未到案。"
        )
        extended.do(
            self.day(-24, 10),
            case.extend_handling_limit,
            actor=self.world.city.actor("P-NS-001", Role.LEADER),
            amount=30,
            reason="涉案人员较多且部分在逃，需进一步调查取证，经上一级公安机关批准延长三十日。",
        )

        stalled = self._case(
            Spec(
                "hotel-theft",
                K.ADMINISTRATIVE,
                "FT-HF",
                "P-FT-HF-001",
                "华富路某酒店客房财物被盗案",
                "住客称外出期间客房内的现金一千五百元被盗。",
            ),
            self.day(-41, 13),
        )
        stalled.opened(self.day(-41, 15), self.day(-40, 10), self.day(-40, 11))
        stalled.revisit(self.day(-31, 10), R.DISSATISFIED, "回访报警人：对案件无进展不满意。")

        small_theft = self._case(
            Spec(
                "supermarket-theft",
                K.ADMINISTRATIVE,
                "FT-XS",
                "P-FT-XS-004",
                "香蜜湖某超市小额盗窃案",
                "超市报称一名顾客藏匿商品未结账离开，价值一百八十元。",
            ),
            self.day(-15, 17),
        )
        small_theft.opened(self.day(-15, 18), self.day(-14, 10), self.day(-14, 11))
        small_theft.do(self.day(-12, 15), case.conclude)
        small_theft.revisit(
            self.day(-6, 10), R.SATISFIED, "回访超市负责人：告知已依法处罚，对方表示满意。"
        )

        corridor = self._case(
            Spec(
                "corridor-dispute",
                K.ADMINISTRATIVE,
                "LH-DM",
                "P-LH-DM-001",
                "报警称邻居占用公共楼道案",
                "报警人称邻居长期在公共楼道堆放杂物，要求公安机关处理。",
            ),
            self.day(-19, 10),
        )
        corridor.do(self.day(-19, 11), case.accept)
        corridor.do(
            self.day(-17, 10),
            case.refuse_to_file,
            reason="不属于违反治安管理行为，已告知报警人向社区工作站和物业管理部门反映。",
        )

        drunk = self._case(
            Spec(
                "drunk-disorder",
                K.ADMINISTRATIVE,
                "NS-SK",
                "P-NS-SK-001",
                "蛇口某KTV门前醉酒滋事案",
                "一名醉酒男子在KTV门前滋事，踢砸停放车辆。",
            ),
            self.day(-3, 1, 20),
        )
        drunk.do(self.day(-3, 2, 5), case.accept)
