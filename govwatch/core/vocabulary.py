"""The vocabulary stored in columns: every closed set of values a table holds, with the
Chinese name a unit or an auditor reads for it.

One place owns each: the crawler writes these values, the rules and reports read them, and
templates and SQL use them by value (``scans.status``, ``scan_sites.status``,
``link_checks.result`` and ``.error``, ``links.kind``, ``columns.class`` and ``.role``,
``footer_facts.kind``, ``probes.outcome``, ``findings.severity``, ``issues.state``,
``issue_events.cause``, ``pruned_scans.dropped``). Part of the ground floor: imports nothing
of govwatch.
"""

from __future__ import annotations

import enum


class ScanStatus(enum.StrEnum):
    RUNNING = "running"
    COMPLETE = "complete"
    FAILED = "failed"  # interrupted or crashed: resumable, never read by rules


class Pruned(enum.StrEnum):
    """What retention dropped of a scan (``pruned_scans.dropped``), each level including the
    one before it (govwatch/prune.py)."""

    # the detail of every URL but those its active issues name, kept as their evidence
    TRIMMED = "trimmed"
    DETAIL = "detail"  # pages, links, items, texts, link checks, column pages, footer facts
    SUMMARY = "summary"  # and site status, columns, findings, evaluation: the scan row stays
    SCAN = "scan"  # a failed scan resume can no longer pick, with its row

    @property
    def rank(self) -> int:
        """How much is dropped: a scan is never pruned to a lower rank than it has."""
        return list(Pruned).index(self) + 1


class SiteStatus(enum.StrEnum):
    PENDING = "pending"
    OK = "ok"
    UNREACHABLE = "unreachable"  # 站点无法访问: the home page did not answer with a page
    ROBOTS_FORBIDDEN = "robots_forbidden"  # robots.txt forbids crawling the home page
    # 巡检不完整: link targets the crawl discovered were neither fetched nor recorded, so
    # what the scan says of the site is not whole; the tracker fixes nothing on its strength
    PARTIAL = "partial"

    @property
    def label(self) -> str:
        """The Chinese name printed in findings and scorecards (访问情况)."""
        return {"pending": "未完成", "ok": "正常", "unreachable": "无法访问",
                "robots_forbidden": "禁止抓取", "partial": "巡检不完整"}[self.value]


class LinkResult(enum.StrEnum):
    """Class of a checked link target (``link_checks.result``)."""

    OK = "ok"
    BROKEN = "broken"  # 错链断链: the target does not answer with a usable response
    BLOCKED = "blocked"  # the target refuses the checker (robots, 403 to bots, rate limits)
    SKIPPED = "skipped"  # not checked (a scheme or host the checker leaves alone, a cap, an
    # answer too large to read)

    @property
    def label(self) -> str:
        """The Chinese name printed in findings and bulletins."""
        return {"ok": "正常", "broken": "无法访问", "blocked": "拒绝访问",
                "skipped": "未检查"}[self.value]


class ProbeOutcome(enum.StrEnum):
    """How one availability probe of a home page ended (``probes.outcome``)."""

    OK = "ok"  # the home page opened (a 2xx page) within the time limit
    TIMEOUT = "timeout"  # not opened within the limit (15 s, docs/indicators.md#availability)
    HTTP_ERROR = "http_error"  # the server answered with an error status
    UNREACHABLE = "unreachable"  # no answer: DNS, refused connection, TLS or protocol error

    @property
    def label(self) -> str:
        """The Chinese name printed in availability findings."""
        return {"ok": "正常", "timeout": "超时", "http_error": "服务器报错",
                "unreachable": "无法连接"}[self.value]


# The indicator (指标) a rule scores under is its rule id before the first dot; its Chinese
# name, printed in scorecards. A pack may use prefixes of its own (printed as written).
_INDICATOR_LABELS = {
    "site": "网站可用性", "homepage": "首页更新", "column": "栏目更新", "footer": "网站标识",
    "link": "链接可用性", "annual_report": "信息公开年报", "privacy": "个人信息保护",
    "text": "页面内容", "content": "内容准确性", "document": "附件文档",
    "website_report": "网站工作年度报表",
}


def indicator_label(rule_id: str) -> str:
    """The Chinese name of *rule_id*'s indicator, or its prefix when no name is known."""
    prefix = rule_id.split(".", 1)[0]
    return _INDICATOR_LABELS.get(prefix, prefix)


class Severity(enum.StrEnum):
    """How much a finding (``findings.severity``) weighs in scoring (docs/indicators.md#scoring)."""

    VETO = "veto"  # 单项否决: the site is 不合格 whatever else it scores
    DEDUCTION = "deduction"  # 扣分: points off the 100, capped per indicator
    ADVISORY = "advisory"  # 提示: reported, never scored

    @property
    def label(self) -> str:
        """The Chinese name printed in bulletins and scorecards."""
        return {"veto": "单项否决", "deduction": "扣分", "advisory": "提示"}[self.value]


class IssueState(enum.StrEnum):
    """Where one problem (``issues.state``) stands in its rectification (整改) life."""

    NEW = "new"  # 新发现: seen in a complete scan, not yet published in a bulletin
    OPEN = "open"  # 待认领: published in a bulletin, waiting for the unit to claim it
    CLAIMED = "claimed"  # 已认领: the unit claimed it (认领) and is fixing it
    OVERDUE = "overdue"  # 逾期未改: open or claimed past its deadline (限时整改)
    DISPUTED = "disputed"  # 有异议: the unit rejected it; an auditor confirms or withdraws it
    ANSWERED = "answered"  # 已报整改: the unit says it fixed it; the next scan verifies
    FIXED = "fixed"  # 已整改: absent from a later complete scan that covered its subject
    REOPENED = "reopened"  # 再次出现: seen again after it was fixed, not yet republished
    WITHDRAWN = "withdrawn"  # 已撤销: an auditor withdrew it; never listed again

    @property
    def label(self) -> str:
        """The Chinese name printed in bulletins."""
        return _ISSUE_STATE_LABELS[self.value]


_ISSUE_STATE_LABELS = {
    "new": "新发现", "open": "待认领", "claimed": "已认领", "overdue": "逾期未改",
    "disputed": "有异议", "answered": "已报整改", "fixed": "已整改", "reopened": "再次出现",
    "withdrawn": "已撤销",
}
# States a later scan can still find fixed, or see again: everything not closed.
ACTIVE_STATES = (IssueState.NEW, IssueState.OPEN, IssueState.CLAIMED, IssueState.OVERDUE,
                 IssueState.DISPUTED, IssueState.ANSWERED, IssueState.REOPENED)


class IssueCause(enum.StrEnum):
    """Why an issue changed (``issue_events.cause``): the audit trail's reason codes."""

    FOUND = "found"  # first seen in a complete scan
    SEEN_AGAIN = "seen_again"  # seen again after it was fixed
    ABSENT = "absent"  # missing from a complete scan that covered its subject
    PUBLISHED = "published"  # listed in a bulletin; the deadline starts
    DEADLINE_PASSED = "deadline_passed"  # still open or claimed after its deadline
    CLAIMED = "claimed"  # the unit claimed it (认领)
    REJECTED = "rejected"  # the unit disputed it
    ANSWERED = "answered"  # the unit says it fixed it (已整改), with what it did and proof
    STILL_SEEN = "still_seen"  # a scan after the unit's answer still found it: not fixed
    CONFIRMED = "confirmed"  # an auditor upheld it after a dispute
    WITHDRAWN = "withdrawn"  # an auditor withdrew it after a dispute


class UserRole(enum.StrEnum):
    """What an account of the 纠错 platform (``users.role``) may see and do."""

    OFFICE = "office"  # 办公室: sees and does everything (decides disputes, publishes)
    AUDITOR = "auditor"  # 审计: reads everything, changes nothing
    UNIT = "unit"  # 责任单位: sees and answers the problems of its own units only

    @property
    def label(self) -> str:
        """The Chinese name the platform shows."""
        return {"office": "办公室", "auditor": "审计", "unit": "责任单位"}[self.value]


class LinkKind(enum.StrEnum):
    PAGE = "page"
    DOCUMENT = "document"  # 附件: PDF, DOC, XLS, archives
    IMAGE = "image"
    SCRIPT = "script"
    STYLESHEET = "stylesheet"
    OTHER = "other"  # mailto:, tel:, javascript:, bare '#', data:


class ColumnClass(enum.StrEnum):
    NEWS = "news"  # 动态要闻
    NOTICE_POLICY = "notice-policy"  # 通知公告 / 政策文件
    PERSONNEL_PLANNING = "personnel-planning"  # 人事 / 规划计划
    OVERVIEW = "overview"  # 概况: must exist, not freshness-checked
    ANNUAL_REPORT = "annual-report"  # 政府信息公开年报
    INTERACTION = "interaction"  # 互动交流: 领导信箱, 在线咨询, 留言, 信访: boards, not updates
    OTHER = "other"

    @property
    def label(self) -> str:
        """The class's name in bulletins and findings."""
        return _LABELS[self]


_LABELS = {
    ColumnClass.NEWS: "动态要闻类", ColumnClass.NOTICE_POLICY: "通知公告/政策文件类",
    ColumnClass.PERSONNEL_PLANNING: "人事/规划计划类", ColumnClass.OVERVIEW: "概况类",
    ColumnClass.ANNUAL_REPORT: "年报类", ColumnClass.INTERACTION: "互动交流类",
    ColumnClass.OTHER: "其他类",
}


class ColumnRole(enum.StrEnum):
    """What a column's page is (``columns.role``, ``column_pages.role``): which rules judge it.

    Only a list can be a blank column (空白栏目) or a stale one; a text page, a hub or a form
    has no items to publish (docs/indicators.md#empty-columns).
    """

    LIST = "list"  # 信息列表: dated items, or a list frame with none (a blank column)
    TEXT = "text"  # 文本页面: an overview such as 机构概况, text rather than items
    HUB = "hub"  # 导航页面: links to sub-columns, services or other systems
    FORM = "form"  # 表单页面: an on-line form (在线咨询, 依申请公开)

    @property
    def label(self) -> str:
        """The Chinese name printed in column inventories."""
        return {"list": "信息列表", "text": "文本页面", "hub": "导航页面",
                "form": "表单页面"}[self.value]


class FactKind(enum.StrEnum):
    """The footer identifiers, in the order `footer_facts` reports them."""

    ICP = "icp"  # ICP备案号
    PSB = "psb"  # 公安机关备案号
    SITE_CODE = "site_code"  # 政府网站标识码 printed in the footer
    SITE_CODE_META = "site_code_meta"  # <meta name="SiteIDCode" content="...">
    CONAC = "conac"  # 党政机关网站标识
    JIUCUO = "jiucuo"  # 我为政府网站找错 entry
    SPONSOR = "sponsor"  # 网站主办单位


class CheckError(enum.StrEnum):
    """Why a target is not plainly ok (``link_checks.error``); :attr:`result` is its class."""

    # broken (错链断链): the target does not answer with something usable
    NOT_FOUND = "not-found"  # 404
    GONE = "gone"  # 410
    CLIENT_ERROR = "client-error"  # another 4xx
    SERVER_ERROR = "server-error"  # 5xx, still after the retries
    BAD_STATUS = "bad-status"  # no HTTP status at all (600 and up)
    BAD_REDIRECT = "bad-redirect"  # a 3xx without a Location that can be followed
    REDIRECT_LOOP = "redirect-loop"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    DNS = "dns"
    CONNECTION_REFUSED = "connection-refused"
    TIMEOUT = "timeout"  # still after the retries
    CONNECTION_LOST = "connection-lost"  # reset, closed early, body cut off
    TLS = "tls"
    DOWNLOAD_ERROR = "download-error"  # any other failure to download
    # 2xx, but an error page (页面不存在, a title of 404), or a deep URL sent to a home page or
    # to a generic error page (crawler/pages/errorpage.py): what a reader meets is gone
    SOFT_404 = "soft-404"
    # blocked: the target refuses the checker, which says nothing of whether it works
    UNAUTHORIZED = "unauthorized"  # 401
    FORBIDDEN = "forbidden"  # 403, on GET as well as HEAD
    RATE_LIMITED = "rate-limited"  # 429 that did not clear
    REFUSED = "refused"  # another blocked code
    CHALLENGE = "challenge"  # a WAF / anti-bot challenge page
    ROBOTS = "robots.txt"
    # skipped: not requested
    MAILTO = "mailto"
    TEL = "tel"
    JAVASCRIPT = "javascript"
    DATA = "data"
    FRAGMENT = "fragment"  # '#', '#top': a place on the same page
    SCHEME = "unsupported-scheme"  # ftp:, sms:, …
    EXCLUDED = "excluded"  # link_exclude
    PRIVATE_ADDRESS = "private-address"  # would reach a loopback, private, link-local address
    EXTERNAL_BUDGET = "external-budget"  # the scan's time for external hosts was spent
    TRAP = "trap"  # the trap guard keeps the crawl away from it (crawler/traps.py)
    SESSION_ID = "session-id"  # fetched without its session id: final_url is what was asked
    # The answer outgrew DOWNLOAD_MAXSIZE and was cut off unread. The target answered, so it
    # is no broken link (a working 100 MB file is not); but its answer was not judged, and no
    # status code is kept: skipped, not ok.
    TOO_LARGE = "too-large"
    BUDGET = "budget"  # its page's or its host's share of link checks was spent

    @property
    def label(self) -> str:
        """The Chinese name printed in findings and bulletins."""
        return _CHECK_ERROR_LABELS[self.value]

    @property
    def result(self) -> LinkResult:
        """The class (``link_checks.result``) this reason puts a target in."""
        if self in _BLOCKED:
            return LinkResult.BLOCKED
        if self in _SKIPPED:
            return LinkResult.SKIPPED
        return LinkResult.BROKEN


_BLOCKED = frozenset({CheckError.UNAUTHORIZED, CheckError.FORBIDDEN, CheckError.RATE_LIMITED,
                      CheckError.REFUSED, CheckError.CHALLENGE, CheckError.ROBOTS})
_SKIPPED = frozenset({CheckError.MAILTO, CheckError.TEL, CheckError.JAVASCRIPT, CheckError.DATA,
                      CheckError.FRAGMENT, CheckError.SCHEME, CheckError.EXCLUDED,
                      CheckError.PRIVATE_ADDRESS, CheckError.EXTERNAL_BUDGET, CheckError.TRAP,
                      CheckError.SESSION_ID, CheckError.TOO_LARGE, CheckError.BUDGET})
_CHECK_ERROR_LABELS = {
    "not-found": "页面不存在", "gone": "页面已永久删除", "client-error": "请求被服务器拒绝",
    "server-error": "服务器内部错误", "bad-status": "服务器应答异常",
    "bad-redirect": "跳转地址无效", "redirect-loop": "循环跳转",
    "too-many-redirects": "跳转次数过多",
    "dns": "域名无法解析", "connection-refused": "服务器拒绝连接", "timeout": "访问超时",
    "connection-lost": "连接中断", "tls": "安全连接（证书）出错", "download-error": "下载失败",
    "soft-404": "打开的是错误页面",
    "unauthorized": "需要登录授权", "forbidden": "禁止访问", "rate-limited": "访问过于频繁被限制",
    "refused": "拒绝检查程序访问", "challenge": "被安全验证页面拦截",
    "robots.txt": "网站爬虫协议禁止访问",
    "mailto": "电子邮件链接", "tel": "电话链接", "javascript": "脚本链接", "data": "内嵌数据",
    "fragment": "页内锚点", "unsupported-scheme": "不支持的链接协议", "excluded": "按配置不检查",
    "private-address": "指向内网地址", "external-budget": "外部链接检查时间已用完",
    "trap": "疑似无穷生成的页面", "session-id": "含会话标识，去除后访问",
    "too-large": "文件过大，未读取", "budget": "检查次数已达上限",
}


class DocumentStatus(enum.StrEnum):
    """What reading an attachment (附件) as text came to (``scan_documents.status``,
    crawler/documents)."""

    READ = "read"  # its text was read
    IMAGE_ONLY = "image_only"  # pages but no text: a scan (扫描件), to be read by eye
    ENCRYPTED = "encrypted"  # a password or encryption keeps its content shut
    CORRUPT = "corrupt"  # not a readable file of its format
    EMPTY = "empty"  # no bytes, or a file with nothing in it
    TOO_LARGE = "too_large"  # past the byte, page or text limit, or its time ran out
    FAILED = "failed"  # not downloaded, or the reader failed on it

    @property
    def label(self) -> str:
        """The Chinese name a listing or a finding prints."""
        return _DOCUMENT_STATUS_LABELS[self.value]


_DOCUMENT_STATUS_LABELS = {
    "read": "已读取", "image_only": "仅图像（扫描件）", "encrypted": "已加密",
    "corrupt": "文件损坏", "empty": "空文件", "too_large": "超出读取上限", "failed": "读取失败",
}
