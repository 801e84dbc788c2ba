"""``govwatch serve``: the 纠错 platform over the database (accounts: ``govwatch users``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from govwatch.cli.base import (
    cli,
    config_option,
    db_option,
    friendly_errors,
    open_existing_db,
    out_option,
    report_config,
)
from govwatch.core.config import load_config
from govwatch.core.defaults import TIMEZONE
from govwatch.reports.settings import ReportSettings


@cli.command()
@config_option(optional=True)
@db_option
@out_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="The address to listen on (behind a proxy, keep it local).")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--uploads", "uploads_dir", type=click.Path(file_okay=False),
              help="The folder proof files are kept in, never served as a folder "
                   "[default: beside the database, <name>-uploads].")
@click.option("--https", is_flag=True,
              help="Reached over https (behind a proxy): cookies are sent over https only.")
@friendly_errors
def serve(config_file: str, db_path: str, out_dir: str, host: str, port: int,
          uploads_dir: str | None, https: bool) -> None:
    """Serve the 纠错 platform over the database while the scheduler keeps writing it."""
    report_settings, timezone = report_config(config_file)
    mail = load_config(config_file).mail if Path(config_file).exists() else None
    open_existing_db(db_path).close()  # brings the schema up to date once, before serving
    run_platform(db_path, out_dir, host, port, uploads_dir, https, report_settings, timezone,
                 mail)


def run_platform(db_path: str | Path, out_dir: str | Path, host: str, port: int,
                 uploads_dir: str | Path | None = None, https: bool = False,
                 report_settings: Any = None, timezone: str = TIMEZONE,
                 mail: Any = None) -> None:
    """Serve the platform over *db_path* until interrupted (``serve`` and ``demo --serve``)."""
    import os

    import uvicorn

    from govwatch.platform.app import create_app
    from govwatch.platform.settings import PlatformSettings, uploads_dir_for

    settings = PlatformSettings(
        db_path=Path(db_path), out_dir=Path(out_dir),
        uploads_dir=Path(uploads_dir) if uploads_dir else uploads_dir_for(db_path),
        report_settings=report_settings or ReportSettings(), timezone=timezone, https=https,
        csrf_secret=os.environ.get("GOVWATCH_SECRET"), mail=mail,
    )
    click.echo(f"govwatch platform on http://{host}:{port}/ (Ctrl+C stops it)", err=True)
    uvicorn.run(create_app(settings), host=host, port=port, proxy_headers=True,
                log_level="warning", server_header=False)
