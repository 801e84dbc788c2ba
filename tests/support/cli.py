"""The govwatch command run in process, as a user types it."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from govwatch.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def written(stdout: str) -> list[Path]:
    """The report files a writer listed with ``--format json``, in order."""
    return [Path(row["file"]) for row in json.loads(stdout)]
