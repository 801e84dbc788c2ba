"""``govwatch users``: the 纠错 platform's accounts. There is no default account or password:
the office adds the first one here. A password is asked at the terminal or read from stdin,
never taken as an argument."""

from __future__ import annotations

import getpass
import sys

import click

from govwatch.cli.base import cli, db_option, fail, friendly_errors, open_existing_db
from govwatch.core.vocabulary import UserRole
from govwatch.output import format_option, render


@cli.group()
def users() -> None:
    """The platform's accounts: office, auditor, or unit (its units only)."""


def _password(from_stdin: bool) -> str:
    """The new password: the first line of stdin, or asked twice at the terminal (never an
    argument: arguments show in the process list and the shell's history)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码: ")
    if getpass.getpass("再输一次: ") != first:
        fail("the two passwords differ")
    return first


password_stdin_option = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")


@users.command("add")
@db_option
@click.argument("login")
@click.option("--role", type=click.Choice([r.value for r in UserRole]), required=True)
@click.option("--unit", "units", multiple=True,
              help="A unit the account answers for (the unit of its sites; repeatable).")
@password_stdin_option
@friendly_errors
def users_add(db_path: str, login: str, role: str, units: tuple[str, ...],
              password_stdin: bool) -> None:
    """Add an account; a unit account needs its --unit(s)."""
    from govwatch.platform import auth, store

    login = login.strip()
    if not login:
        fail("the login must not be blank")
    if (role == UserRole.UNIT) != bool(units):
        fail("a unit account needs --unit, and only a unit account takes it")
    db = open_existing_db(db_path)
    known = store.known_units(db.conn)
    unknown = [u for u in units if u not in known]
    if unknown:
        fail(f"unknown unit {unknown[0]}; the units of the sites are: "
             + ("、".join(known) or "(none yet: scan first)"))
    if store.user_by_login(db.conn, login):
        fail(f"the account {login} exists already")
    try:
        password_hash = auth.hash_password(_password(password_stdin))
    except auth.PlatformError as error:
        fail(str(error))
    store.add_user(db, login, password_hash, role, units)
    click.echo(f"added {login} ({role}{': ' + '、'.join(units) if units else ''})")


@users.command("list")
@db_option
@format_option()
@friendly_errors
def users_list(db_path: str, fmt: str) -> None:
    """List the accounts and their units."""
    from govwatch.platform import store

    click.echo(render(store.list_users(open_existing_db(db_path).conn), fmt))


@users.command("disable")
@db_option
@click.argument("login")
@friendly_errors
def users_disable(db_path: str, login: str) -> None:
    """Disable an account; its sessions end at once."""
    from govwatch.platform import store

    db = open_existing_db(db_path)
    store.disable_user(db, _user_id(db, login))
    click.echo(f"disabled {login}")


@users.command("set-password")
@db_option
@click.argument("login")
@password_stdin_option
@friendly_errors
def users_set_password(db_path: str, login: str, password_stdin: bool) -> None:
    """Set an account's password; its sessions end at once."""
    from govwatch.platform import auth, store

    db = open_existing_db(db_path)
    user_id = _user_id(db, login)
    try:
        password_hash = auth.hash_password(_password(password_stdin))
    except auth.PlatformError as error:
        fail(str(error))
    store.set_password(db, user_id, password_hash)
    click.echo(f"password of {login} set")


def _user_id(db, login: str) -> int:
    from govwatch.platform import store

    user = store.user_by_login(db.conn, login)
    if user is None:
        fail(f"no account {login}")
    return user["id"]


def add_demo_accounts(db) -> list[dict]:
    """For the demo: an office, an auditor and an account for each unit, each with a new
    random password (printed by the demo; there is no fixed one to guess)."""
    import secrets

    from govwatch.platform import auth, store

    wanted = [("demo-office", UserRole.OFFICE, ()), ("demo-auditor", UserRole.AUDITOR, ())]
    wanted += [(f"demo-unit{n}", UserRole.UNIT, (unit,))
               for n, unit in enumerate(store.known_units(db.conn), start=1)]
    accounts = []
    for login, role, units in wanted:
        if store.user_by_login(db.conn, login):
            continue
        password = secrets.token_urlsafe(9)
        store.add_user(db, login, auth.hash_password(password), role, units)
        accounts.append({"login": login, "password": password, "role": role.label,
                         "units": "、".join(units)})
    return accounts
