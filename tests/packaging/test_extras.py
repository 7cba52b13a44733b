"""The extras of pyproject.toml against what relies on them: the PyInstaller specs and the CLIs.

``[server]`` is the server without a Qt package, ``[app]`` the screens.  The
screens' bundle must exclude what only the server installs (and the server's
bundle what only the screens install), and each CLI names the extra it needs
from a list of modules; all of these are derived here from pyproject.toml, so a
dependency added to one extra without updating the spec or the CLI fails here.
What each requirement installs (its import names, its own requirements) is read
from this venv's metadata, which has every extra installed.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from kiosk import cli as kiosk_cli
from server import cli as server_cli
from tests.packaging.frozen import ROOT, Built

sys.path.insert(0, str(ROOT / "packaging"))
import specsupport as ss

PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
QT = {"pyside6", "pyside6-essentials", "pyside6-addons", "shiboken6", "qasync"}


def requirements(extra: str | None) -> set[str]:
    """Canonical names an extra (None: the base) requires directly; ``kiosk[...]`` is expanded."""
    lines = PROJECT["dependencies"] if extra is None else PROJECT["optional-dependencies"][extra]
    names: set[str] = set()
    for line in lines:
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) == canonicalize_name(PROJECT["name"]):
            for inner in requirement.extras:
                names |= requirements(inner)
        else:
            names.add(canonicalize_name(requirement.name))
    return names


@cache
def needs(dist: str) -> frozenset[str]:
    """``dist`` and everything it requires, transitively, as installed here (no extras of theirs)."""
    found = {dist}
    for line in metadata.distribution(dist).requires or ():
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            found |= needs(canonicalize_name(requirement.name))
    return frozenset(found)


def closure(dists: set[str]) -> set[str]:
    return set().union(*(needs(d) for d in dists))


@cache
def modules_of() -> dict[str, frozenset[str]]:
    """Distribution -> the top-level modules it installs (a meta package: those of what it requires)."""
    found: dict[str, set[str]] = {}
    for module, dists in metadata.packages_distributions().items():
        if module.isidentifier():
            for dist in dists:
                found.setdefault(canonicalize_name(dist), set()).add(module)
    return {dist: frozenset(modules) for dist, modules in found.items()}


def import_names(dist: str) -> set[str]:
    own = set(modules_of().get(dist, ()))
    if not own:  # PySide6 itself is a meta package over PySide6-Essentials and -Addons
        for line in metadata.distribution(dist).requires or ():
            own |= modules_of().get(canonicalize_name(Requirement(line).name), frozenset())
    assert own, f"cannot tell which modules {dist} installs"
    return own


def names_of(dists: set[str]) -> set[str]:
    return set().union(*(import_names(d) for d in dists)) if dists else set()


BASE = requirements(None)
APP = requirements("app")
SERVER = requirements("server")
# What only one side installs: its extra's requirements that the base and the other side do not pull in.
SERVER_ONLY = SERVER - closure(BASE | APP)
APP_ONLY = APP - closure(BASE | SERVER)


def imported_under(source: Path) -> set[str]:
    """Top-level modules imported anywhere under ``source`` (what a bundle's analysis will reach)."""
    found: set[str] = set()
    for path in source.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_the_server_and_the_base_install_no_qt_and_the_screens_no_web_server() -> None:
    assert not closure(BASE | SERVER) & QT
    assert not closure(BASE | APP) & {"flask", "flask-socketio", "gevent", "werkzeug"}
    assert {"pyside6", "qasync", "python-escpos"} <= APP
    assert {"flask", "flask-socketio", "gevent"} <= SERVER_ONLY  # the test below is not vacuous
    assert requirements("all") == APP | SERVER


def test_the_screens_bundle_excludes_what_only_the_server_installs() -> None:
    excluded = set(ss.KIOSK_EXCLUDES)
    missing = names_of(SERVER_ONLY) - excluded
    assert not missing, f"add {sorted(missing)} to KIOSK_EXCLUDES in packaging/specsupport.py"


def test_the_screens_bundle_keeps_what_the_app_extra_and_the_base_install() -> None:
    wanted = names_of(APP | BASE)
    assert not wanted & set(ss.KIOSK_EXCLUDES)
    assert not names_of(APP) & set(ss.qt_excludes())  # only PySide6.Qt* submodules are dropped
    # the spec bundles every module of kiosk/, so whatever kiosk/ imports is reached
    unused = names_of(APP) - imported_under(ROOT / "kiosk")
    assert not unused, f"the app extra installs {sorted(unused)}, which nothing in kiosk/ imports"


def test_the_server_bundle_excludes_what_only_the_screens_install() -> None:
    excluded = set(ss.SERVER_EXCLUDES)
    missing = names_of(APP_ONLY) - excluded
    assert not missing, f"add {sorted(missing)} to SERVER_EXCLUDES in packaging/specsupport.py"
    assert not names_of(SERVER | BASE) & excluded


def test_each_cli_checks_for_every_module_of_the_extra_it_names() -> None:
    assert set(kiosk_cli.APP_EXTRA_MODULES) == names_of(APP)
    assert set(server_cli.SERVER_EXTRA_MODULES) == names_of(SERVER)
    assert kiosk_cli.SERVER_EXTRA_MODULES == server_cli.SERVER_EXTRA_MODULES  # the demo's check


def test_the_readme_demo_installs_the_extras_the_demo_needs() -> None:
    readme = (ROOT / "README.md").read_text()
    demo_line = next(line for line in readme.splitlines() if "kiosk demo" in line and "pip install" in line)
    match = re.search(r"pip install -e \"?'?\.\[([a-z,]+)\]", demo_line)
    assert match is not None, demo_line
    assert closure(APP | SERVER) <= closure(set().union(*(requirements(e) for e in match[1].split(","))))


def bundled_modules(top: Path, name: str) -> set[str]:
    """Top-level modules in a one-folder bundle: the PYZ inside the executable, extension modules beside it."""
    from PyInstaller.archive.readers import pkg_archive_contents  # type: ignore[import-untyped]

    found = {entry.split(".")[0] for entry in pkg_archive_contents(str(top / name / name))}
    found |= {p.name.split(".")[0] for p in (top / name / "_internal").iterdir()}
    return found


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_the_frozen_bundles_hold_what_their_extras_install(built: Built) -> None:
    kiosk = bundled_modules(built.kiosk, "kiosk")
    assert names_of(APP) <= kiosk
    assert not names_of(SERVER_ONLY) & kiosk
    server = bundled_modules(built.server, "kiosk-server")
    assert names_of(SERVER) <= server
    assert not names_of(APP_ONLY) & server
