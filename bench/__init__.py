"""Benchmarks and measurements of govwatch on synthetic portal farms.

- :mod:`bench.farm` generates a deterministic farm of government portals (TRS WCM, Hanweb
  jcms, Guangdong gkmlpt-like, generic county CMS) as static files, with a ground truth.
- :mod:`bench.accuracy` scans a farm with the crawler and compares its columns with the truth.
- :mod:`bench.run` times a full govwatch scan of a farm against a bare Scrapy crawl
  (:mod:`bench.bare`) of the same farm: pages/s, peak RSS, rule evaluation.
- :mod:`bench.links` measures link checking at scale on a portal of its own.
- :mod:`bench.serve` serves a farm on 127.0.0.1 (nginx or Python); :mod:`bench.proctree`
  measures the resident memory of a process tree.

The farm is written from knowledge of real CMS output, not from the crawler's code or its
fixtures: it measures the crawler on portals it was never shaped to.
"""
