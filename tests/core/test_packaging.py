"""govwatch installs under one top-level name: the design card's folders (crawler/, rules/,
reports/, scheduler/) install as govwatch.crawler… and nothing names them any other way."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
MAPPED = {folder: package for package, folder in SETUPTOOLS["package-dir"].items()}
BARE = {name for name in MAPPED if name != "govwatch"}  # crawler, rules, reports, scheduler


def _packages_on_disk() -> set[str]:
    """Every folder with an __init__.py under a mapped folder, named as it installs."""
    found = set()
    for folder, package in MAPPED.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((package, *relative)))
    return found


def test_every_package_installs_under_govwatch_and_none_is_left_out():
    listed = set(SETUPTOOLS["packages"])
    assert all(name == "govwatch" or name.startswith("govwatch.") for name in listed)
    assert _packages_on_disk() == listed  # a package missing here is missing from the wheel
    assert set(SETUPTOOLS["package-data"]) <= listed


def test_no_source_imports_a_folder_by_its_bare_name():
    offenders = []
    for path in ROOT.rglob("*.py"):
        # not the virtualenv: the libraries installed there are not ours (olefile ships a
        # Python 2 module)
        if {".git", "build", ".venv"} & set(path.parts) or "egg-info" in str(path):
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            offenders += [f"{path.relative_to(ROOT)}:{node.lineno}: {name}"
                          for name in names if name and name.split(".")[0] in BARE]
    assert offenders == []


def test_the_installed_package_works_without_the_checkout_on_the_path(tmp_path):
    """Isolated mode (-I) leaves the checkout off sys.path, as in any other project's venv:
    every module imports, every component Scrapy loads by name resolves, the templates load."""
    probe = textwrap.dedent("""
        import importlib, json, sys
        from scrapy.utils.misc import load_object
        modules = json.loads(sys.argv[1])
        for name in modules:
            importlib.import_module(name)
        from govwatch.crawler.settings import DEFAULTS
        paths = [path for key in ("DOWNLOAD_HANDLERS", "DOWNLOADER_MIDDLEWARES",
                                  "SPIDER_MIDDLEWARES", "ITEM_PIPELINES", "EXTENSIONS")
                 for path in DEFAULTS[key]]
        paths += [DEFAULTS["REQUEST_FINGERPRINTER_CLASS"]]
        for path in paths:
            load_object(DEFAULTS["DOWNLOAD_HANDLERS"][path] if path in ("http", "https")
                        else path)
        from govwatch.reports.render import _environment
        templates = _environment(True).list_templates()
        assert templates, "no templates"
        assert not any(name in sys.modules for name in json.loads(sys.argv[2])), "bare import"
        print(len(modules), len(paths), len(templates))
    """)
    modules = sorted(
        ".".join((MAPPED[folder], *path.relative_to(ROOT / folder).with_suffix("").parts))
        .removesuffix(".__init__")
        for folder in MAPPED for path in (ROOT / folder).rglob("*.py")
        if "__main__" not in path.name and "portals" not in path.parts)
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe, json.dumps(modules),
         json.dumps(sorted(BARE))],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    imported, components, templates = map(int, result.stdout.split())
    assert imported == len(modules) > 50
    assert components >= 10 and templates >= 2
