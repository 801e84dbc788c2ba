"""The ``schedule:`` and ``mail:`` sections: defaults, and one line-numbered message per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from govwatch.core.config import ConfigError, MailSettings, load_config
from govwatch.core.schedule import At, Schedule

SITES = "sites:\n  - {id: a, name: 站点a, url: 'http://127.0.0.1:9/'}\n"


def load(tmp_path: Path, text: str):
    path = tmp_path / "govwatch.yaml"
    path.write_text(text + SITES, encoding="utf-8")
    return load_config(path)


def test_defaults_are_the_weekly_rhythm_of_the_offices(tmp_path):
    schedule = Schedule.from_config(load(tmp_path, ""))
    assert [str(at) for at in schedule.scan] == ["mon 02:00"]
    assert [str(at) for at in schedule.bulletins] == ["wed 09:00", "fri 09:00"]
    assert (schedule.timezone, schedule.probes_per_day, schedule.probe_timeout) == (
        "Asia/Shanghai", 24, 15.0)
    assert schedule.misfire_grace == 6 * 3600


def test_a_full_schedule(tmp_path):
    schedule = Schedule.from_config(load(tmp_path, """\
timezone: Asia/Urumqi
schedule:
  scan: "Sat 23:30"
  bulletins: [mon-fri 08:00, "daily 12:00", "tue,thu 17:05"]
  probes_per_day: 20
  probe_timeout: 7.5
  probe_workers: 4
  misfire_grace: 90m
"""))
    assert schedule.scan == (At(("sat",), 23, 30),)
    assert [str(at) for at in schedule.bulletins] == ["mon,tue,wed,thu,fri 08:00", "daily 12:00",
                                                      "tue,thu 17:05"]
    assert (schedule.timezone, schedule.probes_per_day, schedule.probe_timeout,
            schedule.probe_workers, schedule.misfire_grace) == ("Asia/Urumqi", 20, 7.5, 4, 5400)


def test_a_job_can_be_switched_off(tmp_path):
    schedule = Schedule.from_config(load(tmp_path, "schedule:\n  bulletins: false\n"
                                                   "  probes_per_day: 0\n"))
    assert (schedule.bulletins, schedule.probes_per_day) == ((), 0)


MAIL = """\
mail:
  host: smtp.example.gov.cn
  from: govwatch@example.gov.cn
  to: [jc@example.gov.cn, ban@example.gov.cn]
"""


def test_mail_settings(tmp_path):
    assert load(tmp_path, "").mail is None
    assert load(tmp_path, MAIL).mail == MailSettings(
        host="smtp.example.gov.cn", sender="govwatch@example.gov.cn",
        to=("jc@example.gov.cn", "ban@example.gov.cn"), port=25)
    secure = load(tmp_path, MAIL + "  starttls: true\n  username: govwatch\n"
                                   "  password_env: GOVWATCH_SMTP_PASSWORD\n").mail
    assert (secure.port, secure.starttls, secure.username, secure.password_env) == (
        587, True, "govwatch", "GOVWATCH_SMTP_PASSWORD")
    assert load(tmp_path, MAIL + "  ssl: true\n").mail.port == 465
    assert load(tmp_path, MAIL.replace("[jc@example.gov.cn, ban@example.gov.cn]",
                                       "jc@example.gov.cn")).mail.to == ("jc@example.gov.cn",)


MISTAKES = [
    ("schedule:\n  scan: mon 2pm\n", 2, "schedule: scan: 'mon 2pm' is not 'DAYS HH:MM'"),
    ("schedule:\n  scan: mon 24:00\n", 2, "'mon 24:00': no such time of day"),
    ("schedule:\n  bulletins: [wed 09:00, someday 09:00]\n", 2, "unknown day 'someday'"),
    ("schedule:\n  bulletins: [fri-mon 09:00]\n", 2, "the range 'fri-mon' runs backwards"),
    ("schedule:\n  bulletins: []\n", 2, "give at least one 'DAYS HH:MM', or false for none"),
    ("schedule:\n  scan: mon 02:00\n  bulletin: wed 09:00\n", 3,
     "schedule: unknown key 'bulletin'; did you mean 'bulletins'?"),
    ("schedule:\n  probes_per_day: 2000\n", 2, "probes_per_day: must be an integer from 0 to 1440"),
    ("schedule:\n  probe_timeout: fast\n", 2, "probe_timeout: must be a number of seconds > 0"),
    ("schedule:\n  misfire_grace: 6 hours\n", 2, "must be a duration such as 90s, 30m, 6h or 1d"),
    (MAIL + "  hots: x\n", 5, "unknown key 'hots'; did you mean 'host'?"),
    (MAIL + "  port: 0\n", 5, "mail: port must be a port number 1-65535"),
    (MAIL + "  starttls: 'yes'\n", 5, "mail: starttls must be true or false, unquoted"),
    (MAIL + "  starttls: true\n  ssl: true\n", 6, "starttls and ssl exclude each other"),
    (MAIL + "  starttls: true\n  username: gw\n", 6, "mail: username needs password_env"),
    (MAIL + "  username: gw\n  password_env: GW_PASS\n", 5,
     "a login needs starttls: true or ssl: true"),
    (MAIL + "  starttls: true\n  username: gw\n  password_env: hunter2!\n", 7,
     "password_env must name an environment variable"),
    ("mail: smtp.example.gov.cn\n", 1, "mail must be a mapping"),
    ("mail:\n  host: x\n  to: a@b.cn\n", 1, "mail: missing 'from'"),
    ("mail:\n  host: x\n  from: nobody\n  to: a@b.cn\n", 3, "from must be an e-mail address"),
    ("mail:\n  host: x\n  from: a@b.cn\n  to:\n    - a@b.cn\n    - c d\n", 6,
     "to entry is not an e-mail address: 'c d'"),
]


@pytest.mark.parametrize(("text", "line", "phrase"), MISTAKES)
def test_each_mistake_is_one_line_naming_its_line(tmp_path, text, line, phrase):
    with pytest.raises(ConfigError) as info:
        Schedule.from_config(load(tmp_path, text))  # the mail: section fails at loading
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'govwatch.yaml'}:{line}: "), message
    assert phrase in message and "\n" not in message
    assert "hunter2" not in message  # a password put there is never echoed
