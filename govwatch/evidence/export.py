"""An issue's evidence as files (``govwatch evidence``): the kept page, its screenshot, and a
manifest of hashes and times a unit or auditor can check them against.

The page is written masked (:mod:`govwatch.evidence.mask`) unless the office asks for the
raw body: the manifest gives the SHA-256 of the raw body as kept (what the crawl received)
and of the file written, so a masked copy is still tied to the original.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from govwatch.core import kept
from govwatch.evidence.mask import masked_body


class NoEvidence(LookupError):
    """The issue does not exist, or has no kept page."""


def export_issue(db: Any, issue_id: int, out_dir: str | Path, *, raw: bool = False
                 ) -> list[Path]:
    """Write issue *issue_id*'s kept page, screenshot and manifest into *out_dir*; return
    the paths written. NoEvidence when there is nothing to write."""
    issue = db.execute("select id, site_id, rule_id, title, state, subject_url, source_url, "
                       "detail, evidence from issues where id = ?", [issue_id]).fetchone()
    if issue is None:
        raise NoEvidence(f"no issue {issue_id}")
    page = kept.kept_page(db, issue_id)
    if page is None:
        raise NoEvidence(f"issue {issue_id} has no kept page (found before evidence was "
                         "kept, or with evidence off)")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"issue-{issue_id}"
    paths: list[Path] = []
    files: dict[str, Any] = {}
    body = kept.body(db, page["body_hash"]) if page["body_hash"] else None
    if body is not None:
        written = body if raw else masked_body(body, page["encoding"])
        path = out / f"{stem}-page{'-raw' if raw else ''}.html"
        path.write_bytes(written)
        paths.append(path)
        files["page"] = {"file": path.name, "sha256": kept.sha256(written),
                         "masked": not raw, "bytes": len(written)}
    image = kept.shot(db, page["shot_hash"]) if page["shot_hash"] else None
    if image is not None:
        path = out / f"{stem}-screenshot.{'jpg' if image[1] == 'jpeg' else image[1]}"
        path.write_bytes(image[0])
        paths.append(path)
        files["screenshot"] = {"file": path.name, "sha256": page["shot_hash"]}
    names = ("id", "site_id", "rule_id", "title", "state", "subject_url", "source_url",
             "detail", "evidence")
    manifest = {
        "issue": dict(zip(names, issue, strict=True)),
        "kept": {
            "scan_id": page["scan_id"], "url": page["url"], "final_url": page["final_url"],
            "status": page["status"], "headers": json.loads(page["headers"] or "{}"),
            "encoding": page["encoding"], "fetched_at": page["fetched_at"],
            "body_sha256": page["body_hash"], "link_check": json.loads(page["link_status"])
            if page["link_status"] else None, "kept_at": page["kept_at"],
            "kept_note": page["kept_note"], "screenshot_note": page["shot_note"],
        },
        "files": files,
    }
    path = out / f"{stem}-manifest.json"
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    paths.append(path)
    return paths
