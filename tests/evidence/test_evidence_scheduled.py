"""A scheduled scan keeps evidence as the sites file's evidence: section says."""

from __future__ import annotations

import pytest
import yaml
from support.evidence_portal import write_portal
from support.portals import FAST, LOOPBACK_LINKS

from govwatch import scheduler
from govwatch.core.config import load_config
from govwatch.core.schema import open_db
from govwatch.demo.server import PortalServer
from govwatch.scheduler import JobOutcome


@pytest.mark.parametrize(("section", "kept"), [({}, True), ({"keep": False}, False)])
def test_the_scan_job_follows_the_evidence_section(tmp_path, section, kept):
    with PortalServer(write_portal(tmp_path / "portal")) as server:
        config = tmp_path / "govwatch.yaml"
        config.write_text(yaml.safe_dump({
            **({"evidence": section} if section else {}),
            "sites": [{"id": "a", "name": "示范县", "url": server.url, **LOOPBACK_LINKS}],
        }, allow_unicode=True), encoding="utf-8")
        service = scheduler.Service(load_config(config), tmp_path / "govwatch.db",
                                    tmp_path / "out", crawl_settings=FAST)
        assert service.run("scan") == JobOutcome.DONE
    db = open_db(tmp_path / "govwatch.db")
    try:
        pages = db.execute("select count(*) from kept_pages").fetchone()[0]
        issues = db.execute("select count(*) from issues").fetchone()[0]
    finally:
        db.close()
    assert issues > 0
    assert (pages == issues) if kept else (pages == 0)
    assert not list(tmp_path.glob("govwatch.db.evidence-*"))  # no spool left either way
