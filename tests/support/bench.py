"""A benchmark run as a user runs it, from the repository root."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def bench_json(module: str, *args: str, timeout: float = 300) -> dict[str, Any]:
    """Run ``python -m bench.MODULE ARGS --format json``; its figures (it must exit 0)."""
    done = subprocess.run([sys.executable, "-m", f"bench.{module}", *args, "--format", "json"],
                          cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
