"""The bundled demo portals, served on 127.0.0.1 for ``govwatch demo``.

Each folder under ``demo/portals/`` is a small portal in the style of a real CMS (its
``_portal.yaml`` gives the site's id, name and unit). :func:`demo_portals` serves them all,
writes a sites file pointing at the served addresses and yields it with the database path.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import yaml

from govwatch.portalserver import PortalServer, read_portal_meta

PORTALS = Path(__file__).with_name("demo") / "portals"


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
