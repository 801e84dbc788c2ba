"""The checks shipped with govwatch; importing this package registers them all.

- :mod:`~rules.checks.pattern`: ``pattern``, a regex that must or must not occur in a scope
  (page text, title, footer, URL, raw HTML) over the home page, all pages or the pages of
  column classes; every pattern rule in one pass per table.
- :mod:`~rules.checks.idnumber`: the ``id_number`` match validator (居民身份证号 check digit).
- :mod:`~rules.checks.site`: ``site_status`` (站点无法访问), ``homepage_freshness`` (首页不更新).
- :mod:`~rules.checks.availability`: ``availability`` (站点无法访问 over a week of probes).
- :mod:`~rules.checks.columns`: ``column_freshness`` (栏目不更新), ``column_empty`` (空白栏目).
- :mod:`~rules.checks.deadline`: ``deadline_document`` (a yearly document due by a date).
- :mod:`~rules.checks.annual`: ``annual_report`` (the due year's reports read: structure,
  arithmetic, unreadable text).
- :mod:`~rules.checks.aggregate`: ``count_at_least`` (a rule's findings on a site reach N).
- :mod:`~rules.checks.links`: ``link_status`` (link targets of given result classes).
- :mod:`~rules.checks.lexicon`: ``lexicon`` (wrong words of lexicon lists: renamed agencies,
  misspelt names, wrong names of countries and regions, typos; :mod:`rules.lexicon`).
- :mod:`~rules.checks.boards`: ``messages_unanswered`` (互动回应差: a message left
  unanswered too long), ``consultation_channel`` (no working consultation channel).
- :mod:`~rules.checks.interpretation`: ``interpretation`` (a 政策解读 not linked both ways
  with its policy, or published too long after it).
- :mod:`~rules.checks.publicity`: ``decision_delay`` (a 双公示 decision published late).
- :mod:`~rules.checks.footer`: ``footer_fact`` (a footer identifier missing, malformed or
  linked to the wrong register), ``footer_format`` (typography and links, remarks only),
  ``footer_mismatch`` (footer identifiers that contradict each other).
"""

from govwatch.rules.checks import (  # noqa: F401  (imported to register)
    aggregate,
    annual,
    availability,
    boards,
    columns,
    deadline,
    footer,
    idnumber,
    interpretation,
    lexicon,
    links,
    pattern,
    publicity,
    site,
)
