"""Reports for people: issue tracking across scans, bulletins and scorecards.

- :mod:`reports.tracker`: findings → issues (新发现, 认领, 整改, 逾期, 异议) with an audit trail.
- working days (节假日 and 调休) come from :mod:`govwatch.core.workdays`, which rules share.
- :mod:`reports.bulletin`: the numbered 纠错 bulletin (第N期) and its content.
- :mod:`reports.scorecard`: veto items, capped deductions, score, pass/fail, 合格率.
- :mod:`reports.render`, :mod:`reports.xlsx`, :mod:`reports.chart`: HTML/Markdown/JSON,
  Excel and the inline SVG chart; :mod:`reports.browser`: headless Chromium screenshots.
- :mod:`reports.settings`: every default, read from ``rectification:`` in govwatch.yaml.
"""


class ReportError(ValueError):
    """A request the reports cannot honour (unknown issue, wrong state, bad date): str(e) is
    one line meant for the person who asked."""
