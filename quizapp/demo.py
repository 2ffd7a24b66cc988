"""Demo data (``quizapp demo``): a city's enterprises, rosters and inspectors, and a year of inspections with
their exams, drills and findings, so that dashboards, item statistics and benchmarks have something real-looking
to read.

The place is Linyi (临沂): its counties and districts and the two zones the bureau's 2024 summary names
(沂河, 临港), an industry mix like the city's (machinery and foundries, aluminium, wood panels with their
dust, chemicals, cold stores on ammonia, trade and logistics …). Wherever the application decides something,
its own code decides it here too: papers are drawn by ``draw_paper`` with the role's blueprint in effect,
exams scored by ``score_paper``, drills by ``score_drill``, certificate findings by ``certificate_problem``.
Only the people are simulated: an answer is right with a logistic (item response) probability of the
worker's ability against the question's difficulty, and some topics are harder in some industries
(有限空间 and 动火 in machinery, trade and light industry, 粉尘防爆 in wood processing …), so weak topics
and item statistics show the patterns the bureau looks for. Workers improve a little with every exam.

Drawing a paper takes about 5 ms, too slow for a hundred thousand exams, so each (role, industries) pair
has a pool of papers drawn on first use with their own seeds; a worker never gets the same paper twice
while the pool has another, and every attempt keeps the seed of its paper (the same seed over the same bank
draws it again). The same ``seed`` over the same imported bank on the same day gives the same data, apart from
random public tokens. Rows are written with bulk core inserts, a few thousand at a time, in the caller's transaction.
"""

from __future__ import annotations

import math
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from quizapp.bank.importer import refresh_statistics
from quizapp.bank.types import LETTERS, normalize_fill_answer
from quizapp.exam.assemble import Paper
from quizapp.exam.attempts import FAILED_EXAM_BASIS, payload_hash
from quizapp.exam.blueprint import Blueprint, blueprint_for
from quizapp.exam.drill_runs import DEFICIENCY_BASIS, NOT_HELD_BASIS, score_drill
from quizapp.exam.inspections import LOCAL_ZONE, local_today
from quizapp.exam.pool import draw_paper
from quizapp.exam.roster import (
    CERTIFICATE_BASIS,
    certificate_problem,
    hash_id_number,
    id_number_problem,
    mask_id_number,
)
from quizapp.exam.scoring import score_paper
from quizapp.extensions import db
from quizapp.models import (
    Attempt,
    AttemptItem,
    Certificate,
    DrillRun,
    DrillStepMark,
    DrillTemplate,
    DrillTemplateVersion,
    Enterprise,
    Finding,
    Inspection,
    Question,
    QuestionVersion,
    TeamMember,
    Topic,
    TopicTally,
    User,
    Worker,
)
from quizapp.models.audit import audit_reason, inserted, record
from quizapp.models.drill_run import drill_participants
from quizapp.models.enterprise import CREDIT_CODE_ALPHABET, credit_code_problem
from quizapp.models.question import version_topics

DEFAULT_SEED = 20240705  # the day the bureau signed its second-quarter summary
CHUNK = 2000
"""Attempts (and their dozen items each) written per batch: big enough to be fast, small enough for memory."""
REEXAM_DAYS = 30


@dataclass(frozen=True)
class Scale:
    enterprises: int
    workers: int
    visits_per_quarter: float  # city and county inspections together, per enterprise
    examined_share: float  # of the roster, per inspection
    papers_per_pool: int  # papers drawn per (role, industries)
    inspectors_per_county: int
    city_inspectors: int  # the city's 执法支队: help (帮扶) and covert (暗访) visits


SCALES = {
    "small": Scale(enterprises=12, workers=150, visits_per_quarter=1.5, examined_share=0.4, papers_per_pool=4,
                   inspectors_per_county=2, city_inspectors=3),
    # About 360 key enterprises (the summary: 356 enterprises in one quarter's campaign), visited by city or county
    # every three weeks or so, most of the roster examined each time: a million scored items in a year.
    "city": Scale(enterprises=360, workers=7000, visits_per_quarter=4, examined_share=0.85, papers_per_pool=32,
                  inspectors_per_county=8, city_inspectors=14),
}


@dataclass(frozen=True)
class County:
    name: str
    region: str  # the administrative code in credit codes and ID numbers
    login: str  # the demo inspectors' user names
    weight: int


COUNTIES = (
    County("兰山区", "371302", "lanshan", 14), County("罗庄区", "371311", "luozhuang", 12),
    County("河东区", "371312", "hedong", 9), County("沂南县", "371321", "yinan", 6),
    County("郯城县", "371322", "tancheng", 7), County("沂水县", "371323", "yishui", 8),
    County("兰陵县", "371324", "lanling", 8), County("费县", "371325", "feixian", 8),
    County("平邑县", "371326", "pingyi", 7), County("莒南县", "371327", "junan", 6),
    County("蒙阴县", "371328", "mengyin", 4), County("临沭县", "371329", "linshu", 6),
    # Functional zones without a code of their own: their enterprises register under the city's.
    County("沂河新区", "371300", "yihe", 3), County("临港区", "371300", "lingang", 4),
)
COMMON_SPECIAL_POSTS = (("维修电工", "electrical"), ("电焊工", "welding-cutting"))


@dataclass(frozen=True)
class Profile:
    """A kind of enterprise: what it is called, its industries, where it tends to be, its posts."""

    trades: tuple[str, ...]
    industries: tuple[str, ...]
    weight: float
    counties: tuple[str, ...]
    workshops: tuple[str, ...]
    floor_posts: tuple[str, ...]
    special_posts: tuple[tuple[str, str], ...] = ()  # (post, special-operation category) beside the common ones
    training: float = 0.0  # how much better (or worse) than average its people know their stuff
    visits: float = 1.0  # how often it is inspected, relative to the scale's average


PROFILES = (
    Profile(("机械", "机械制造", "工程机械", "汽车配件", "精密铸造"), ("machinery",), 17,
            ("河东区", "沂河新区", "莒南县", "沂南县", "郯城县"), ("铸造车间", "机加工车间", "装配车间"),
            ("数控车工", "装配工", "铸造工", "打磨工", "行车工", "叉车司机", "质检员", "仓管员")),
    Profile(("机械设备", "钢结构", "农业机械"), ("machinery", "combustible-dust"), 6,
            ("河东区", "兰山区", "沂南县"), ("下料车间", "焊接车间", "涂装车间"),
            ("下料工", "铆工", "喷涂工", "除尘设备管理员", "叉车司机")),
    Profile(("铝业", "铝型材", "铜业", "有色金属"), ("nonferrous",), 7,
            ("罗庄区", "临港区", "兰陵县"), ("熔铸车间", "挤压车间", "氧化车间"),
            ("熔铸工", "挤压工", "氧化工", "时效工", "包装工")),
    Profile(("铝制品", "五金制品"), ("nonferrous", "combustible-dust"), 3,
            ("罗庄区", "兰山区"), ("抛光车间", "压铸车间"), ("抛光工", "压铸工", "除尘设备管理员", "包装工")),
    Profile(("钢铁", "特钢", "冶金", "钢管"), ("metallurgy",), 5, ("临港区", "罗庄区"), ("炼钢车间", "轧钢车间"),
            ("炼钢工", "轧钢工", "天车工", "高炉工", "铁水运输工"),
            (("煤气防护工", "metallurgy-gas"),), training=0.2, visits=1.3),
    Profile(("陶瓷", "建材", "新型建材", "水泥"), ("building-materials",), 7,
            ("罗庄区", "兰陵县", "郯城县", "沂南县"), ("原料车间", "烧成车间", "包装车间"),
            ("窑炉工", "原料工", "压机工", "包装工", "装载机司机"), (("登高架设工", "work-at-height-op"),)),
    Profile(("化工", "化肥", "新材料", "精细化工", "气体"), ("hazardous-chemicals",), 10,
            ("临沭县", "兰陵县", "罗庄区", "沂水县", "莒南县"), ("合成车间", "罐区", "包装车间"),
            ("中控操作工", "罐区巡检工", "装卸工", "化验员", "仓库保管员"),
            (("化工操作工", "hazardous-chemicals-op"),), training=0.3, visits=1.4),
    Profile(("木业", "板材", "家居", "木制品"), ("light-industry", "combustible-dust"), 9,
            ("费县", "兰山区", "郯城县", "沂南县"), ("砂光车间", "热压车间", "锯切车间"),
            ("砂光工", "热压工", "锯切工", "涂胶工", "除尘设备管理员"), training=-0.3),
    Profile(("食品", "冷藏", "罐头", "果蔬"), ("light-industry", "ammonia-refrigeration"), 7,
            ("平邑县", "蒙阴县", "沂水县", "莒南县", "兰陵县"), ("速冻车间", "冷库", "包装车间"),
            ("分拣工", "速冻工", "冷库管理员", "包装工", "装卸工"), (("制冷工", "refrigeration"),), visits=1.2),
    Profile(("商贸", "物流", "仓储", "供应链"), ("commerce",), 10, ("兰山区", "河东区", "罗庄区"),
            ("仓储部", "配送部"), ("仓储管理员", "装卸工", "叉车司机", "理货员", "配送司机"), training=-0.2,
            visits=0.7),
    Profile(("冷链物流",), ("commerce", "ammonia-refrigeration"), 2, ("兰山区", "河东区"), ("冷库", "配送部"),
            ("冷库管理员", "装卸工", "叉车司机", "理货员"), (("制冷工", "refrigeration"),)),
    Profile(("塑料制品", "包装", "纸业", "印刷"), ("light-industry",), 4, ("兰山区", "河东区", "沂水县"),
            ("生产车间", "印刷车间"), ("注塑工", "印刷工", "包装工", "机修工")),
    Profile(("酿造", "酒业"), ("light-industry", "confined-space"), 2, ("沂水县", "兰陵县"), ("酿造车间", "灌装车间"),
            ("酿造工", "灌装工", "污水处理工", "包装工")),
    Profile(("纺织", "棉业", "服饰"), ("textile",), 3, ("郯城县", "临沭县", "兰山区"), ("纺纱车间", "织布车间"),
            ("纺纱工", "挡车工", "织布工", "染色工")),
    Profile(("矿业", "石膏矿业", "石材"), ("mining",), 1.5, ("平邑县", "费县", "沂南县"), ("采区", "破碎车间"),
            ("采矿工", "铲车司机", "破碎工", "运输工"), (("矿山安全检查工", "metal-nonmetal-mine"),),
            visits=1.3),
    Profile(("烟花爆竹",), ("fireworks",), 1, ("兰陵县", "莒南县"), ("仓储部",), ("仓库保管员", "装卸工"),
            (("烟花爆竹储存作业人员", "fireworks-op"),), visits=1.3),
    Profile(("烟草复烤",), ("tobacco",), 0.5, ("沂水县", "兰山区"), ("复烤车间", "打叶车间"), ("复烤工", "打叶工")),
)

BRAND_CHARACTERS = "鑫华宏盛泰恒瑞德隆源兴达金顺祥凯润丰伟鼎昌嘉博远新振银海天龙信诚明东方正圣"
SURNAMES = ("王张李刘陈杨孙徐赵高庄马朱胡郭何林宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
            "杜戴夏钟田任姜范方石姚谭邹金陆郝孔白崔康毛邱秦江史顾侯邵孟段钱汤尹常武乔贺龚文颜厉公房")
GIVEN_CHARACTERS = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文玉兰海峰东鹏辉飞林斌波宁凯浩"
                    "宇鑫晨阳新春庆福成贵金永德光荣俊亮振立民丹萍燕梅琳晶雪婷倩慧莉学兵")
ROADS = ("工业大道", "沂河路", "临西八路", "通达路", "解放路", "金雀山路", "蒙山大道", "滨河大道", "南京路", "长春路",
         "龙潭路", "双岭路", "罗七路", "沭河大街", "开发区大道")
ROLE_ABILITY = {"principal": 0.0, "safety-director": 0.5, "safety-manager": 0.6, "special-operator": 0.3,
                "team-leader": 0.2, "worker": -0.2}
MANAGER_POSTS = {"principal": ("总经理", "董事长", "厂长"), "safety-director": ("安全总监",),
                 "safety-manager": ("安全管理员", "安全科科长", "安环部经理")}
WEAK_SPOTS = (
    ("confined-space-work", {"machinery", "light-industry", "commerce", "textile", "building-materials",
                             "ammonia-refrigeration"}, 1.0),
    ("hot-work", {"machinery", "nonferrous", "commerce", "light-industry", "combustible-dust"}, 0.8),
    ("dust-explosion", {"combustible-dust"}, 0.6),
    ("liquid-ammonia", {"ammonia-refrigeration"}, 0.5),
    ("molten-metal", {"nonferrous", "machinery"}, 0.4),
    ("legal-liability", None, 0.5),
    ("accident-report", None, 0.4),
)
"""(topic, the industries where it is weak — None for everywhere, extra difficulty): the gaps the bureau's
summaries keep naming (动火、有限空间 in small workshops; dust in wood processing; people not knowing the law)."""
ABILITY_SLOPE, ABILITY_OFFSET = 1.4, 1.9
"""p(right) = logistic(1.4 (ability − difficulty) + 1.9): an average worker gets an average item right
seven times in eight, so about three papers in four reach the pass mark of 80."""
LEARNING_PER_EXAM, LEARNING_CAP = 0.12, 5
WRONG_FILL = "不清楚"
UNANSWERED_SHARE = 0.01  # items a worker left blank on the tablet
DRILL_SHARE, NOT_HELD_SHARE = 0.33, 0.05
WORK_START = time(8, 30)
VISIT_HOURS = 5
"""An inspection fits in a working day: opened from 08:30, exams and a drill, closed within five hours."""


def credit_code(region: str, rng: random.Random) -> str:
    """A unified social credit code (GB 32100-2015) for an enterprise registered in ``region``.

    Registration authority 9 (market regulation), class 1 (enterprise), the region, a newer-style organisation
    code (MA… with its GB 11714 check character), and the 18th character the application's validator accepts.
    """
    body = "MA" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(6))
    values = [int(ch, 36) for ch in body]
    organisation_check = 11 - sum(v * w for v, w in zip(values, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    first17 = f"91{region}{body}{'0123456789X0'[organisation_check]}"
    return next(code for ch in CREDIT_CODE_ALPHABET if credit_code_problem(code := first17 + ch) is None)


def id_number(region: str, born: date, serial: int) -> str:
    """An ID-card number of the GB 11643 form, for a person who is not real; it is stored hashed and masked."""
    first17 = f"{region}{born:%Y%m%d}{serial:03d}"
    return next(number for ch in "0123456789X" if id_number_problem(number := first17 + ch) is None)


def chinese_name(rng: random.Random) -> str:
    surname = rng.choices(SURNAMES, cum_weights=_SURNAME_CUMULATIVE)[0]
    return surname + "".join(rng.choice(GIVEN_CHARACTERS) for _ in range(1 if rng.random() < 0.35 else 2))


_SURNAME_CUMULATIVE = [sum(1 / (rank + 3) for rank in range(upto + 1)) for upto in range(len(SURNAMES))]


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def demo_span(today: date) -> tuple[date, date]:
    """The current quarter up to today and the three before it: four quarters as the bureau reports them."""
    start = quarter_start(today)
    for _ in range(3):
        start = quarter_start(start - timedelta(days=1))
    return start, today


def demo_problem(session: Session) -> str | None:
    """Why the demo cannot run on this database, or None: it needs the bank, and never mixes with real data."""
    if session.scalar(select(func.count()).select_from(Enterprise)):
        return "the database already has enterprises; the demo fills an empty database only"
    if not session.scalar(select(func.count()).select_from(Question).where(Question.status == "active")):
        return "the database has no active questions: import the bank first (quizapp bank import question_bank)"
    return None


# --- the plan: people and places, kept in memory while the year is simulated ---------------------------------

@dataclass
class DemoCertificate:
    category_code: str
    number: str
    issued_on: date
    last_reviewed_on: date | None


@dataclass
class DemoWorker:
    enterprise: DemoEnterprise
    name: str
    role_code: str
    post: str
    required_category: str | None
    id_number: str
    ability: float
    certificates: list[DemoCertificate] = field(default_factory=list)
    id: int = 0
    exams: int = 0
    papers_taken: set[int] = field(default_factory=set)  # pool slots, so a worker meets a new paper

    def as_seen_on(self, day: date) -> SimpleNamespace:
        """The worker as an inspector saw them on ``day``: certificates issued or reviewed later are not there yet
        (``certificate_problem`` reads ``required_category`` and ``certificates``)."""
        certificates = [SimpleNamespace(category_code=c.category_code, issued_on=c.issued_on,
                                        last_reviewed_on=c.last_reviewed_on if c.last_reviewed_on
                                        and c.last_reviewed_on <= day else None)
                        for c in self.certificates if c.issued_on <= day]
        return SimpleNamespace(required_category=self.required_category, certificates=certificates)


@dataclass
class DemoEnterprise:
    name: str
    county: County
    profile: Profile
    credit_code: str
    address: str
    contact_phone: str
    training: float
    workers: list[DemoWorker] = field(default_factory=list)
    id: int = 0

    @property
    def industries(self) -> tuple[str, ...]:
        return self.profile.industries


@dataclass
class DemoInspection:
    enterprise: DemoEnterprise
    local_date: date
    kind: str
    team: list[int]  # the one who opened it first; indexes into the inspector rows until they are written, then ids
    opened_at: datetime
    closed: bool
    id: int = 0


@dataclass
class ItemModel:
    """What the simulation knows about a question version: its scoring content and how hard it is."""

    content: dict[str, Any]
    topics: tuple[str, ...]
    difficulty: float
    distractor: int  # the wrong option most people pick


@dataclass
class Pending:
    """Rows waiting for the ids of the rows they point at."""

    attempts: list[dict[str, Any]] = field(default_factory=list)
    items: list[list[dict[str, Any]]] = field(default_factory=list)  # per attempt
    failed: list[dict[str, Any] | None] = field(default_factory=list)  # per attempt: its finding
    runs: list[dict[str, Any]] = field(default_factory=list)
    run_details: list[tuple[list[int], list[dict[str, Any]], list[dict[str, Any]]]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)


class DemoCity:
    """Builds the demo data: ``plan()`` the people and the calendar, then ``write()`` the year."""

    def __init__(self, session: Session, scale: Scale, *, seed: int = DEFAULT_SEED, hash_key: bytes,
                 password_hash: str, now: datetime):
        self.session, self.scale, self.seed = session, scale, seed
        self.hash_key, self.password_hash, self.now = hash_key, password_hash, now
        self.rng = random.Random(seed)
        self.today = local_today(now)
        self.enterprises: list[DemoEnterprise] = []
        self.inspector_rows: list[dict[str, Any]] = []  # user rows; plans refer to them by index until written
        self.county_inspectors: dict[str, list[int]] = {}
        self.city_inspectors: list[int] = []
        self.inspections: list[DemoInspection] = []
        self.blueprints: dict[str, Blueprint] = {}
        self.pools: dict[tuple[str, tuple[str, ...]], dict[int, Paper]] = {}
        self.item_models: dict[int, ItemModel] = {}
        self.difficulties: dict[tuple[int, tuple[str, ...]], float] = {}
        self.drills: list[tuple[int, dict[str, Any]]] = []  # (version id, content) of active templates

    # --- planning -------------------------------------------------------------------------------------------

    def plan(self) -> int:
        """Make the enterprises, rosters, inspectors and the inspection calendar; return how many inspections."""
        rng = self.rng
        county_effect = {county.name: rng.gauss(0, 0.15) for county in COUNTIES}
        names: set[str] = set()
        codes: set[str] = set()
        mean_size = self.scale.workers / self.scale.enterprises
        for _ in range(self.scale.enterprises):
            profile = rng.choices(PROFILES, weights=[p.weight for p in PROFILES])[0]
            county = self._county_for(profile)
            name = _unique(names, lambda p=profile, c=county: self._enterprise_name(p, c))
            code = _unique(codes, lambda c=county: credit_code(c.region, rng))
            enterprise = DemoEnterprise(
                name=name, county=county, profile=profile, credit_code=code,
                address=f"山东省临沂市{county.name}{rng.choice(ROADS)}{rng.randint(1, 399)}号",
                contact_phone=f"0539-{rng.randint(2000000, 8999999)}",
                training=profile.training + county_effect[county.name] + rng.gauss(0, 0.45))
            size = max(8, round(rng.lognormvariate(math.log(mean_size) - 0.125, 0.5)))
            enterprise.workers = self._roster(enterprise, size)
            self.enterprises.append(enterprise)
        self._inspectors()
        self.inspections = self._calendar()
        return len(self.inspections)

    def _county_for(self, profile: Profile) -> County:
        if self.rng.random() < 0.7:  # where such firms cluster, the first named most
            name = self.rng.choices(profile.counties, weights=range(len(profile.counties), 0, -1))[0]
            return next(county for county in COUNTIES if county.name == name)
        return self.rng.choices(COUNTIES, weights=[county.weight for county in COUNTIES])[0]

    def _enterprise_name(self, profile: Profile, county: County) -> str:
        rng = self.rng
        local = (county.name if county.name.endswith("县") else
                 f"临沂市{county.name}" if county.region != "371300" else "临沂")
        place = rng.choices(("临沂", "临沂市", "山东", local), weights=(40, 15, 20, 25))[0]
        trade = rng.choice(profile.trades)
        brand = "".join(rng.sample([ch for ch in BRAND_CHARACTERS if ch not in trade], 2))
        suffix = "股份有限公司" if rng.random() < 0.08 else "有限公司"
        return f"{place}{brand}{trade}{suffix}"

    def _roster(self, enterprise: DemoEnterprise, size: int) -> list[DemoWorker]:
        """1–3 managers, a team leader per dozen, special operators with certificates, the rest front-line."""
        rng, profile = self.rng, enterprise.profile
        roles = ["principal", "safety-manager"]
        if size >= 30 or (profile.training > 0 and rng.random() < 0.5):
            roles.append("safety-director")
        leaders = max(1, size // 12)
        special = max(1, round(size * rng.uniform(0.08, 0.16)))
        roles += ["team-leader"] * leaders + ["special-operator"] * special
        roles += ["worker"] * max(0, size - len(roles))
        special_posts = COMMON_SPECIAL_POSTS + profile.special_posts
        numbers: set[str] = set()
        workers = []
        for role in roles:
            category = None
            if role in MANAGER_POSTS:
                post = rng.choice(MANAGER_POSTS[role])
            elif role == "team-leader":
                post = f"{rng.choice(profile.workshops)}班组长"
            elif role == "special-operator":
                post, category = rng.choice(special_posts)
            else:
                post = rng.choice(profile.floor_posts)
            born = date(self.today.year - rng.randint(20, 58), rng.randint(1, 12), rng.randint(1, 28))
            number = _unique(numbers, lambda b=born: id_number(enterprise.county.region, b, rng.randint(0, 999)))
            worker = DemoWorker(enterprise=enterprise, name=chinese_name(rng), role_code=role, post=post,
                                required_category=category, id_number=number,
                                ability=enterprise.training + ROLE_ABILITY[role] + rng.gauss(0, 0.8))
            if category:
                worker.certificates = self._certificates(category)
            workers.append(worker)
        return workers

    def _certificates(self, category: str) -> list[DemoCertificate]:
        """Most certificates are in order; some expired, some never reviewed, some missing — and some of those
        are put right during the year, so later inspections find fewer problems."""
        rng, today = self.rng, self.today
        start, _ = demo_span(today)
        state = rng.choices(("valid", "expired", "unreviewed", "missing"), weights=(84, 6, 6, 4))[0]
        fixed_on = start + timedelta(days=rng.randint(30, max(31, (today - start).days)))
        fixed = rng.random() < 0.6 and fixed_on <= today

        def certificate(issued: date, reviewed: date | None) -> DemoCertificate:
            return DemoCertificate(category, f"T{rng.randint(10**15, 10**16 - 1)}", issued, reviewed)

        if state == "missing":
            return [certificate(fixed_on, None)] if fixed else []
        if state == "expired":
            issued = start - timedelta(days=6 * 365 + rng.randint(1, 400))
            reviewed = issued + timedelta(days=3 * 365 - rng.randint(5, 50))
            return [certificate(issued, reviewed)] + ([certificate(fixed_on, None)] if fixed else [])
        if state == "unreviewed":
            issued = start - timedelta(days=3 * 365 + rng.randint(30, 700))
            return [certificate(issued, fixed_on if fixed else None)]
        # Issued before the span and valid beyond today; reviewed in time if the review has fallen due.
        issued = start - timedelta(days=rng.randint(30, (start - today).days + 6 * 365 - 30))
        reviewed = issued + timedelta(days=3 * 365 - rng.randint(5, 55))
        return [certificate(issued, reviewed if reviewed <= today else None)]

    def _inspectors(self) -> None:
        """Each county's inspectors, and the city's 执法支队 (demo-zhidui-…) for help and covert visits."""
        def add(login: str) -> int:
            self.inspector_rows.append({"username": login, "display_name": chinese_name(self.rng),
                                        "role": "inspector", "password_hash": self.password_hash, "is_enabled": True})
            return len(self.inspector_rows) - 1

        self.city_inspectors = [add(f"demo-zhidui-{n:02d}") for n in range(1, self.scale.city_inspectors + 1)]
        for county in COUNTIES:
            self.county_inspectors[county.name] = [add(f"demo-{county.login}-{n:02d}")
                                                   for n in range(1, self.scale.inspectors_per_county + 1)]

    def _days(self) -> list[date]:
        """Working days of the span; today only once the working day is well under way (its visits stay open)."""
        start, today = demo_span(self.today)
        days = [start + timedelta(days=n) for n in range((today - start).days)]
        if self.now.astimezone(LOCAL_ZONE).hour >= 8 + VISIT_HOURS:
            days.append(today)
        return [day for day in days if day.weekday() < 5]

    def _calendar(self) -> list[DemoInspection]:
        """Each enterprise's visits: mostly routine, some help (帮扶) or covert (暗访) visits by the city's team,
        and follow-ups (复查) soon after an earlier visit."""
        rng = self.rng
        days = self._days()
        inspections = []
        for enterprise in self.enterprises:
            mean = 4 * self.scale.visits_per_quarter * enterprise.profile.visits
            count = min(len(days), max(1, round(rng.gauss(mean, mean * 0.25))))
            previous: date | None = None
            for day in sorted(rng.sample(days, count)):
                if previous and (day - previous).days <= 45 and rng.random() < 0.2:
                    kind = "follow-up"
                else:
                    kind = rng.choices(("routine", "assistance", "covert"), weights=(70, 18, 12))[0]
                local = self.county_inspectors[enterprise.county.name]
                if kind == "assistance":
                    team = [rng.choice(self.city_inspectors), *rng.sample(local, min(2, len(local)))]
                elif kind == "covert":
                    team = rng.sample(self.city_inspectors, 2)
                else:
                    team = rng.sample(local, min(len(local), rng.choice((2, 2, 3))))
                opened = datetime.combine(day, WORK_START, LOCAL_ZONE) + timedelta(minutes=rng.randint(0, 150))
                if day == self.today:
                    opened = self.now - timedelta(hours=VISIT_HOURS - 1)
                inspections.append(DemoInspection(enterprise, day, kind, team, opened.astimezone(UTC),
                                                  closed=day < self.today))
                previous = day
        inspections.sort(key=lambda inspection: (inspection.opened_at, inspection.enterprise.credit_code))
        return inspections

    # --- writing --------------------------------------------------------------------------------------------

    def write(self, progress: Callable[[int], None] | None = None) -> None:
        """Insert everything planned and simulate the year's inspections in date order."""
        start, _ = demo_span(self.today)
        created = datetime.combine(start - timedelta(days=30), WORK_START, LOCAL_ZONE).astimezone(UTC)
        user_ids = self._insert_returning(User, [{**row, "created_at": created} for row in self.inspector_rows])
        ids = self._insert_returning(Enterprise, [
            {"credit_code": e.credit_code, "name": e.name, "county": e.county.name, "address": e.address,
             "contact_name": next(w.name for w in e.workers if w.role_code == "safety-manager"),
             "contact_phone": e.contact_phone, "industry_codes": list(e.industries), "created_at": created}
            for e in self.enterprises])
        for enterprise, enterprise_id in zip(self.enterprises, ids, strict=True):
            enterprise.id = enterprise_id
        self._insert_workers(self.enterprises, created)
        for inspection in self.inspections:
            inspection.team = [user_ids[index] for index in inspection.team]
        self._insert_inspections()
        self.drills = [(row.id, row.content) for row in self.session.execute(
            select(DrillTemplateVersion.id, DrillTemplateVersion.content)
            .join(DrillTemplate, (DrillTemplate.id == DrillTemplateVersion.template_id)
                  & (DrillTemplate.current_number == DrillTemplateVersion.number))
            .where(DrillTemplate.status == "active").order_by(DrillTemplate.code))]
        pending = Pending()
        failed_last_visit: dict[int, list[DemoWorker]] = {}
        for inspection in self.inspections:
            failed_last_visit[inspection.enterprise.id] = self._visit(inspection, pending,
                                                                      failed_last_visit.get(inspection.enterprise.id))
            if len(pending.attempts) >= CHUNK:
                self._flush(pending)
                pending = Pending()
            if progress:
                progress(1)
        self._flush(pending)
        TopicTally.rebuild(self.session)  # the bulk writes above bypass submit_attempt, which keeps it otherwise
        refresh_statistics(self.session, [table.name for table in db.metadata.sorted_tables])
        # Row by row the trail would double the demo's time: one entry says what was generated.
        with audit_reason(self.session, f"demo data generated (seed {self.seed})"):
            record(self.session, [inserted("demo", "", table_counts(self.session))])

    # Inserts go to the tables, not the mapped classes: the ORM's bulk layer adds a third to the time.

    def _insert_returning(self, model: type, rows: list[dict[str, Any]]) -> list[int]:
        table, ids = model.__table__, []
        for chunk in _chunks(rows, CHUNK):
            ids += self.session.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True),
                                        chunk).scalars().all()
        return ids

    def _insert(self, model_or_table: Any, rows: list[dict[str, Any]]) -> None:
        table = getattr(model_or_table, "__table__", model_or_table)
        for chunk in _chunks(rows, CHUNK * 5):
            self.session.execute(insert(table), chunk)

    def _insert_workers(self, enterprises: list[DemoEnterprise], created: datetime) -> None:
        workers = [worker for enterprise in enterprises for worker in enterprise.workers]
        ids = self._insert_returning(Worker, [
            {"enterprise_id": w.enterprise.id, "name": w.name, "role_code": w.role_code, "post": w.post,
             "required_category": w.required_category, "id_number_hash": hash_id_number(self.hash_key, w.id_number),
             "id_number_masked": mask_id_number(w.id_number), "created_at": created}
            for w in workers])
        for worker, worker_id in zip(workers, ids, strict=True):
            worker.id = worker_id
        self._insert(Certificate, [
            {"worker_id": w.id, "category_code": c.category_code, "number": c.number, "issued_on": c.issued_on,
             "last_reviewed_on": c.last_reviewed_on, "created_at": created}
            for w in workers for c in w.certificates])

    def _insert_inspections(self) -> None:
        rows = []
        for inspection in self.inspections:
            closed_at = inspection.opened_at + timedelta(hours=VISIT_HOURS - 1, minutes=self.rng.randint(0, 55))
            rows.append({"enterprise_id": inspection.enterprise.id, "kind": inspection.kind,
                         "status": "closed" if inspection.closed else "open", "local_date": inspection.local_date,
                         "opened_at": inspection.opened_at, "opened_by_id": inspection.team[0],
                         "closed_at": closed_at if inspection.closed else None})
        for inspection, inspection_id in zip(self.inspections, self._insert_returning(Inspection, rows), strict=True):
            inspection.id = inspection_id
        self._insert(TeamMember, [
            {"inspection_id": inspection.id, "user_id": user_id,
             "checked_in_at": inspection.opened_at + timedelta(minutes=3 * position)}
            for inspection in self.inspections for position, user_id in enumerate(inspection.team)])

    # --- one visit --------------------------------------------------------------------------------------------

    def _visit(self, inspection: DemoInspection, pending: Pending,
               failed_before: list[DemoWorker] | None) -> list[DemoWorker]:
        """Examine part of the roster (at a follow-up, first those who failed last time), maybe stage a drill,
        and record the findings of closing. Returns the workers who failed."""
        rng, enterprise = self.rng, inspection.enterprise
        roster = enterprise.workers
        share = self.scale.examined_share * rng.uniform(0.6, 1.4)
        examined = rng.sample(roster, min(len(roster), max(1, round(share * len(roster)))))
        if inspection.kind == "follow-up" and failed_before:
            others = [worker for worker in examined if worker not in failed_before]
            examined = failed_before + others[:max(1, len(others) // 3)]
        failed = []
        for worker in examined:
            if not self._exam(inspection, worker, pending):
                failed.append(worker)
        if inspection.closed and self.drills and rng.random() < DRILL_SHARE:
            self._drill(inspection, pending)
        elif inspection.closed and rng.random() < NOT_HELD_SHARE:
            pending.findings.append(self._finding(inspection, "drills_not_held", NOT_HELD_BASIS, REEXAM_DAYS))
        if inspection.closed:
            day = inspection.local_date
            for worker in roster:
                problem = worker.required_category and certificate_problem(worker.as_seen_on(day), day)
                if problem:
                    pending.findings.append({**self._finding(inspection, problem, CERTIFICATE_BASIS, 0),
                                             "worker_id": worker.id})
        return failed

    def _finding(self, inspection: DemoInspection, kind: str, basis: list[dict[str, str]], days: int,
                 detail: str = "") -> dict[str, Any]:
        return {"inspection_id": inspection.id, "worker_id": None, "attempt_id": None, "drill_run_id": None,
                "kind": kind, "detail": detail, "basis": basis,
                "due_on": inspection.local_date + timedelta(days=days),
                "created_at": inspection.opened_at + timedelta(hours=VISIT_HOURS - 1)}

    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _paper(self, worker: DemoWorker) -> Paper:
        """A paper from the pool of the worker's role and industries, one this worker has not had if possible."""
        key = (worker.role_code, worker.enterprise.industries)
        pool = self.pools.setdefault(key, {})
        slots = [slot for slot in range(self.scale.papers_per_pool) if slot not in worker.papers_taken]
        slot = self.rng.choice(slots or range(self.scale.papers_per_pool))
        worker.papers_taken.add(slot)
        if slot not in pool:
            seed = random.Random(f"{self.seed}:{key}:{slot}").getrandbits(62)
            pool[slot] = draw_paper(self.session, worker.role_code, worker.enterprise.industries,
                                    self._blueprint(worker.role_code), seed)
            self._learn_items([item.version_id for item in pool[slot].items])
        return pool[slot]

    def _blueprint(self, role: str) -> Blueprint:
        if role not in self.blueprints:
            self.blueprints[role] = blueprint_for(self.session, role)
        return self.blueprints[role]

    def _learn_items(self, version_ids: list[int]) -> None:
        """Read what scoring needs of versions not seen yet, and give each a difficulty for the simulation."""
        new = [version_id for version_id in version_ids if version_id not in self.item_models]
        if not new:
            return
        topics: dict[int, list[str]] = {}
        for version_id, code in self.session.execute(
                select(version_topics.c.version_id, Topic.code).join(Topic, Topic.id == version_topics.c.topic_id)
                .where(version_topics.c.version_id.in_(new))):
            topics.setdefault(version_id, []).append(code)
        columns = ("type", "options", "answer", "key_points", "steps")
        for row in self.session.execute(select(QuestionVersion.id, QuestionVersion.difficulty,
                                               *(getattr(QuestionVersion, name) for name in columns))
                                        .where(QuestionVersion.id.in_(new))):
            own = random.Random(f"{self.seed}:version:{row.id}")
            self.item_models[row.id] = ItemModel(
                {name: getattr(row, name) for name in columns}, tuple(sorted(topics.get(row.id, ()))),
                0.55 * (row.difficulty - 3) + own.gauss(0, 0.45), own.randrange(8))

    def _difficulty_in(self, version_id: int, industries: tuple[str, ...]) -> float:
        """A version's difficulty for people of these industries: harder where its topics are weak spots."""
        key = (version_id, industries)
        if key not in self.difficulties:
            model = self.item_models[version_id]
            extra = sum(penalty for topic, where, penalty in WEAK_SPOTS
                        if topic in model.topics and (where is None or where.intersection(industries)))
            self.difficulties[key] = model.difficulty + extra
        return self.difficulties[key]

    def _exam(self, inspection: DemoInspection, worker: DemoWorker, pending: Pending) -> bool:
        """One worker's final attempt, its item rows and, when failed, its finding; returns whether it passed."""
        rng = self.rng
        paper = self._paper(worker)
        blueprint = self._blueprint(worker.role_code)
        mode = "oral" if rng.random() < 0.2 else "tablet"
        ability = worker.ability + LEARNING_PER_EXAM * min(worker.exams, LEARNING_CAP)
        worker.exams += 1
        contents, answers = [], []
        for item in paper.items:
            model = self.item_models[item.version_id]
            difficulty = self._difficulty_in(item.version_id, worker.enterprise.industries)
            chance = 1 / (1 + math.exp(-(ABILITY_SLOPE * (ability - difficulty) + ABILITY_OFFSET)))
            contents.append(model.content)
            if mode == "tablet" and item.type not in ("oral", "practical") and rng.random() < UNANSWERED_SHARE:
                answers.append(None)
            else:
                answers.append(answer(model, chance, rng))
        result = score_paper(contents, answers, blueprint.pass_mark, blueprint.multiple_rule)
        responses = [as_shown(list(item.option_order), response) for item, response in zip(paper.items, answers,
                                                                                            strict=True)]
        started = inspection.opened_at + timedelta(minutes=rng.randint(15, 60 * (VISIT_HOURS - 2)))
        submitted = started + timedelta(minutes=rng.randint(5, blueprint.time_limit_minutes),
                                        seconds=rng.randint(0, 59))
        pending.attempts.append({
            "client_id": self._uuid(), "inspection_id": inspection.id, "worker_id": worker.id,
            "examiner_id": rng.choice(inspection.team), "mode": mode, "blueprint": asdict(blueprint),
            "seed": paper.seed, "items": paper.stored(), "status": "final", "responses": responses,
            "submission_id": self._uuid(), "submission_hash": payload_hash(responses),
            "item_scores": [scored.fraction for scored in result.items], "score": result.score,
            "passed": result.passed, "started_at": started, "submitted_at": submitted})
        pending.items.append([
            {"position": position, "question_id": item.question_id, "version_id": item.version_id,
             "type": item.type, "fraction": scored.fraction, "enterprise_id": worker.enterprise.id,
             "worker_id": worker.id, "role_code": worker.role_code, "answered_on": inspection.local_date}
            for position, (item, scored) in enumerate(zip(paper.items, result.items, strict=True))])
        pending.failed.append(None if result.passed else {
            **self._finding(inspection, "failed_exam", FAILED_EXAM_BASIS, REEXAM_DAYS),
            "worker_id": worker.id, "created_at": submitted})
        return result.passed

    def _drill(self, inspection: DemoInspection, pending: Pending) -> None:
        """A drill fitting the enterprise's industries, marked step by step against its target times."""
        rng, enterprise = self.rng, inspection.enterprise
        wanted = {*enterprise.industries, "general"}
        fitting = [(version_id, content) for version_id, content in self.drills if wanted & set(content["industries"])]
        if not fitting:
            return
        specific = [drill for drill in fitting if set(enterprise.industries) & set(drill[1]["industries"])]
        version_id, content = rng.choice(specific if specific and rng.random() < 0.7 else fitting)
        roles = set(content.get("roles") or ROLE_ABILITY)
        cast = [worker for worker in enterprise.workers if worker.role_code in roles] or enterprise.workers
        participants = rng.sample(cast, min(len(cast), rng.randint(2, 6)))
        skill = sum(worker.ability for worker in participants) / len(participants)
        started = inspection.opened_at + timedelta(minutes=rng.randint(60, 120))
        examiner = rng.choice(inspection.team)
        good = 1 / (1 + math.exp(-(1.2 * skill + 2.2)))
        pace = rng.uniform(0.6, 1.0) * math.exp(-0.2 * skill)  # a practised team is quicker
        marks, ratings, elapsed = [], {}, 0.0
        for phase_index, phase in enumerate(content["phases"]):
            done = 0
            for step_index, step in enumerate(phase["steps"]):
                # A target is the time since the start by which the step should be done (late after it).
                target = step.get("target_seconds")
                elapsed = max(elapsed + rng.uniform(5, 30), target * pace * rng.uniform(0.8, 1.3)) if target \
                    else elapsed + rng.uniform(30, 120)
                mark = "done" if rng.random() < good else rng.choice(("wrong", "missed"))
                done += mark == "done"
                device_time = started + timedelta(seconds=elapsed)
                marks.append({"client_id": self._uuid(), "phase": phase_index, "step": step_index,
                              "mark": mark, "note": "", "elapsed_seconds": round(elapsed, 1),
                              "device_time": device_time, "server_time": device_time + timedelta(seconds=1)})
            if rng.random() < 0.85:  # the evaluator leaves some phases unrated
                share = done / len(phase["steps"])
                ratings[str(phase_index)] = "P" if share >= 0.9 else "S" if share >= 0.6 else "M" if share > 0.2 \
                    else "U"
        # score_drill reads the run's marks (in the order received: by id) and its phase ratings.
        result = score_drill(content, SimpleNamespace(
            marks=[SimpleNamespace(id=index, **mark) for index, mark in enumerate(marks)], phase_ratings=ratings))
        finished = started + timedelta(seconds=elapsed + rng.randint(60, 300))
        findings = [{**self._finding(inspection, f"drill_step_{step.mark}", DEFICIENCY_BASIS, REEXAM_DAYS,
                                     f"{content['title']}：{step.phase + 1}.{step.step + 1} {step.action}"),
                     "created_at": finished} for step in result.deficiencies]
        if not result.passed:
            findings.append({**self._finding(inspection, "drill_failed", DEFICIENCY_BASIS, REEXAM_DAYS,
                                             f"{content['title']}：{result.score:.1f}"), "created_at": finished})
        pending.runs.append({"client_id": self._uuid(), "inspection_id": inspection.id,
                             "template_version_id": version_id, "examiner_id": examiner, "status": "finished",
                             "created_at": started - timedelta(minutes=5), "started_at": started,
                             "device_started_at": started, "finished_at": finished, "phase_ratings": ratings,
                             "score": result.score, "passed": result.passed})
        pending.run_details.append(([worker.id for worker in participants], marks, findings))

    def _flush(self, pending: Pending) -> None:
        """Write what is pending: attempts and runs first, then the rows that name them."""
        attempt_ids = self._insert_returning(Attempt, pending.attempts)
        self._insert(AttemptItem, [{**row, "attempt_id": attempt_id} for attempt_id, rows
                                   in zip(attempt_ids, pending.items, strict=True) for row in rows])
        findings = [{**finding, "attempt_id": attempt_id}
                    for attempt_id, finding in zip(attempt_ids, pending.failed, strict=True) if finding]
        run_ids = self._insert_returning(DrillRun, pending.runs)
        participants, marks = [], []
        for run_id, (workers, run_marks, run_findings) in zip(run_ids, pending.run_details, strict=True):
            participants += [{"run_id": run_id, "worker_id": worker_id} for worker_id in workers]
            marks += [{**mark, "run_id": run_id} for mark in run_marks]
            findings += [{**finding, "drill_run_id": run_id} for finding in run_findings]
        self._insert(drill_participants, participants)
        self._insert(DrillStepMark, marks)
        self._insert(Finding, findings + pending.findings)


def answer(model: ItemModel, chance: float, rng: random.Random) -> Any:
    """A simulated response in the bank's terms: right with probability ``chance``, else a typical mistake."""
    content = model.content
    kind, right = content["type"], content["answer"]
    if kind == "single":
        if rng.random() < chance:
            return right
        wrong = [letter for letter in LETTERS[:len(content["options"])] if letter != right]
        return wrong[model.distractor % len(wrong)] if rng.random() < 0.6 else rng.choice(wrong)
    if kind == "multiple":
        letters = sorted(right)
        wrong = [letter for letter in LETTERS[:len(content["options"])] if letter not in right]
        roll = rng.random()
        if roll < chance:
            return letters
        if roll < chance + (1 - chance) * 0.55 and len(letters) > 1:  # some right ones, none wrong: half marks
            return sorted(rng.sample(letters, rng.randint(1, len(letters) - 1)))
        if not wrong:
            return letters
        return sorted({*rng.sample(letters, max(1, len(letters) - 1)), rng.choice(wrong)})
    if kind == "judge":
        return right if rng.random() < chance else not right
    if kind == "fill":
        return [accepted[0] if rng.random() < chance else _wrong_fill(accepted) for accepted in right]
    if kind == "oral":
        points = [index for index in range(len(content["key_points"])) if rng.random() < chance]
        mark = "correct" if len(points) == len(content["key_points"]) else "wrong" if not points else "partial"
        return {"points": points, "mark": mark, "note": ""}
    return {"steps": ["done" if rng.random() < math.sqrt(chance) else rng.choice(("out_of_order", "missed"))
                      for _ in content["steps"]]}


def _wrong_fill(accepted: list[str]) -> str:
    """What a worker who does not know writes in a blank (never one of the accepted answers)."""
    return "" if normalize_fill_answer(WRONG_FILL) in {normalize_fill_answer(text) for text in accepted} else WRONG_FILL


def as_shown(option_order: list[int], response: Any) -> Any:
    """A response in bank letters as the worker tapped it: letters of the shuffled order shown on the tablet."""
    if not option_order or response is None:
        return response
    shown = {LETTERS[bank]: LETTERS[position] for position, bank in enumerate(option_order)}
    return sorted(shown[letter] for letter in response) if isinstance(response, list) else shown[response]


def _unique(taken: set[str], make: Callable[[], str]) -> str:
    """A value from ``make`` not yet in ``taken`` (which then holds it): names and codes must not repeat."""
    while (value := make()) in taken:
        pass
    taken.add(value)
    return value


def _chunks(rows: list[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


DEMO_TABLES = ("enterprises", "workers", "certificates", "users", "inspections", "inspection_team", "attempts",
               "attempt_items", "topic_tallies", "findings", "drill_runs", "drill_participants", "drill_step_marks")


def table_counts(session: Session) -> dict[str, int]:
    """Rows in each table the demo writes, for its summary."""
    tables = db.metadata.tables
    return {name: session.scalar(select(func.count()).select_from(tables[name])) for name in DEMO_TABLES}


def finding_counts(session: Session) -> Counter[str]:
    """Findings by kind, for the summary."""
    return Counter(dict(session.execute(select(Finding.kind, func.count()).group_by(Finding.kind)).all()))

