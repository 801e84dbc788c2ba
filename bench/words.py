"""Vocabulary of the synthetic farm: regions, departments, column names, titles and prose.

Plain data plus small functions that draw from it with a caller's ``random.Random``, so every
choice stays reproducible from the farm's seed. Every string here is encodable in GB2312 (the
GBK sites of the farm declare ``gb2312`` as often as ``gbk``, as real county sites do).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

__all__ = [
    "COLUMN_CATALOG",
    "PROVINCES",
    "ColumnName",
    "Province",
    "body_paragraphs",
    "person_name",
    "title_for",
]


@dataclass(frozen=True)
class Province:
    """A province: two-digit code, ICP/公安 abbreviations, and (city, code, counties) rows."""

    code: str
    name: str
    abbrs: tuple[str, ...]
    cities: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...]


# Region codes follow GB/T 2260 closely enough that prefixes and provinces agree, which is
# what the footer cross-checks look at.
PROVINCES: tuple[Province, ...] = (
    Province("62", "甘肃省", ("陇", "甘"), (
        ("天水市", "620500", (("秦州区", "620502"), ("麦积区", "620503"), ("甘谷县", "620523"))),
        ("平凉市", "620800", (("静宁县", "620826"), ("庄浪县", "620825"))),
        ("兰州市", "620100", (("榆中县", "620123"), ("皋兰县", "620122"))),
    )),
    Province("61", "陕西省", ("陕",), (
        ("咸阳市", "610400", (("永寿县", "610426"), ("礼泉县", "610425"), ("乾县", "610424"))),
        ("宝鸡市", "610300", (("凤县", "610330"), ("眉县", "610326"))),
    )),
    Province("44", "广东省", ("粤",), (
        ("韶关市", "440200", (("乳源瑶族自治县", "440232"), ("仁化县", "440224"))),
        ("梅州市", "441400", (("蕉岭县", "441427"), ("平远县", "441426"))),
        ("清远市", "441800", (("阳山县", "441823"), ("连南瑶族自治县", "441826"))),
    )),
    Province("53", "云南省", ("滇",), (
        ("曲靖市", "530300", (("陆良县", "530322"), ("师宗县", "530323"))),
    )),
    Province("51", "四川省", ("川", "蜀"), (
        ("绵阳市", "510700", (("梓潼县", "510725"), ("盐亭县", "510723"))),
    )),
    Province("41", "河南省", ("豫",), (
        ("洛阳市", "410300", (("栾川县", "410324"), ("嵩县", "410325"))),
    )),
    Province("32", "江苏省", ("苏",), (
        ("徐州市", "320300", (("沛县", "320322"), ("睢宁县", "320324"))),
    )),
    Province("33", "浙江省", ("浙",), (
        ("丽水市", "331100", (("松阳县", "331124"), ("云和县", "331125"))),
    )),
)

# (department, short name used in domain-like slugs)
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("交通运输局", "jtj"), ("生态环境局", "sthjj"), ("教育局", "jyj"),
    ("卫生健康委员会", "wjw"), ("自然资源局", "zrzyj"), ("住房和城乡建设局", "zjj"),
    ("农业农村局", "nyncj"), ("市场监督管理局", "scjgj"), ("人力资源和社会保障局", "rsj"),
    ("财政局", "czj"), ("水务局", "swj"), ("应急管理局", "yjglj"),
)


@dataclass(frozen=True)
class ColumnName:
    """A column name as real sites write it, its class, and the pinyin slug of its folder."""

    name: str
    cls: str
    slug: str


def _names(cls: str, rows: str) -> tuple[ColumnName, ...]:
    return tuple(ColumnName(n, cls, s) for n, s in (r.split(":") for r in rows.split()))


# Class names are the ground truth's, chosen by what an inspector would call the column.
COLUMN_CATALOG: dict[str, tuple[ColumnName, ...]] = {
    "news": _names("news", "工作动态:gzdt 部门动态:bmdt 本地要闻:bdyw 区县动态:qxdt "
                           "图片新闻:tpxw 工作进展:gzjz 要闻动态:ywdt 基层动态:jcdt 乡镇动态:xzdt"),
    "notice-policy": _names("notice-policy", "通知公告:tzgg 公示公告:gsgg 政策文件:zcwj "
                                             "规范性文件:gfxwj 政策解读:zcjd"),
    "personnel-planning": _names("personnel-planning", "人事信息:rsxx 人事任免:rsrm "
                                                       "规划计划:ghjh 发展规划:fzgh"),
    "overview": _names("overview", "机构职能:jgzn 机构概况:jggk 领导信息:ldxx"),
    "annual-report": _names("annual-report", "政府信息公开年报:xxgknb "
                                             "政府信息公开工作年度报告:ndbg"),
    "other": _names("other", "财政资金:czzj 安全生产:aqsc 行政执法:xzzf 双随机一公开:ssjygk "
                             "建议提案办理:jytabl 招标采购:zbcg 应急管理:yjgl 统计数据:tjsj "
                             "重点项目:zdxm 乡村振兴:xczx 民生实事:msss 扫黑除恶:shce "
                             "优化营商环境:yhyshj 减税降费:jsjf"),
}

SURNAMES = (
    "张王李刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉力斌宇浩凯鹏飞鑫波宁鹤峰志"
    "红云海燕玲晨博瑞"
)

TOPICS = (
    "安全生产", "冬季道路养护", "优化营商环境", "乡村振兴", "秋冬季大气污染防治", "防汛抗旱",
    "文明城市创建", "政务公开", "作风建设", "党风廉政建设", "重点项目建设", "民生实事",
    "森林防火", "消防安全", "耕地保护", "河湖长制", "数字政府建设", "12345热线办理",
    "信访维稳", "食品安全", "农村公路建设", "城乡环境整治", "安全隐患排查", "法治政府建设",
    "减税降费", "就业创业", "医疗保障", "义务教育", "住房保障", "粮食安全", "生态保护修复",
    "节能减排", "扫黑除恶", "双拥共建", "普法宣传", "应急演练", "统计执法", "招商引资",
)
ORG_SUFFIX = ("", "党组", "机关党委", "办公室")
ACTIONS = ("召开{t}工作会议", "开展{t}专项检查", "部署{t}工作", "举办{t}培训班",
           "推进{t}工作", "召开{t}推进会", "开展{t}集中宣传活动", "督导检查{t}工作")
NOTICE = ("关于{t}的通知", "关于开展{y}年{t}工作的通知", "关于{y}年{t}有关事项的公告",
          "{y}年{t}项目拟推荐名单公示", "关于{t}检查情况的通报", "关于做好{t}工作的通知")
POLICY = ("关于印发《{p}{t}实施方案》的通知", "{p}{t}管理办法", "关于进一步加强{t}工作的意见",
          "关于印发《{p}{t}三年行动计划》的通知", "{p}{t}工作规程（试行）")
INTERPRET = ("《{p}{t}实施方案》政策解读", "一图读懂{t}管理办法", "图解：{p}{t}工作要点",
             "《关于进一步加强{t}工作的意见》解读")
PERSONNEL = ("关于{n}等同志职务任免的通知", "{y}年公开招聘工作人员拟聘用人员公示",
             "{y}年度{t}工作计划", "{p}“十五五”{t}发展规划", "{y}年{t}工作要点",
             "关于{n}同志试用期满考核情况的公示")
OTHER = ("{p}{y}年{t}情况", "{t}执法检查结果", "{y}年{t}工作总结", "{t}项目进展情况",
         "{p}{t}典型案例", "关于{t}的情况说明")
TITLE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "news": ACTIONS, "notice-policy": NOTICE + POLICY + INTERPRET,
    "personnel-planning": PERSONNEL, "other": OTHER,
}

SENTENCES = (
    "会议传达学习了上级有关文件精神，对下一阶段重点工作作出安排部署。",
    "会议强调，要提高政治站位，压紧压实工作责任，确保各项任务落地见效。",
    "各单位要坚持问题导向，建立工作台账，明确整改时限，做到闭环管理。",
    "要进一步加强统筹协调，强化督促检查，及时研究解决工作中遇到的困难和问题。",
    "检查组采取听取汇报、查阅资料、实地查看等方式，对相关工作进行了全面检查。",
    "下一步，将持续加大工作力度，不断提升群众的获得感、幸福感、安全感。",
    "活动现场共发放宣传资料2000余份，解答群众咨询300余人次。",
    "截至目前，已完成年度目标任务的百分之九十以上。",
    "各乡镇、各部门主要负责同志参加会议。",
    "请各单位结合实际，认真抓好贯彻落实，并于规定时间内报送工作开展情况。",
    "联系人及电话请见附件。",
    "本通知自印发之日起施行。",
)


OPENERS = (
    "召开专题会议，研究部署相关工作。", "组织开展专项督查活动。", "召开工作推进会。",
    "印发通知，对有关工作作出安排。", "组织召开座谈会，听取各方面意见建议。",
)


def person_name(rng: random.Random) -> str:
    """A plausible two- or three-character personal name."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return rng.choice(SURNAMES) + given


def title_for(cls: str, rng: random.Random, *, place: str, org: str, day: date) -> str:
    """An item title fitting a column class; the year printed in it is the item's year."""
    topic = rng.choice(TOPICS)
    if cls == "news":
        lead = rng.random()
        if lead < 0.5:
            return org + rng.choice(ORG_SUFFIX) + rng.choice(ACTIONS).format(t=topic)
        if lead < 0.75:
            return f"{person_name(rng)}带队调研{topic}工作"
        return f"{place}扎实推进{topic}"
    template = rng.choice(TITLE_TEMPLATES.get(cls, OTHER))
    return template.format(t=topic, y=day.year, p=place, n=person_name(rng))


def body_paragraphs(rng: random.Random, place: str, day: date, count: int) -> list[str]:
    """Article prose. The first paragraph opens with an event date two or three days before
    publication, as news copy does, so pages carry dates other than their publication date."""
    event = day.toordinal() - rng.randint(1, 3)
    when = date.fromordinal(event)
    first = f"{when.year}年{when.month}月{when.day}日，{place}" + rng.choice(OPENERS)
    paras = [first]
    for _ in range(count - 1):
        paras.append("".join(rng.sample(SENTENCES, rng.randint(1, 3))))
    return paras
