"""A unit's answer (已整改) with its proof files: the one write path of an answer, for the
platform's form and for ``govwatch answer`` alike."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import sqlite_utils

from govwatch.platform import store
from govwatch.platform.uploads import Proof, store_proof
from govwatch.reports import tracker


def record_answer(
    db: sqlite_utils.Database, uploads_dir: Path, issue_id: int, by: str, note: str, at: str,
    proofs: Sequence[Proof], *, user_id: int | None = None, actor: str | None = None,
) -> list[Path]:
    """Answer issue *issue_id* fixed through the tracker (it waits, answered, for the next
    scan), record the answer (by the account *user_id*, if any) and store its *proofs* in
    *uploads_dir*; return the files written. Call it inside the caller's transaction: if
    anything fails here, the files written so far are removed before the error goes on."""
    tracker.answer(db, issue_id, by, note, at, actor=actor)
    answer_id = store.insert_answer(db, issue_id, user_id, at, note)
    written: list[Path] = []
    try:
        for proof in proofs:
            row = store_proof(uploads_dir, proof)
            written.append(uploads_dir / row["stored_name"])
            store.insert_proof(db, {**row, "answer_id": answer_id, "issue_id": issue_id})
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written
