"""Proof files: checked by their content, capped in size, kept under random names in a
folder that is never served as such (each file goes out only through its issue's page,
to those who may see the issue, as an attachment)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from pathlib import Path

import filetype

from govwatch.platform.auth import PlatformError
from govwatch.platform.settings import UPLOAD_MAX_BYTES, UPLOAD_TYPES


@dataclass(frozen=True)
class Proof:
    """One accepted proof file, before it is stored."""

    original_name: str
    content_type: str
    data: bytes


def check_proof(name: str, data: bytes) -> Proof:
    """Accept an image or PDF; PlatformError (naming the file) for one too big, empty, or
    whose content is of another type, whatever its name says."""
    if len(data) > UPLOAD_MAX_BYTES:
        raise PlatformError(f"文件 {name} 超过 {UPLOAD_MAX_BYTES // (1024 * 1024)} MB")
    if not data:
        raise PlatformError(f"文件 {name} 是空的")
    kind = filetype.guess(data)
    if kind is None or kind.mime not in UPLOAD_TYPES:
        raise PlatformError(f"文件 {name} 不是图片或 PDF（只接受 PNG、JPEG、GIF、WebP、PDF）")
    return Proof(Path(name).name[:200] or "proof", kind.mime, data)


def store_proof(folder: Path, proof: Proof) -> dict:
    """Write *proof* under a new random name in *folder*; return its ``proof_files`` fields
    (without its answer and issue)."""
    folder.mkdir(parents=True, exist_ok=True)
    stored = secrets.token_hex(16)
    path = folder / stored
    with open(path, "xb") as out:  # never over another file
        out.write(proof.data)
    return {"stored_name": stored, "original_name": proof.original_name,
            "content_type": proof.content_type, "size": len(proof.data),
            "sha256": hashlib.sha256(proof.data).hexdigest()}


def proof_path(folder: Path, stored_name: str) -> Path:
    """Where a stored proof file is (its name is ours: hex digits only)."""
    if not stored_name.isalnum():
        raise PlatformError("无效的文件")
    return folder / stored_name
