"""The ``govwatch`` command: a thin click layer over the library.

Each command parses its options, calls one library function and renders the result with
:mod:`govwatch.output`. Exit status: 0 success; 1 internal error; 2 bad input (sites file,
options, a missing or unusable database, a path that cannot be written); 3 scan interrupted
(resume it with ``govwatch scan --resume``).

Options are one vocabulary: a name means the same in every command and is defined once (see
"One vocabulary" below), with the files' defaults CONFIG_FILE, DB_FILE and OUT_DIR. Old
spellings (``--sites`` for ``--config``, ``--date`` for ``--as-of``) stay accepted, hidden.

The shared options live in :mod:`govwatch.cli.base`; the commands, one module for each part of
the library they drive (crawl, documents, rules, tracker, storage, schedule; serve and
users: the platform; report-check), register themselves on the ``cli`` group when
imported below.
"""

from govwatch.cli import (  # noqa: F401  (they register)
    crawl,
    documents,
    evidence,
    reportcheck,
    rules,
    schedule,
    serve,
    storage,
    tracker,
    users,
)
from govwatch.cli.base import (  # noqa: F401  (the package's public names)
    CONFIG_FILE,
    DB_FILE,
    OUT_DIR,
    AliasOption,
    cli,
    fail,
)


def main() -> None:
    """Console-script entry point."""
    cli()
