"""The scheduler service (scheduler/): scans, probes and bulletins, unattended."""

from __future__ import annotations

import sys

import click

from govwatch.cli.base import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    cli,
    config_option,
    db_option,
    friendly_errors,
    out_option,
)
from govwatch.core.schedule import JOB_NAMES
from govwatch.core.schema import open_db
from govwatch.output import render

EXIT_JOB = {"done": 0, "skipped": EXIT_INTERNAL, "failed": EXIT_INTERNAL,
            "interrupted": EXIT_INTERRUPTED}


@cli.command("schedule")
@config_option()
@db_option
@out_option
@click.option("--dry-run", is_flag=True, help="Print the next run of every job and exit.")
@click.option("--run-now", type=click.Choice(JOB_NAMES),
              help="Run this job once, as the scheduler would, and exit.")
@click.option("--log-file", type=click.Path(dir_okay=False),
              help="Log to this file instead of stderr (journald under systemd).")
@friendly_errors
def schedule_command(config_file: str, db_path: str, out_dir: str, dry_run: bool,
                     run_now: str | None, log_file: str | None) -> None:
    """Run the scan, probe and bulletin jobs on the config's schedule, in the foreground."""
    from govwatch import scheduler
    service = scheduler.Service.from_files(config_file, db_path, out_dir)
    if dry_run:
        click.echo(render(service.next_runs(), "table"))
        click.echo(f"\ntimezone {service.config.timezone}; job store {service.job_store_path}; "
                   f"bulletins into {service.out_dir}/")
        return
    if not dry_run:  # refused now, not at the first job
        from govwatch.reports.render import writable_dir

        writable_dir(service.out_dir)
        open_db(db_path).close()
    scheduler.configure_logging(log_file)
    if run_now:
        sys.exit(EXIT_JOB[service.run_now(run_now)])
    service.serve()


