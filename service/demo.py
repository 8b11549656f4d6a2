"""Demo data: the demo city, about 300 complaints of the last 60 days, the seed-000 loop, cases,
petitions and reviews, all through the services.

Every change goes through the application services with the actor who would make it (intake
clerk, 12345 platform, police integrated platform, supervision centre, the handling unit, legal
officers, leaders), on a movable clock that walks forward through the events, so the audit log
holds the whole history as if it had really happened. The complaints are planned here; the other
parts in `demo_story` (what followed the buck-passing letter of seed 000), `demo_cases`,
`demo_petitions` and `demo_reviews`, on the shared ground of `demo_base`. All their commands are
sorted by time and played in that order.

The timeline ends at `runtime.clock.now()`; the complaints start 60 days before it, long-running
cases and the petition backlog campaign about a year before (`HISTORY`); the demo clock never
passes that end. Deriving the end from the runtime's clock rather than the wall clock is what
makes the data testable: with `random.Random(20261123)` (and a stream of its own per part) the
same end gives the same data (the fixed clock of the tests always does; in production the real
now shifts office hours and weekends, so counts vary a little from day to day). Items whose next
step would lie in the future simply have not got there yet, which is how open and overdue items
arise.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from functools import partial
from uuid import UUID
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from domain.accountability.aggregate import Accountability
from domain.actor import SYSTEM_ACTOR, Actor, Role
from domain.case.aggregate import Case
from domain.clock import MovableClock
from domain.complaint.aggregate import Complaint
from domain.complaint.clocks import CALLBACK, REPLY
from domain.complaint.status import ComplaintStatus, Satisfaction
from domain.petition.aggregate import Petition
from domain.petition.clocks import PetitionClocks
from domain.petition.status import Outcome, PetitionStatus
from domain.review.aggregate import Review
from domain.review.status import Rating, RecommendationStatus
from service import (
    complaints,
    demo_cases,
    demo_petitions,
    demo_reviews,
    demo_story,
    demo_warnings,
    reference,
)
from service.complaints import RegisterComplaint
from service.context import Call, Runtime
from service.demo_base import (
    INTAKE,
    REQUEST_ID,
    SUPERVISOR,
    Calendar,
    City,
    People,
    Person,
    Task,
    World,
    days,
    hours,
    id_check_char,
    office_time,
)
from store import rows
from store.accountability import points_ledger
from store.reference import load_calendar, load_clock_rules

S = ComplaintStatus
RANDOM_SEED = 20261123
SPAN = timedelta(days=60)  # the complaints' timeline
# Cases and the petition backlog reach further back: bail lasts up to 12 months, and the backlog
# campaign began about a year ago.
HISTORY = timedelta(days=400)
NEAR_LIMIT = timedelta(days=10)  # a measure this close to its legal limit is "near" it
COMPLAINT_COUNT = 300
SERIES_COUNT = 18  # repeat complainants: one matter, several channels
PROGRESS_EVERY = 250  # service calls between progress reports

STORY_SYSTEM = "demo-story"
STORY_TICKET = "seed-000"
PLATFORM_12345 = "12345-platform"

CHANNELS = ("DIRECTOR_MAILBOX", "HOTLINE_12389", "HOTLINE_12345", "PETITION", "ONLINE")
CHANNEL_WEIGHTS = (35, 15, 25, 10, 15)
CHANNEL_NAMES = {
    "DIRECTOR_MAILBOX": "局长信箱",
    "HOTLINE_12389": "12389举报热线",
    "HOTLINE_12345": "12345政务服务热线",
    "PETITION": "信访渠道",
    "ONLINE": "网络投诉平台",
}

PLATFORM = Actor(subject=PLATFORM_12345, role=Role.INTEGRATION)


# -- text material ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Topic:
    """What one category of complaint says, and how it is usually routed and answered."""

    category: str
    weight: int
    letters: tuple[tuple[str, str], ...]  # (subject, content) templates
    replies: tuple[str, ...]
    line_units: tuple[str | None, ...]
    accuses_station: bool = False  # a station named in the text is the one complained about
    names_unit: float = 0.0  # share whose text names a station
    names_officer: float = 0.0  # share of the accusing ones that also name an officer


TOPICS = (
    Topic(
        category="ENF_ATTITUDE",
        weight=16,
        letters=(
            (
                "{station}民警接待态度生硬",
                "{date}我到{station}{errand}，接待我的{officer}态度生硬，说话很不耐烦，我多问了两句就被呵斥“听不懂就回去”。民警不应该这样对待群众，请求核查并给予答复。",
            ),
            (
                "民警处警时言语粗暴",
                "{date}我在{place}与人发生纠纷后报警，到场的民警不听我解释，言语粗暴，还当着围观群众的面训斥我。希望有关部门调查处理，并对该民警进行教育。",
            ),
            (
                "投诉{station}值班民警电话里态度差",
                "我{date}打电话到{station}咨询{errand}的事情，接电话的{officer}语气很冲，没说几句就挂断了电话，再打就没人接。请督促改进服务态度。",
            ),
        ),
        replies=(
            "经核查，来信反映的情况属实。{unit}已对涉事民警进行批评教育，责令其向来信人当面道歉，并在全所开展文明执法教育。",
            "经核查，来信反映的情况部分属实：民警在接待中确有语气生硬的问题，但不存在辱骂情形。已对相关民警进行批评教育，并向来信人作出解释。",
            "经调取执法记录仪视频核查，民警处警过程中用语规范，未发现态度粗暴的情形，来信反映不属实。已向来信人说明核查情况并耐心解释。",
        ),
        line_units=("SZ-DC",),
        accuses_station=True,
        names_unit=0.7,
        names_officer=0.4,
    ),
    Topic(
        category="ENF_INACTION",
        weight=16,
        letters=(
            (
                "报警后民警迟迟未出警",
                "{date}晚上我在{place}报警，称{incident}，等了一个多小时民警才到，到场后简单登记就走了，至今没有任何回复。请求督促{station}依法处理。",
            ),
            (
                "{place}噪音扰民多次报警无人处理",
                "我家楼下{place}一带每晚都有人聚集喧哗到凌晨，我已经报警{times}次，每次民警来了说两句就走，问题一直没有解决。希望公安机关真正管起来。",
            ),
            (
                "电动车被盗报警后派出所没有下文",
                "{date}我的电动车在{place}被盗，当天就到{station}报了案，民警说监控坏了没办法，之后再没联系过我。请问派出所是不是应该继续调查？",
            ),
        ),
        replies=(
            "经核查，{station}接警后出警不及时、处置不到位的情况属实。已责令重新调查处理，对相关责任民警进行通报批评，并向来信人反馈处理进展。",
            "经核查，民警接警后按规定出警，但后续跟进不够及时，来信反映的问题部分属实。{unit}已指定专人跟进，并将处理进展告知来信人。",
            "经核查，{station}接警后已依法出警处置并制作笔录，案件正在调查中，来信反映不属实。已将办理情况向来信人说明。",
        ),
        line_units=("SZ-ZA", "SZ-DC"),
        accuses_station=True,
        names_unit=0.6,
    ),
    Topic(
        category="ENF_MISCONDUCT",
        weight=10,
        letters=(
            (
                "民警查车时违规扣押证件",
                "{date}我在{place}被民警拦下检查，没有说明理由就扣了我的驾驶证，也没有给任何凭证。我认为这种做法不合法，请求核查。",
            ),
            (
                "对{station}处罚决定提出异议",
                "{date}{station}{officer}以{reason}为由对我作出罚款决定，但事情经过与事实不符，民警没有听取我的陈述申辩就作出了处罚。请求法制部门审查。",
            ),
            (
                "辅警单独执法，未出示证件、未开执法记录仪",
                "{date}在{place}，几名自称派出所的人员对我进行盘查，既没有出示证件，也没有开执法记录仪，其中一人是辅警，却单独对我进行询问。请求调查。",
            ),
        ),
        replies=(
            "经核查，民警在执法过程中存在未依法出具凭证的问题，来信反映属实。已责令纠正，对涉事民警进行诫勉谈话，并纳入执法过错责任追究。",
            "经法制部门审核，原处罚决定认定事实清楚，但执法程序存在瑕疵，来信反映问题部分属实。已责令整改执法程序，并告知来信人依法申请行政复议的权利。",
            "经调取执法记录仪视频和相关台账核查，民警执法程序合法，未发现违规情形，来信反映不属实。已向来信人解释相关法律规定。",
        ),
        line_units=("SZ-DC", "SZ-FZ"),
        accuses_station=True,
        names_unit=0.8,
        names_officer=0.6,
    ),
    Topic(
        category="ENF_BUCK_PASSING",
        weight=6,
        letters=(
            (
                "报案被派出所以不属管辖为由推诿",
                "{date}我到{station}报案，称{crime}，民警说案发地不在他们辖区，让我去{other}。到了{other}又说应该回原来的派出所。来回跑了几趟也没人给我受案，请求督促解决。",
            ),
            (
                "两个派出所互相推诿，请求指定管辖",
                "我{crime}，报警后{station}和{other}都说不归自己管，互相推来推去，已经半个月了还没有受案。请求上级公安机关指定管辖。",
            ),
        ),
        replies=(
            "经督察部门倒查，来信反映属实，{station}接报后未落实首接责任制，存在推诿情形。已责令立即受案，对值班民警予以通报批评，并依照推诿扯皮查处规程追究责任。",
            "经核查，来信反映部分属实。根据管辖规定已明确由{station}受理并开展调查，对接报民警未履行首接责任的问题进行了批评教育。",
        ),
        line_units=("SZ-DC",),
        accuses_station=True,
        names_unit=1.0,
    ),
    Topic(
        category="ENF_DELAY",
        weight=10,
        letters=(
            (
                "诈骗案立案{months}个月没有进展",
                "我于{months}个月前在{station}报案，被骗{amount}元，已经立案，但至今没有任何进展，多次打电话询问民警都说在查。请求督办。",
            ),
            (
                "案件久拖不决，请求督办",
                "我的案子在{station}已经拖了{months}个多月，证据都提交了，办案民警换了两次，每次都要重新说明情况。请求上级部门督促尽快办结。",
            ),
            (
                "对方取保候审快一年，案件还没有结果",
                "我是一起故意伤害案的被害人，对方被取保候审快一年了，案件还没有移送起诉，请求了解原因并督促办理。",
            ),
        ),
        replies=(
            "经核查，该案已立案侦查，因涉案资金流转复杂、部分证据需跨省调取，办理周期较长。已督促办案单位明确办结时限，并指定专人定期向来信人通报进展。",
            "经核查，办案单位确存在案件办理不及时的问题，来信反映属实。已将该案列入盯办清单，由分局领导包案督办，并对办案民警进行提醒谈话。",
            "经核查，来信反映部分属实：该案确有一段时间未开展实质性侦查工作。现已补充调取证据，预计近期移送审查起诉，办案民警已向来信人说明情况。",
        ),
        line_units=("SZ-FZ", "SZ-XZ"),
        accuses_station=True,
        names_unit=0.7,
    ),
    Topic(
        category="ENF_CASE_PROGRESS",
        weight=12,
        letters=(
            (
                "询问被盗案件办理进展",
                "{date}我在{place}被盗了{item}，已在{station}报案，想了解现在案件查到哪一步了，有没有抓到人。",
            ),
            (
                "想了解报案后是否已立案",
                "我{months}个月前在{station}报了案，一直没接到是否立案的通知，想请民警告知办理进度。",
            ),
            (
                "咨询交通肇事逃逸案件处理进度",
                "{date}我在{place}发生交通事故，对方车辆逃逸，已经报警，想了解目前找到肇事车辆没有。",
            ),
        ),
        replies=(
            "经核实，来信人所报案件已于报案当日受案，目前正在侦查中。办案民警已电话联系来信人告知案件进展，并将在办理期间定期回访。",
            "经核实，该案已依法立案，相关嫌疑人已被抓获，涉案财物正在追缴。办案民警已向来信人当面说明情况。",
        ),
        line_units=("SZ-XZ",),
        names_unit=0.7,
    ),
    Topic(
        category="NON_SERVICE",
        weight=12,
        letters=(
            (
                "户籍迁入办理材料反复补交",
                "我到{station}办理户籍迁入，前后跑了三趟，每次都被告知还缺材料，却没有一次性告知需要哪些材料。希望改进服务。",
            ),
            (
                "身份证补领等候时间过长",
                "{date}我到{station}补领身份证，排队等了三个多小时，窗口只开了一个。希望增加窗口或实行预约。",
            ),
            (
                "出入境业务网上预约难",
                "最近一直约不上出入境业务的号，网上显示全部约满，电话也打不通，请问有什么办法？",
            ),
            (
                "派出所办证窗口中午不开放",
                "{station}办证窗口中午休息不办理业务，上班族只能请假去办，希望能实行错时服务。",
            ),
        ),
        replies=(
            "已责成{unit}落实一次性告知制度，并安排专人联系来信人协助办理，相关业务已办结。",
            "已督促{unit}优化窗口设置，高峰期增开窗口，并推行网上预约和延时服务。",
        ),
        line_units=("SZ-ZA", None),
        accuses_station=True,
        names_unit=0.6,
    ),
    Topic(
        category="NON_CONSULTATION",
        weight=10,
        letters=(
            (
                "咨询居住证办理条件",
                "我在{district}租房居住半年，想办理居住证，请问需要哪些材料，可以网上办理吗？",
            ),
            (
                "咨询新生儿落户流程",
                "孩子刚出生，父母户籍不在同一个地方，请问新生儿落户应该到哪里办理，需要什么材料？",
            ),
            (
                "咨询无犯罪记录证明开具方式",
                "公司入职需要开具无犯罪记录证明，请问可以在{station}办理吗？需要多长时间？",
            ),
            (
                "咨询交通事故责任认定复核程序",
                "对交通事故责任认定书有异议，请问应该向哪个部门申请复核，期限是多久？",
            ),
        ),
        replies=(
            "已电话联系来信人，详细告知办理条件、所需材料和办理渠道，来信人表示清楚。",
            "已由{unit}民警向来信人解答相关政策规定，并告知可通过网上办事平台预约办理。",
        ),
        line_units=(None,),
        names_unit=0.3,
    ),
    Topic(
        category="NON_OTHER",
        weight=8,
        letters=(
            (
                "建议在学校门口增设护学岗",
                "{place}附近小学放学时段人车混行，经常发生剐蹭，建议派出所在上下学时段安排护学岗。",
            ),
            (
                "反映{place}周边夜间照明不足存在安全隐患",
                "{place}周边路段夜间路灯损坏多处，行人很少，女性夜归很不安全，希望公安机关加强巡逻并协调修复照明。",
            ),
            (
                "建议加强{place}一带夜间巡逻",
                "最近{place}一带夜里常有人撬车门，居民很担心，建议增加夜间巡逻频次。",
            ),
        ),
        replies=(
            "感谢来信人的建议，{unit}已在{place}周边加强巡逻防控，并协调相关部门跟进处理。",
            "来信人的建议已转交{unit}研究采纳，高峰时段已安排警力值守。",
        ),
        line_units=(None, "SZ-ZA"),
    ),
)
TOPIC_BY_CATEGORY = {topic.category: topic for topic in TOPICS}


def _pick(
    rng: random.Random, letters: tuple[tuple[str, str], ...], naming: bool
) -> tuple[str, str]:
    """A letter that names a station (or not, as asked), falling back to any of them."""
    fitting = [letter for letter in letters if ("{station}" in "".join(letter)) is naming]
    return rng.choice(fitting or letters)


# Items that are not police business: received, then not accepted with a reason.
NOT_ACCEPTED = (
    (
        "反映小区物业乱收停车费",
        "我们小区物业长期乱收停车费，业主多次反映无果，请公安局管一管。",
        "所反映的物业收费问题不属于公安机关职责范围，已告知来信人向住房和建设部门反映。",
    ),
    (
        "投诉商家拒不退款",
        "我在{place}一家商店买的手机有质量问题，商家拒绝退款，请求处理。",
        "属消费纠纷，不属于公安机关受理范围，已告知来信人向市场监管部门（12315）投诉。",
    ),
    (
        "公司拖欠工资",
        "我在{district}一家工厂上班，老板已经拖欠三个月工资，请公安帮忙讨薪。",
        "属劳动争议，已引导来信人向劳动保障监察部门反映或申请劳动仲裁；如有拒不支付劳动报酬的犯罪线索可另行报案。",
    ),
    (
        "请查一下那件事",
        "你们应该知道是什么事，请尽快查清楚，不要再拖了。",
        "来信内容不具体、无法核实，来信人预留电话多次无法接通，不予受理。",
    ),
)

REREPLIES = (
    "经重新核查并与来信人当面沟通，{unit}已补充调查取证，对来信人提出的问题逐项作出答复，相关问题已整改到位。",
    "回访不满意后，执法监督中心督促{unit}重新办理：已指定专人跟进，落实整改措施，并向来信人当面说明处理结果。",
)
SATISFIED_NOTES = (
    "来信人对处理结果表示满意。",
    "电话回访，来信人表示满意，感谢民警的答复。",
)
BASICALLY_NOTES = (
    "来信人表示基本满意，希望今后加快办理。",
    "来信人基本满意，对处理时长仍有意见。",
)
DISSATISFIED_NOTES = (
    "来信人对答复不满意，认为问题没有实际解决。",
    "来信人表示民警只作了解释，没有处理结果，不满意。",
)
REOPEN_REASONS = (
    "回访不满意：来信人称问题仍未解决，责成承办单位重新核查。",
    "回访不满意：答复未回应来信人的主要诉求，退回重办。",
)

PLACES = {
    "FT": ("车公庙地铁站", "华强北商业街", "景田北", "香蜜湖度假村", "福田口岸", "皇岗村"),
    "LH": ("东门步行街", "国贸商圈", "黄贝岭村", "春风路", "罗湖火车站"),
    "NS": ("科技园", "蛇口花园城", "西丽大学城", "海岸城", "南头古城"),
}
DISTRICTS = {"FT": "福田区", "LH": "罗湖区", "NS": "南山区"}
DISTRICT_WEIGHTS = {"FT": 4, "LH": 3, "NS": 3}
ERRANDS = ("开具户籍证明", "开具无犯罪记录证明", "报失身份证", "办理居住证", "领取被扣车辆")
INCIDENTS = ("有人在小区门口打架", "邻居家中传出呼救声", "有醉酒人员砸车", "有人冒充快递员上门骚扰")
ITEMS = ("手机", "电动车", "笔记本电脑", "钱包和证件")
CRIMES = ("网购被骗三千多元", "被人以投资理财为名骗走八万元", "公司员工侵占货款")
REASONS = ("扰乱公共秩序", "违规停放车辆", "无证经营")


# -- plans: what happens to each complaint, and when ----------------------------------------


class Kind(StrEnum):
    """The complaint commands the demo plays."""

    REGISTER = "register"
    TRIAGE = "triage"
    START = "start handling"
    REPLY = "reply"
    CALLBACK = "callback"
    CLOSE = "close"
    REOPEN = "reopen"
    MERGE = "merge"
    REJECT = "reject"


@dataclass(frozen=True, slots=True)
class Action:
    """One command, how long after the previous one it comes, and what it says."""

    kind: Kind
    after: timedelta
    office_hours: bool = True
    text: str | None = None
    satisfaction: Satisfaction | None = None


@dataclass(frozen=True, slots=True)
class Step:
    """An action at its moment; `plan` and `index` keep one complaint's steps in order."""

    at: datetime
    plan: int
    index: int
    action: Action


@dataclass(slots=True)
class Plan:
    """One complaint's registration data, routing and timed steps."""

    key: int
    person: Person
    channel: str
    subject: str
    content: str
    category: str
    primary_unit: str
    line_unit: str | None
    complained_units: tuple[str, ...] = ()
    complained_officers: tuple[str, ...] = ()
    external: tuple[str, str] | None = None
    pushed: bool = False  # registered by the 12345 platform rather than an intake clerk
    important: bool | None = None  # None: the category decides (enforcement → important)
    scene: dict[str, str] = field(default_factory=dict)  # what the text says: replies reuse it
    merge_into: int | None = None
    received_at: datetime | None = None
    steps: list[Step] = field(default_factory=list)

    @property
    def registered_at(self) -> datetime:
        return self.steps[0].at


class Planner:
    """Decides, deterministically, every complaint's content, route, fate and timeline."""

    def __init__(self, rng: random.Random, city: City, *, end: datetime, tz: ZoneInfo) -> None:
        self.rng = rng
        self.city = city
        self.end = end
        self.start = end - SPAN
        self.tz = tz
        self.people = People(rng)
        self.plans: list[Plan] = []
        self.story_times: dict[str, datetime] = {}  # the seed-000 loop (demo_story.timeline)
        self._tickets = 0

    # -- the whole set ----------------------------------------------------------------------

    def plan_all(self, total: int) -> list[Plan]:
        self.plans.append(self.story())
        for _ in range(SERIES_COUNT):
            self.series()
        while len(self._planned()) < total:
            self.single()
        return self._planned()

    def _planned(self) -> list[Plan]:
        # An item planned for a moment past the end (say, one mailed on Sunday) never arrived.
        return [plan for plan in self.plans if plan.steps]

    # -- seed 000: the buck-passing story ---------------------------------------------------

    def story(self) -> Plan:
        """Seed 000: sent between three stations, reverse investigation, partly true, accountability."""
        plan = Plan(
            key=len(self.plans),
            person=Person(name="史立新", phone="13923456781", id_number=_story_id_number()),
            channel="DIRECTOR_MAILBOX",
            subject="报警遭三个派出所来回推诿，均称不属本所管辖",
            content=STORY_CONTENT,
            category="ENF_BUCK_PASSING",
            primary_unit="FT",
            line_unit="SZ-DC",
            complained_units=("FT-XS", "FT-SB", "FT-HF"),
            complained_officers=("P-FT-XS-002", "A-FT-XS-003"),
            external=(STORY_SYSTEM, STORY_TICKET),
            # Enforcement letters go up to the bureau chief (一把手); this one was sent up by hand.
            important=True,
        )
        self.people.reserve(plan.person.phone)
        # An evening letter, 55 days ago: old enough for the whole loop to have run.
        evening = datetime.combine(
            (self.start + timedelta(days=5)).astimezone(self.tz).date(), time(21, 37), self.tz
        )
        actions = [
            Action(Kind.REGISTER, timedelta(minutes=40)),
            Action(Kind.TRIAGE, timedelta(hours=2)),
            Action(Kind.START, timedelta(hours=3)),
        ]
        self._schedule(plan, evening.astimezone(self.end.tzinfo), actions, earliest=self.start)
        # The reply waits for the reverse investigation (demo_story): it tells the finding.
        self.story_times = demo_story.timeline(plan.steps[-1].at, self.tz)
        for name, action in (
            ("complaint_replied", Action(Kind.REPLY, timedelta(0), text=STORY_REPLY)),
            (
                "complaint_called_back",
                Action(
                    Kind.CALLBACK,
                    timedelta(0),
                    text="回访来信人：案件已由香蜜湖派出所立案侦查，对倒查结果和问责处理表示满意。",
                    satisfaction=Satisfaction.SATISFIED,
                ),
            ),
            ("complaint_closed", Action(Kind.CLOSE, timedelta(0))),
        ):
            at = self.story_times[name]
            if at <= self.end:
                plan.steps.append(Step(at=at, plan=plan.key, index=len(plan.steps), action=action))
        return plan

    # -- repeat complainants ----------------------------------------------------------------

    def series(self) -> None:
        """One person, one matter, two or three channels; later letters merged or left to spot."""
        rng = self.rng
        person = self.people.new(id_share=0.3)
        topic = TOPIC_BY_CATEGORY[
            rng.choice(("ENF_INACTION", "ENF_DELAY", "ENF_BUCK_PASSING", "ENF_CASE_PROGRESS"))
        ]
        channels = rng.sample(CHANNELS, k=rng.choice((2, 2, 3)))
        first = self._plan(person, topic, channels[0])
        fate = rng.choices((S.TRIAGED, S.HANDLING, S.REPLIED, S.CLOSED), (2, 4, 2, 2))[0]
        received = self.end - days(rng, 8, 35)
        self._schedule(first, received, self._lifecycle(first, fate), earliest=self.start)
        self.plans.append(first)
        previous = first
        for channel in channels[1:]:
            if not previous.steps:
                return
            later = self._repeat_of(first, previous, channel)
            received = previous.registered_at + days(rng, 1, 6)
            if received >= self.end:
                return
            self._schedule(
                later,
                received,
                self._duplicate_lifecycle(later, first),
                earliest=previous.registered_at + timedelta(hours=1),
            )
            self.plans.append(later)
            previous = later

    def _repeat_of(self, first: Plan, previous: Plan, channel: str) -> Plan:
        assert previous.received_at is not None
        when = f"{previous.received_at.astimezone(self.tz):%-m月%-d日}"
        again = f"我已于{when}通过{CHANNEL_NAMES[previous.channel]}反映过此事，至今没有结果，现再次反映："
        later = self._plan(first.person, TOPIC_BY_CATEGORY[first.category], channel)
        return replace(
            later,
            subject=f"再次反映：{first.subject}",
            content=again + first.content,
            primary_unit=first.primary_unit,
            line_unit=first.line_unit,
            complained_units=first.complained_units,
            complained_officers=first.complained_officers,
            scene=first.scene,
            steps=[],
        )

    def _duplicate_lifecycle(self, plan: Plan, first: Plan) -> list[Action]:
        rng = self.rng
        actions = [self._register(plan)]
        if rng.random() < 0.4:
            actions.append(Action(Kind.TRIAGE, hours(rng, 1, 20)))
        if rng.random() < 0.7:
            plan.merge_into = first.key
            reason = (
                f"与{CHANNEL_NAMES[first.channel]}在先受理的来信系同一来信人反映同一事项，"
                "并入原件办理，避免多头核查、重复处理。"
            )
            actions.append(Action(Kind.MERGE, hours(rng, 1, 24), text=reason))
        return actions

    # -- everyone else ----------------------------------------------------------------------

    def single(self) -> None:
        rng = self.rng
        channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
        fate = rng.choices(
            (S.CLOSED, S.CALLED_BACK, S.REPLIED, S.HANDLING, S.TRIAGED, S.RECEIVED, S.REJECTED),
            (50, 6, 10, 13, 9, 6, 6),
        )[0]
        person = self.people.new()
        if fate is S.REJECTED:
            plan = self._not_accepted(person, channel)
        else:
            topic = rng.choices(TOPICS, [t.weight for t in TOPICS])[0]
            plan = self._plan(person, topic, channel)
            self._schedule(
                plan, self._received(fate), self._lifecycle(plan, fate), earliest=self.start
            )
        self.plans.append(plan)

    def _received(self, fate: ComplaintStatus) -> datetime:
        """Finished items from any day; open ones mostly recent, a third stalled (overdue)."""
        rng = self.rng
        recent = {S.RECEIVED: 2, S.TRIAGED: 4, S.HANDLING: 9, S.REPLIED: 12, S.CALLED_BACK: 14}
        if fate in recent and rng.random() < 0.7:
            return self.end - days(rng, 0, recent[fate])
        if fate in recent:
            return self.start + days(rng, 0, 45)
        return self.start + days(rng, 0, 60)

    def _not_accepted(self, person: Person, channel: str) -> Plan:
        rng = self.rng
        subject, content, reason = rng.choice(NOT_ACCEPTED)
        plan = self._plan(person, TOPIC_BY_CATEGORY["NON_OTHER"], channel)
        plan = replace(
            plan,
            subject=subject,
            content=content.format(**plan.scene),
            complained_units=(),
            complained_officers=(),
        )
        actions = [self._register(plan)]
        if rng.random() < 0.3:
            actions.append(Action(Kind.TRIAGE, hours(rng, 1, 20)))
        actions.append(Action(Kind.REJECT, hours(rng, 2, 30), text=reason))
        self._schedule(plan, self.start + days(rng, 0, 60), actions, earliest=self.start)
        return plan

    # -- one complaint ----------------------------------------------------------------------

    def _plan(self, person: Person, topic: Topic, channel: str) -> Plan:
        """Content and route: a station complained about is never the one that handles it."""
        rng = self.rng
        sub = rng.choices(list(DISTRICT_WEIGHTS), list(DISTRICT_WEIGHTS.values()))[0]
        station, other = rng.sample(self.city.stations[sub], k=2)
        naming = rng.random() < topic.names_unit
        subject, content = _pick(rng, topic.letters, naming)
        # Whoever the text accuses is on record as complained about, so routing can avoid them.
        accused = topic.accuses_station and "{station}" in subject + content
        complained_units = (station, other) if "{other}" in content else (station,)
        officer_code, officer_phrase = self._officer(topic, station, accused, content)
        plan = Plan(
            key=len(self.plans),
            person=person,
            channel=channel,
            subject="",
            content="",
            category=topic.category,
            primary_unit=sub if accused or rng.random() < 0.3 else station,
            line_unit=rng.choice(topic.line_units),
            complained_units=complained_units if accused else (),
            complained_officers=(officer_code,) if officer_code else (),
            pushed=channel == "HOTLINE_12345" and rng.random() < 0.8,
        )
        plan.scene = self._scene(plan, station=station, other=other, officer=officer_phrase)
        plan.subject = subject.format(**plan.scene)
        plan.content = content.format(**plan.scene)
        return plan

    def _officer(
        self, topic: Topic, station: str, accused: bool, content: str
    ) -> tuple[str | None, str]:
        """Sometimes the complainant names the officer: their code, and how the text says it."""
        officers = self.city.officers.get(station, ())
        if (
            accused
            and officers
            and "{officer}" in content
            and self.rng.random() < topic.names_officer
        ):
            code, name = self.rng.choice(officers)
            return code, f"民警{name}"
        return None, "民警"

    def _scene(self, plan: Plan, *, station: str, other: str, officer: str) -> dict[str, str]:
        """Values the templates draw on; each template uses only some of them."""
        rng = self.rng
        names = self.city.unit_names
        sub = plan.primary_unit.split("-")[0]
        return {
            "station": names[station],
            "other": names[other],
            "unit": names[plan.primary_unit],
            "district": DISTRICTS[sub],
            "place": rng.choice(PLACES[sub]),
            "date": rng.choice(("前几天", "上周", "本月初", "上个月")),
            "officer": officer,
            "errand": rng.choice(ERRANDS),
            "incident": rng.choice(INCIDENTS),
            "item": rng.choice(ITEMS),
            "crime": rng.choice(CRIMES),
            "reason": rng.choice(REASONS),
            "times": str(rng.randint(3, 9)),
            "months": str(rng.randint(3, 11)),
            "amount": str(rng.randint(2, 60) * 1000),
        }

    def _register(self, plan: Plan) -> Action:
        """How long until the item is on record: platforms push at once, clerks in office hours."""
        rng = self.rng
        if plan.pushed:
            return Action(Kind.REGISTER, timedelta(minutes=rng.uniform(2, 30)), office_hours=False)
        if plan.channel == "PETITION":
            return Action(Kind.REGISTER, days(rng, 1, 3))
        return Action(Kind.REGISTER, timedelta(minutes=rng.uniform(10, 120)))

    def _lifecycle(self, plan: Plan, fate: ComplaintStatus) -> list[Action]:
        """Register → triage → handle → reply → callback → close, cut off at `fate`."""
        rng = self.rng
        actions = [self._register(plan)]
        if fate is S.RECEIVED:
            return actions
        actions.append(Action(Kind.TRIAGE, hours(rng, 0.5, 20)))
        if fate is S.TRIAGED:
            return actions
        actions.append(Action(Kind.START, hours(rng, 1, 30)))
        reply = self._reply_text(plan)
        reopened = rng.random() < 0.1
        if reopened:
            actions.extend(self._dissatisfied_round(plan, reply))
            reply = rng.choice(REREPLIES).format(**plan.scene)
        late = rng.random() < 0.15
        reply_after = days(rng, 11, 18) if late else days(rng, 1, 7)
        if plan.channel == "PETITION":
            reply_after = days(rng, 5, 40)
        final = [
            Action(Kind.REPLY, reply_after, text=reply),
            self._callback(SATISFIED_SHARE_AFTER_REOPEN if reopened else SATISFIED_SHARE),
            Action(Kind.CLOSE, hours(rng, 1, 40)),
        ]
        depth = {S.HANDLING: 0, S.REPLIED: 1, S.CALLED_BACK: 2, S.CLOSED: 3}[fate]
        return actions + final[:depth]

    def _dissatisfied_round(self, plan: Plan, reply: str) -> list[Action]:
        """A first answer the complainant rejects; the centre reopens it (sometimes after closing)."""
        rng = self.rng
        actions = [
            Action(Kind.REPLY, days(rng, 1, 6), text=reply),
            Action(
                Kind.CALLBACK,
                days(rng, 0.5, 3),
                text=rng.choice(DISSATISFIED_NOTES),
                satisfaction=Satisfaction.DISSATISFIED,
            ),
        ]
        if rng.random() < 0.3:
            actions.append(Action(Kind.CLOSE, hours(rng, 1, 20)))
            actions.append(Action(Kind.REOPEN, days(rng, 2, 6), text=rng.choice(REOPEN_REASONS)))
        else:
            actions.append(Action(Kind.REOPEN, days(rng, 0.5, 2), text=rng.choice(REOPEN_REASONS)))
        return actions

    def _callback(self, shares: Sequence[int]) -> Action:
        rng = self.rng
        satisfaction = rng.choices(list(Satisfaction), shares)[0]
        notes = {
            Satisfaction.SATISFIED: SATISFIED_NOTES,
            Satisfaction.BASICALLY_SATISFIED: BASICALLY_NOTES,
            Satisfaction.DISSATISFIED: DISSATISFIED_NOTES,
        }[satisfaction]
        return Action(
            Kind.CALLBACK, days(rng, 0.5, 4), text=rng.choice(notes), satisfaction=satisfaction
        )

    def _reply_text(self, plan: Plan) -> str:
        topic = TOPIC_BY_CATEGORY[plan.category]
        return self.rng.choice(topic.replies).format(**plan.scene)

    # -- time -------------------------------------------------------------------------------

    def _schedule(
        self, plan: Plan, received: datetime, actions: list[Action], *, earliest: datetime
    ) -> None:
        """Give each action its moment; move the whole item earlier if it would end in the future."""
        moments = self._moments(received, actions)
        for _ in range(6):
            overshoot = moments[-1] - self.end
            if overshoot <= timedelta(0):
                break
            # Half-day strides get an item received at the weekend out of it in a few rounds.
            received = max(earliest, received - overshoot - timedelta(hours=12))
            moments = self._moments(received, actions)
        plan.received_at = received
        if plan.pushed:
            plan.external = (PLATFORM_12345, self._ticket(received))
        # Whatever still lies beyond the end of the timeline has simply not happened yet.
        plan.steps = [
            Step(at=at, plan=plan.key, index=index, action=action)
            for index, (at, action) in enumerate(zip(moments, actions, strict=True))
            if at <= self.end
        ]
        if plan.steps and plan.steps[0].action.kind is not Kind.REGISTER:
            plan.steps = []

    def _moments(self, received: datetime, actions: list[Action]) -> list[datetime]:
        moments = []
        at = received
        for action in actions:
            at += action.after
            if action.office_hours:
                at = office_time(at, self.tz)
            moments.append(at)
        return moments

    def _ticket(self, received: datetime) -> str:
        self._tickets += 1
        return f"GD{received.astimezone(self.tz):%Y%m%d}{self._tickets:05d}"


SATISFIED_SHARE = (65, 22, 13)  # satisfied, basically satisfied, dissatisfied
SATISFIED_SHARE_AFTER_REOPEN = (55, 40, 5)

STORY_CONTENT = (
    "局长您好：我是一家小公司的负责人。前些天我发现有人利用伪造的合同对我公司提起虚假诉讼，"
    "当天就到香蜜湖派出所报案。值班民警李明和一名聘员接待了我，称公司注册地不在香蜜湖辖区，"
    "不予受理，让我去沙头派出所报警。我赶到沙头派出所，民警说案发地不归他们管，应该去华富派出所。"
    "到了华富派出所，又被告知这个案子应当由最先报案的派出所受理。三天里我在三个派出所之间来回跑，"
    "没有一个所给我出具受案回执。老百姓报警到底该找谁？恳请局长过问此事。"
)
# Sent once the fault was determined and the accountability opened (demo_story.timeline).
STORY_REPLY = (
    "经市局执法监督中心牵头、督察支队倒查，来信反映的问题部分属实。"
    "香蜜湖派出所接报后未落实首接责任，以“不属本所管辖”为由拒不受案，接处警工作存在推诿敷衍塞责；"
    "沙头、华富派出所未按规定先行受理、移交，亦存在推诿情形；来信所称“民警故意刁难”经调取执法记录仪核查未见。"
    "香蜜湖派出所在日常执法和队伍管理方面存在监督缺位、管理不严等问题。"
    "处理情况：已对香蜜湖派出所值班所领导、主办民警、聘员启动执法过错责任追究，处理结果将在全局通报；"
    "市局已指定香蜜湖派出所管辖，该所已受案侦查并向您出具受案回执；"
    "责成福田分局制定规范推诿扯皮和指定管辖的规定，明确首接责任和指定管辖的适用标准、流程。"
)


def _story_id_number() -> str:
    first17 = "44030419780615321"
    return first17 + id_check_char(first17)


# -- running the plans through the services ------------------------------------------------


class Runner:
    """Moves the clock to each step and runs it through the application service, as its actor."""

    def __init__(
        self, runtime: Runtime, clock: MovableClock, city: City, done: dict[int, Complaint]
    ) -> None:
        self.runtime = runtime
        self.clock = clock
        self.city = city
        self.done = done  # the complaints so far, by plan key (shared with the other parts)
        self._commands: dict[Kind, Callable[[Plan, Step], Awaitable[Complaint]]] = {
            Kind.REGISTER: self._register,
            Kind.TRIAGE: self._triage,
            Kind.START: self._start,
            Kind.REPLY: self._reply,
            Kind.CALLBACK: self._callback,
            Kind.CLOSE: self._close,
            Kind.REOPEN: self._reopen,
            Kind.MERGE: self._merge,
            Kind.REJECT: self._reject,
        }

    async def run(self, plan: Plan, step: Step) -> None:
        self.clock.set(step.at)
        self.done[plan.key] = await self._commands[step.action.kind](plan, step)

    def _call(self, actor: Actor) -> Call:
        return Call(runtime=self.runtime, actor=actor, request_id=REQUEST_ID)

    def _current(self, plan: Plan) -> tuple[UUID, int]:
        complaint = self.done[plan.key]
        return UUID(complaint.id), complaint.version

    async def _register(self, plan: Plan, step: Step) -> Complaint:
        system, ticket = plan.external or (None, None)
        command = RegisterComplaint(
            channel=plan.channel,
            subject=plan.subject,
            content=plan.content,
            complainant_name=plan.person.name,
            complainant_phone=plan.person.phone,
            complainant_id_number=plan.person.id_number,
            received_at=plan.received_at,
            external_system=system,
            external_ticket=ticket,
            complained_units=plan.complained_units,
            complained_officers=plan.complained_officers,
        )
        return await complaints.register(self._call(PLATFORM if plan.pushed else INTAKE), command)

    async def _triage(self, plan: Plan, step: Step) -> Complaint:
        return await complaints.triage(
            self._call(SUPERVISOR),
            *self._current(plan),
            category_code=plan.category,
            unit_code=plan.primary_unit,
            line_unit_code=plan.line_unit,
            importance=plan.important,
        )

    async def _start(self, plan: Plan, step: Step) -> Complaint:
        handler = self.city.handler(plan.primary_unit)
        return await complaints.start_handling(self._call(handler), *self._current(plan))

    async def _reply(self, plan: Plan, step: Step) -> Complaint:
        handler = self.city.handler(plan.primary_unit)
        return await complaints.reply(self._call(handler), *self._current(plan), text=_said(step))

    async def _callback(self, plan: Plan, step: Step) -> Complaint:
        assert step.action.satisfaction is not None
        return await complaints.record_callback(
            self._call(SUPERVISOR),
            *self._current(plan),
            satisfaction=step.action.satisfaction,
            note=step.action.text,
        )

    async def _close(self, plan: Plan, step: Step) -> Complaint:
        return await complaints.close(self._call(SUPERVISOR), *self._current(plan))

    async def _reopen(self, plan: Plan, step: Step) -> Complaint:
        return await complaints.reopen(
            self._call(SUPERVISOR), *self._current(plan), reason=_said(step)
        )

    async def _merge(self, plan: Plan, step: Step) -> Complaint:
        assert plan.merge_into is not None
        target = UUID(self.done[plan.merge_into].id)
        return await complaints.merge(
            self._call(SUPERVISOR), *self._current(plan), into_id=target, reason=_said(step)
        )

    async def _reject(self, plan: Plan, step: Step) -> Complaint:
        return await complaints.reject(
            self._call(SUPERVISOR), *self._current(plan), reason=_said(step)
        )


def _said(step: Step) -> str:
    assert step.action.text is not None
    return step.action.text


# -- entry points ----------------------------------------------------------------------------


async def has_complaints(runtime: Runtime) -> bool:
    async with runtime.engine.connect() as conn:
        return await conn.scalar(select(rows.complaint.c.id).limit(1)) is not None


async def seed(
    runtime: Runtime, *, progress: Callable[[str], None] = lambda _: None
) -> dict[str, int]:
    """Load the demo city, then play complaints, the seed-000 loop, cases, petitions and reviews
    through the services in time order; return counts."""
    progress("reference data")
    city_data = reference.read(reference.DEMO_CITY_FILE)
    applied = await reference.apply(Call(runtime=runtime, actor=SYSTEM_ACTOR), city_data)
    city = City.read(city_data)
    end = runtime.clock.now()
    planner = Planner(random.Random(RANDOM_SEED), city, end=end, tz=runtime.tz)
    plans = {plan.key: plan for plan in planner.plan_all(COMPLAINT_COUNT)}
    clock = MovableClock(end - HISTORY)
    world = World(replace(runtime, clock=clock), city)
    runner = Runner(world.runtime, clock, city, world.complaints)
    tasks = [
        Task(at=step.at, order=(0, step.plan, step.index), run=partial(runner.run, plan, step))
        for plan in plans.values()
        for step in plan.steps
    ]
    complaint_commands = len(tasks)
    async with runtime.engine.connect() as conn:
        petition_clocks = PetitionClocks(
            rules=await load_clock_rules(conn, "petition"),
            calendar=await load_calendar(conn),
            tz=runtime.tz,
        )
    _plan_the_rest(world, planner, plans, tasks, petition_clocks, end=end, tz=runtime.tz)
    # Whatever lies beyond the end of the timeline has not happened yet.
    due = sorted((task for task in tasks if task.at <= end), key=lambda t: (t.at, t.order))
    progress(f"{len(plans)} complaints, {len(due)} commands planned")
    watch = demo_warnings.Watch(world.runtime, clock.now(), runtime.tz)
    for count, task in enumerate(due, start=1):
        await watch.until(task.at, clock.set)
        clock.set(task.at)
        await task.run()
        if count % PROGRESS_EVERY == 0:
            progress(f"{count}/{len(due)} commands")
    clock.set(end)
    await demo_warnings.tick(world.runtime)
    await demo_warnings.respond(world.runtime)
    summary = _summary(applied.events, len(due), world.complaints.values(), end)
    summary["complaint_commands"] = complaint_commands
    summary |= await demo_warnings.counts(runtime)
    return summary | await _loop_summary(world, end)


def _plan_the_rest(
    world: World,
    planner: Planner,
    plans: dict[int, Plan],
    tasks: list[Task],
    petition_clocks: PetitionClocks,
    *,
    end: datetime,
    tz: ZoneInfo,
) -> None:
    """The seed-000 loop, cases, petitions and reviews, each part with a random stream of its own
    (so that changing one part leaves the others as they were)."""
    calendar = Calendar(end=end, tz=tz)
    story = next(plan for plan in plans.values() if plan.external == (STORY_SYSTEM, STORY_TICKET))
    assert story.received_at is not None
    demo_story.StoryPlanner(
        world,
        calendar,
        tasks,
        complaint_key=story.key,
        letter_received=story.received_at,
        times=planner.story_times,
    ).plan()
    demo_cases.CasePlanner(world, calendar, random.Random(f"{RANDOM_SEED}/cases"), tasks).plan()
    rng = random.Random(f"{RANDOM_SEED}/petitions")
    people = People(rng)
    for plan in plans.values():
        people.reserve(plan.person.phone)
    demo_petitions.PetitionPlanner(
        world,
        calendar,
        rng,
        people,
        tasks,
        clocks=petition_clocks,
        from_complaint=_petition_letter(plans, end),
    ).plan()
    demo_reviews.ReviewPlanner(
        world, calendar, random.Random(f"{RANDOM_SEED}/reviews"), tasks
    ).plan()


def _petition_letter(plans: dict[int, Plan], end: datetime) -> tuple[int, str, datetime] | None:
    """A letter from the petition channel, triaged well before the end and neither merged nor
    refused: it is registered as a petition too (its key, its unit, when it was triaged)."""
    for plan in sorted(plans.values(), key=lambda p: p.key):
        kinds = [step.action.kind for step in plan.steps]
        if (
            plan.channel == "PETITION"
            and Kind.TRIAGE in kinds
            and not {Kind.MERGE, Kind.REJECT} & set(kinds)
        ):
            triaged = plan.steps[kinds.index(Kind.TRIAGE)].at
            if triaged <= end - timedelta(days=20):
                return plan.key, plan.primary_unit, triaged
    return None


async def _loop_summary(world: World, end: datetime) -> dict[str, int]:
    """Counts of what the other parts made, from the items as the seed last saw them."""
    cases = [item for item in world.items.values() if isinstance(item, Case)]
    petitions = [item for item in world.items.values() if isinstance(item, Petition)]
    reviews = [item for item in world.items.values() if isinstance(item, Review)]
    accountabilities = [item for item in world.items.values() if isinstance(item, Accountability)]
    open_measures = [m for c in cases for m in c.open_measures]
    dues = [m.deadline.due_at for m in open_measures if m.deadline and m.deadline.due_at]
    backlog = [p for p in petitions if p.backlog_since is not None]
    evaluations = [r for r in reviews if r.evaluation is not None]
    async with world.runtime.engine.connect() as conn:
        deducted = await conn.scalar(select(func.coalesce(func.sum(points_ledger.c.deducted), 0)))
    return {
        "other_commands": world.commands,
        "cases": len(cases),
        "cases_pushed": sum(1 for c in cases if c.external_ref is not None),
        "cases_tracked": sum(1 for c in cases if c.tracking and c.tracking.is_open),
        "cases_overdue": sum(1 for c in cases if c.is_overdue(end)),
        "measures_open": len(open_measures),
        "measures_near_limit": sum(1 for due in dues if end < due <= end + NEAR_LIMIT),
        "measures_overdue": sum(1 for due in dues if due <= end),
        "petitions": len(petitions),
        "backlog_petitions": len(backlog),
        "backlog_resolved": sum(
            1
            for p in backlog
            if p.status is PetitionStatus.CLOSED and p.outcome in {Outcome.STOPPED, Outcome.SETTLED}
        ),
        "backlog_continuing": sum(1 for p in backlog if p.outcome is Outcome.CONTINUING),
        "reviews": len(reviews),
        "evaluations": len(evaluations),
        "evaluations_excellent": sum(
            1 for r in evaluations if r.evaluation and r.evaluation.rating is Rating.EXCELLENT
        ),
        "rectifications": sum(len(r.rectifications) for r in reviews),
        "recommendations_awaiting_response": sum(
            1
            for r in reviews
            for letter in r.recommendations
            if letter.status is RecommendationStatus.ISSUED
        ),
        "accountabilities": len(accountabilities),
        "points_deducted": int(deducted or 0),
    }


def _summary(
    reference_events: int, commands: int, seeded: Iterable[Complaint], end: datetime
) -> dict[str, int]:
    items = list(seeded)
    summary = {
        "reference_events": reference_events,
        "complaints": len(items),
        "commands": commands,
        "reopened": sum(1 for c in items if c.reopen_count),
        "pushed_by_12345": sum(
            1 for c in items if c.external_ref and c.external_ref.system == PLATFORM_12345
        ),
        "overdue": sum(1 for c in items if _overdue(c, end)),
    }
    statuses = Counter(c.status.value for c in items)
    channels = Counter(c.channel for c in items)
    summary |= {f"by_status_{s.value}": statuses[s.value] for s in ComplaintStatus}
    summary |= {f"by_channel_{code}": channels[code] for code in CHANNELS}
    return summary


def _overdue(complaint: Complaint, now: datetime) -> bool:
    """Past its reply deadline unanswered, or past its callback deadline uncalled."""
    waiting_on = {S.RECEIVED: REPLY, S.TRIAGED: REPLY, S.HANDLING: REPLY, S.REPLIED: CALLBACK}
    clock = waiting_on.get(complaint.status)
    deadline = complaint.deadlines.get(clock) if clock else None
    return bool(deadline and deadline.due_at and deadline.due_at <= now)
