"""The govwatch command run in process, as a user types it."""

from __future__ import annotations

from click.testing import CliRunner

from govwatch.cli import cli


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr
