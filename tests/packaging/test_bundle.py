"""The Linux artefacts, built from a clean copy of the tree (the ``built`` fixture).

One build per test session, shared with test_frozen_apps.py (PyInstaller takes
about a minute per app on two busy cores).  The tree is copied without untracked-and-ignored files (no build/,
dist/, caches), and its version is bumped in the copy's pyproject.toml only:
the frozen app reporting that version proves the stamp comes from the tree
that was built, not from the build machine's installed metadata.  The frozen
programs run from the unpacked tarballs with a minimal environment (no venv,
no PYTHONPATH), the server on a real SQLite file, the kiosk offscreen against
it.  Figures (sizes, build time, start times) go to
test-artifacts/packaging-figures.json.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.frozen import FIGURES, ROOT, Built, MiB, frozen_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

sys.path.insert(0, str(ROOT / "packaging"))
import specsupport  # noqa: E402

KIOSK_COMPRESSED_LIMIT = 150 * MiB


def test_build_writes_verifiable_tarballs_within_the_size_target(built: Built) -> None:
    artefacts = {
        Path(p).name: n for app in built.report["apps"].values() for p, n in app["artefacts"].items()
    }
    arch = built.report["arch"]
    kiosk_tar = f"kiosk-{built.version}-linux-{arch}.tar.gz"
    server_tar = f"kiosk-server-{built.version}-linux-{arch}.tar.gz"
    assert set(artefacts) == {kiosk_tar, server_tar}
    for name in artefacts:
        digest, listed = (built.out / f"{name}.sha256").read_text().split()
        assert listed == name
        assert digest == hashlib.sha256((built.out / name).read_bytes()).hexdigest()
    assert artefacts[kiosk_tar] <= KIOSK_COMPRESSED_LIMIT

    for key in ("kiosk", "server"):
        app = built.report["apps"][key]
        FIGURES[f"{key}_bundle_mib"] = round(app["bundle_bytes"] / MiB, 1)
        FIGURES[f"{key}_pyinstaller_seconds"] = app["pyinstaller_seconds"]
    FIGURES["kiosk_tar_gz_mib"] = round(artefacts[kiosk_tar] / MiB, 1)
    FIGURES["server_tar_gz_mib"] = round(artefacts[server_tar] / MiB, 1)

    for top, files in (
        (built.kiosk, {"install.sh", "uninstall.sh", "kiosk.desktop", "kiosk-autostart.desktop"}),
        (built.server, {"install.sh", "uninstall.sh", "kiosk-server.service", "kiosk-server.env"}),
    ):
        assert files | {"DEPLOY.md", "VERSION"} <= {p.name for p in top.iterdir()}
        assert (top / "VERSION").read_text().strip() == built.version
        assert os.access(top / "install.sh", os.X_OK)


def test_kiosk_bundle_carries_only_the_qt_it_uses(built: Built) -> None:
    internal = built.kiosk / "kiosk" / "_internal"
    modules = {p.name.split(".")[0] for p in (internal / "PySide6").glob("Qt*.so")}
    assert modules <= specsupport.KIOSK_QT_MODULES
    assert {"QtCore", "QtGui", "QtWidgets", "QtMultimedia", "QtPrintSupport"} <= modules
    names = [p.name for p in internal.rglob("*")]
    for unwanted in ("Qt6Quick", "Qt6Qml", "Qt6WebEngine", "Qt6Pdf", "Qt63D", "libavcodec", "libgtk"):
        assert not [n for n in names if unwanted in n], unwanted
    qm = [n for n in names if n.endswith(".qm") and n.startswith("qt")]
    assert all(re.search(r"_(en|id)\.qm$", n) for n in qm), qm
    server_names = {p.name for p in (built.server / "kiosk-server" / "_internal").rglob("*")}
    assert not {"PySide6", "shiboken6", "PIL"} & server_names


def test_no_library_in_the_bundles_lost_a_dependency(built: Built) -> None:
    """ldd on every shared object: a 'not found' is only allowed for what the build host lacks too."""
    import PySide6

    shipped_by_wheels = {p.name for p in (Path(PySide6.__file__).parent / "Qt" / "lib").iterdir()}
    broken: dict[str, set[str]] = {}
    for top in (built.kiosk, built.server):
        for path in top.rglob("*.so*"):
            if path.is_symlink() or not path.is_file():
                continue
            result = subprocess.run(["ldd", str(path)], capture_output=True, text=True, check=False)
            for line in result.stdout.splitlines():
                if "not found" in line:
                    broken.setdefault(line.split()[0], set()).add(path.name)
    lost = {name: users for name, users in broken.items() if name in shipped_by_wheels}
    assert lost == {}, f"dropped libraries that others still link: {lost}"
    assert not [
        p for top in (built.kiosk, built.server) for p in top.rglob("*") if p.is_symlink() and not p.exists()
    ]


def test_frozen_kiosk_reports_the_version_of_the_tree_it_was_built_from(built: Built, tmp_path: Path) -> None:
    result = subprocess.run(
        [str(built.kiosk_exe), "--version"],
        capture_output=True,
        text=True,
        env=frozen_env(tmp_path),
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"kiosk {built.version}"


# -- the frozen programs at work --------------------------------------------------------
