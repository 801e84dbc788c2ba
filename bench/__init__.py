"""Benchmarks and measurements of govwatch on synthetic portal farms.

- :mod:`bench.farm` generates a deterministic farm of government portals (TRS WCM, Hanweb
  jcms, Guangdong gkmlpt-like, generic county CMS) as static files, with a ground truth.
- :mod:`bench.accuracy` scans a farm with the crawler and compares its columns with the truth.

The farm is written from knowledge of real CMS output, not from the crawler's code or its
fixtures: it measures the crawler on portals it was never shaped to.
"""
