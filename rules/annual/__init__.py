"""The annual report (政府信息公开工作年度报告) understood: its templates as data and a reader.

- :mod:`rules.annual.template` loads the templates (``templates/*.yaml``: headings, tables,
  rows, columns and the identities between them);
- :mod:`rules.annual.reader` reads a report from its text, a list of page texts, into a
  :class:`~rules.annual.reader.ReportReading`: the template recognised, the sections found,
  the tables as numbers and every identity with both sides;
- :mod:`rules.annual.sample` writes a report's text from numbers (the rules' examples).

The rules over it are in :mod:`rules.checks.annual`; ``govwatch report-check`` prints a
reading.
"""
