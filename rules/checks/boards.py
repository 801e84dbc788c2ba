"""Checks of 互动交流 boards (互动回应差, a veto item), from the messages the crawl read
(the ``messages`` view, crawler/pages/boards.py).

``messages_unanswered`` (params ``window``, ``answer_within``, ``boards``): a site with a
message of its boards asked within ``window`` before the judging date that went unanswered
longer than ``answer_within``: still 办理中/未回复 (or with no answer) at the judging date,
or answered only after it. A message read on its board's list and on its own page is one
message, what either says of its answer counts. Any one such message is a finding (one a
site, listing them).

``consultation_channel`` (params ``entries``, ``exclude``, ``boards``): a site with no
working consultation channel: no message of its boards was read, and no link whose text
names a channel (``entries``, not ``exclude``: 信访 and 举报 do not count) leads to a page
that answered. A link to a channel elsewhere (a city's platform) counts unless it was found
broken; the detail names the entries found broken.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from govwatch.core.vocabulary import LinkResult
from govwatch.rules.model import Hit, Rule
from govwatch.rules.params import Choice, ListOf, Param, Regex, WindowKind, as_date
from govwatch.rules.registry import check
from govwatch.rules.scanview import ScanView, in_list

BOARDS = ("consult", "petition")
_SHOWN = 5


@dataclass
class Message:
    """A message as the scan read it, merged over the pages that showed it."""

    url: str
    page_url: str
    title: str
    asked: date | None
    answered: date | None = None
    status: str | None = None

    def merge(self, answered: date | None, status: str | None, title: str) -> None:
        """Add what another page says of the same message."""
        self.answered = self.answered or answered
        if status == "answered" or self.status is None:
            self.status = status
        self.title = self.title or title


def overdue(rule: Rule, message: Message, as_of: date) -> bool:
    """Whether *message* is one *rule* reports at *as_of*: asked inside the window and left
    unanswered longer than ``answer_within`` (a message marked answered without a date is
    answered)."""
    asked = message.asked
    if asked is None or asked < rule.params["window"].cutoff(as_of) or asked > as_of:
        return False
    if message.answered is None and message.status == "answered":
        return False
    until = message.answered or as_of
    return asked < rule.params["answer_within"].cutoff(until)


def describe(rule: Rule, late: list[Message], as_of: date) -> tuple[str, str]:
    """(detail, evidence) of a site's overdue messages, in Chinese."""
    within, window = rule.params["answer_within"].chinese(), rule.params["window"].chinese()
    detail = f"近{window}内有 {len(late)} 条留言超过{within}未回复（检查日 {as_of}）"
    evidence = "；".join(
        f"《{m.title or m.url}》留言 {m.asked}，"
        + (f"{m.answered} 才回复" if m.answered else "至今未回复")
        for m in late[:_SHOWN])
    return detail, evidence


def _messages(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Message]]:
    """site -> url -> the message, merged over the pages that showed it."""
    out: dict[str, dict[str, Message]] = {}
    for row in rows:
        mine = out.setdefault(row["site_id"], {})
        answered = as_date(row["answered"])
        if row["url"] in mine:
            mine[row["url"]].merge(answered, row["status"], row["title"] or "")
        else:
            mine[row["url"]] = Message(row["url"], row["page_url"], row["title"] or "",
                                       as_date(row["asked"]), answered, row["status"])
    return out


def _unanswered_example(rule: Rule, value: Mapping[str, Any]) -> bool:
    """``{as_of, messages: [{asked, answered, status, board}]}``."""
    as_of = as_date(value["as_of"])
    return any(
        m.get("board", "consult") in rule.params["boards"] and overdue(
            rule, Message("example", "example", "", as_date(m["asked"]),
                          as_date(m.get("answered")), m.get("status")), as_of)
        for m in value["messages"])


@check(
    "messages_unanswered", example=_unanswered_example,
    params={
        "window": Param(WindowKind()),
        "answer_within": Param(WindowKind()),
        "boards": Param(ListOf(Choice(BOARDS)), required=False, default=("consult",)),
    },
)
def messages_unanswered(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A message of a consultation board left unanswered too long."""
    marks, boards = in_list("b", rule.params["boards"])
    rows = scan.rows(f"select site_id, page_url, url, title, asked, answered, status "
                     f"from messages where scan_id = :scan and board in ({marks}) "
                     f"order by site_id, page_url, url", boards)
    for site, messages in sorted(_messages(rows).items()):
        late = sorted((m for m in messages.values() if overdue(rule, m, scan.as_of)),
                      key=lambda m: (m.asked, m.url))
        if late:
            detail, evidence = describe(rule, late, scan.as_of)
            yield Hit(site, late[0].page_url, detail=detail, evidence=evidence)


def _channel_example(rule: Rule, value: Mapping[str, Any]) -> bool:
    """``{messages: N, entries: [{anchor, result}]}``: N messages of the rule's boards
    read, and links to channels with their check's result (ok, broken…)."""
    return not (value.get("messages") or any(
        _is_entry(rule, e["anchor"]) and e.get("result") != LinkResult.BROKEN.value
        for e in value.get("entries", ())))


def _is_entry(rule: Rule, anchor: str | None) -> bool:
    return bool(anchor) and rule.params["entries"].search(anchor) is not None and (
        rule.params["exclude"].search(anchor) is None)


@check(
    "consultation_channel", example=_channel_example,
    params={
        "entries": Param(Regex()),
        "exclude": Param(Regex()),
        "boards": Param(ListOf(Choice(BOARDS)), required=False, default=("consult",)),
    },
)
def consultation_channel(scan: ScanView, rule: Rule) -> Iterator[Hit]:
    """A site with no working consultation channel."""
    marks, boards = in_list("b", rule.params["boards"])
    served = {row[0] for row in scan.rows(
        f"select distinct site_id from messages where scan_id = :scan and board in ({marks})",
        boards)}
    working: set[str] = set()
    broken: dict[str, dict[str, str]] = {}
    # an entry's target: its check, and the page when the crawl fetched it (an error page,
    # a soft 404, is broken even when its check found nothing wrong)
    # from the anchors (each distinct link text once) to the scan's pages carrying them:
    # through the view ``links`` every link of the scan was matched (3.9 s -> 0.5 s at
    # 100 000 pages); each entry once a site
    for row in scan.rows(
            """with l as (
                 select distinct p.site_id, a.anchor_text, t.url as target_url
                 from anchors a cross join reading_links r on r.anchor_id = a.id
                 cross join scan_pages p on p.reading_id = r.reading_id
                 join urls t on t.id = a.target_id
                 where a.kind != 'document' and regexp(:entries, a.anchor_text)
                   and not regexp(:exclude, a.anchor_text) and p.scan_id = :scan)
               select l.site_id, l.anchor_text, l.target_url, c.result, p.status, p.error
               from l left join link_checks c on c.scan_id = :scan and c.target_url = l.target_url
               left join pages p on p.scan_id = :scan and p.url = l.target_url""",
            {"entries": rule.params["entries"].pattern,
             "exclude": rule.params["exclude"].pattern}):
        bad = row["result"] == LinkResult.BROKEN.value or (row["status"] or 0) >= 400 or (
            row["error"] is not None)
        if bad:
            broken.setdefault(row["site_id"], {})[row["anchor_text"]] = row["target_url"]
        else:
            working.add(row["site_id"])
    for site in sorted(scan.sites):
        if not scan.sites[site].reachable or site in served or site in working:
            continue
        entries = broken.get(site, {})
        if entries:
            detail = f"未发现可用的政务咨询渠道：{len(entries)} 个咨询入口均无法打开"
            evidence = "；".join(f"【{a}】{u}" for a, u in list(entries.items())[:_SHOWN])
            yield Hit(site, next(iter(entries.values())), detail=detail, evidence=evidence)
        else:
            yield Hit(site, detail="未发现政务咨询渠道（领导信箱、在线咨询、留言等）",
                      evidence="全站未发现咨询类栏目或入口")
