"""The bundled demo portals, served on 127.0.0.1 for ``govwatch demo``.

Each folder under ``demo/portals/`` is a small portal in the style of a real CMS (its
``_portal.yaml`` gives the site's id, name and unit). :func:`demo_portals` serves them all,
writes a sites file pointing at the served addresses and yields it with the database path.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import date
from pathlib import Path

import yaml

from govwatch.demo.server import PortalServer, read_portal_meta

PORTALS = Path(__file__).with_name("portals")
# The demo is a loopback affair: no politeness delay against our own servers, and the
# portals' links to national services (beian.miit.gov.cn …) are not checked, since the
# machine running the demo may be offline and they would show as false broken links.
DEMO_SETTINGS = {
    "DOWNLOAD_DELAY": 0,
    "GOVWATCH_LINKCHECK_EXCLUDE": [r"^https?://(?!127\.0\.0\.1[:/])"],
}


def demo_day() -> date:
    """The day the demo portals were written for (the newest ``as_of`` of their
    ``_portal.yaml``): the demo is judged on it, so it tells the same story whenever it runs
    instead of finding every column stale a few weeks later."""
    days = [read_portal_meta(folder).get("as_of") for folder in sorted(PORTALS.iterdir())]
    return max(day if isinstance(day, date) else date.fromisoformat(day) for day in days if day)


def fresh_demo_dir(work_dir: Path) -> Path:
    """*work_dir* emptied of an earlier demo's database and files, so every demo run tells
    the same story (a bulletin is published once per day and database)."""
    work_dir.mkdir(parents=True, exist_ok=True)
    for name in ("govwatch.db", "govwatch.db-wal", "govwatch.db-shm", "govwatch.db.scan.lock"):
        (work_dir / name).unlink(missing_ok=True)
    shutil.rmtree(work_dir / "out", ignore_errors=True)
    return work_dir


@contextmanager
def demo_portals(work_dir: Path) -> Iterator[tuple[Path, Path]]:
    """Serve every demo portal; yield (sites file, database path) inside *work_dir*."""
    work_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        sites = []
        for root in sorted(p for p in PORTALS.iterdir() if p.is_dir()):
            meta = read_portal_meta(root)
            server = stack.enter_context(PortalServer(root))
            sites.append(
                {
                    "id": meta.get("id", root.name),
                    "name": meta.get("name", root.name),
                    "url": server.url,
                    "unit": meta.get("unit", meta.get("name", root.name)),
                }
            )
        sites_file = work_dir / "sites.yaml"
        sites_file.write_text(
            "# written by 'govwatch demo': the demo portals as served on this machine\n"
            + yaml.safe_dump({"sites": sites}, allow_unicode=True, sort_keys=False),
            encoding="utf-8",
        )
        yield sites_file, work_dir / "govwatch.db"
