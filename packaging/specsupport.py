"""What both PyInstaller specs share: the version stamp, the Qt diet, the filters.

The specs are plain ``.spec`` files so an admin can also run
``pyinstaller packaging/kiosk.spec`` by hand; everything they have in common
lives here so that the kiosk and the server bundles cannot drift apart.

Why a hand-written dist-info: ``kiosk.__version__`` comes from
``importlib.metadata``.  A frozen bundle has no installed distribution, and the
one in the build machine's venv may be stale (an editable install keeps the
version it had when it was installed).  Writing ``METADATA`` from
``pyproject.toml`` at build time makes the bundle report exactly the version
of the tree it was built from.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parent.parent

# The Qt modules the kiosk app may use.  PyInstaller's hooks already collect
# only what is imported, so this list is the guard rail: every other PySide6
# module is excluded outright, so a transitive import (a library probing for
# QtQml, QtOpenGL...) cannot drag in tens of MiB of libraries, plugins and
# translations.  ``check_qt_imports`` fails the build when the app starts using
# a module that is not listed here, instead of shipping a bundle that crashes.
KIOSK_QT_MODULES = frozenset(
    {
        "QtCore",
        "QtGui",
        "QtWidgets",
        "QtMultimedia",  # QAudioSink, QMediaDevices: the chimes (kiosk/ui/chime_player.py)
        "QtPrintSupport",  # receipts through the OS print system and to PDF
        "QtNetwork",  # QtMultimedia links it; cheap
        "QtSvg",  # icons
        "QtDBus",  # linked by QtGui on Linux (screen-saver inhibit, themes)
    }
)

# Qt translation catalogues worth shipping: the app speaks English and Indonesian.
# Qt has no Indonesian catalogue of its own; English is kept so that Qt's own
# dialogs (print dialog) stay consistent.  Every other language is dead weight.
KIOSK_LANGUAGES = ("en", "id")

# Development tools that optional imports of pydantic, pygments and friends reach
# (pydantic.mypy -> mypy, pydantic.v1 hypothesis plugin -> hypothesis, rich ->
# pygments -> PIL).  Nothing in the shipped apps uses them.
DEV_EXCLUDES = (
    "hypothesis",
    "mypy",
    "mypyc",
    "pydantic.mypy",
    "pytest",
    "_pytest",
    "pytestqt",
    "rich",
    "pygments",
    "IPython",
    "setuptools",
    "pip",
    "tomli_w._tests",
    "ast_serialize",
    "yaml",
    "docutils",
    "tkinter",
)

# Modules the server never needs even if a library probes for them: among them, what only
# the app extra of pyproject.toml installs (tests/packaging/test_extras.py holds both lists to
# the extras).
SERVER_EXCLUDES = (
    *DEV_EXCLUDES,
    "PIL",
    "aiohttp",  # only engineio's async *client* uses it
    "PySide6",
    "shiboken6",
    "qasync",
    "kiosk.ui",
    "kiosk.core",
    "escpos",
    "tomli_w",  # the core's config writer
    "eventlet",  # the server runs on gevent; eventlet is only a benchmark extra
)

# For the kiosk: the server, its web stack (what only the server extra installs) and a GUI
# toolkit we do not use.
KIOSK_EXCLUDES = (
    *DEV_EXCLUDES,
    "server",
    "flask",
    "flask_socketio",
    "gevent",
    "eventlet",
)

# The engineio async drivers are imported by name at run time
# (``importlib.import_module('engineio.async_drivers.' + mode)``), so the
# module graph never sees them.
SERVER_HIDDEN_IMPORTS = (
    "engineio.async_drivers.gevent",
    "engineio.async_drivers.threading",
    "gevent",
    "gevent.monkey",
    "simple_websocket",
    "server.cli",
)

KIOSK_HIDDEN_IMPORTS: tuple[str, ...] = ()


def project_version(root: Path = ROOT) -> str:
    """The version in pyproject.toml: the single source of truth for every artefact."""
    with (root / "pyproject.toml").open("rb") as fh:
        version = tomllib.load(fh)["project"]["version"]
    if not isinstance(version, str) or not re.fullmatch(r"[0-9][0-9A-Za-z.+-]*", version):
        raise SystemExit(f"pyproject.toml: [project] version {version!r} is not a release version")
    return version


def numeric_version(version: str) -> tuple[int, int, int, int]:
    """``0.1.0rc1`` -> (0, 1, 0, 0): the four numbers Windows and macOS want."""
    numbers = [int(m) for m in re.findall(r"\d+", version.split("+", maxsplit=1)[0])[:3]]
    while len(numbers) < 4:
        numbers.append(0)
    return numbers[0], numbers[1], numbers[2], numbers[3]


def stamp_metadata(work_dir: Path, dist_name: str, version: str) -> tuple[str, str]:
    """Write ``<name>-<version>.dist-info/METADATA``; returns a PyInstaller ``datas`` entry."""
    dist = Path(work_dir) / f"{dist_name}-{version}.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: {version}\n", encoding="utf-8"
    )
    return str(dist), dist.name


def all_pyside6_modules() -> list[str]:
    """Names of the Qt* extension modules of the installed PySide6 (e.g. ``QtWebEngineCore``)."""
    import PySide6  # noqa: PLC0415 - only the build machine needs Qt at this point

    pkg = Path(PySide6.__file__).parent
    names = {p.name.split(".", 1)[0] for p in pkg.glob("Qt*") if p.suffix in {".so", ".pyd"}}
    names |= {p.stem for p in pkg.glob("Qt*.pyi")}
    return sorted(n for n in names if n.startswith("Qt"))


def qt_excludes(keep: Iterable[str] = KIOSK_QT_MODULES) -> list[str]:
    """Every ``PySide6.Qt*`` module that is not in ``keep``, for ``Analysis(excludes=...)``."""
    kept = set(keep)
    return [f"PySide6.{name}" for name in all_pyside6_modules() if name not in kept]


def qt_imports_in(source_dir: Path) -> set[str]:
    """The ``PySide6.Qt*`` modules imported anywhere under ``source_dir``."""
    found: set[str] = set()
    for path in Path(source_dir).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "PySide6" and len(parts) > 1 and parts[1].startswith("Qt"):
                    found.add(parts[1])
    return found


def check_qt_imports(source_dir: Path, keep: Iterable[str] = KIOSK_QT_MODULES) -> None:
    """Stop the build when the app imports a Qt module the bundle would exclude."""
    missing = sorted(qt_imports_in(source_dir) - set(keep))
    if missing:
        raise SystemExit(
            f"the app imports {', '.join('PySide6.' + m for m in missing)}, which the kiosk bundle "
            f"excludes; add it to KIOSK_QT_MODULES in packaging/specsupport.py (and note the size cost)"
        )


def keep_translation(dest: str, languages: Sequence[str] = KIOSK_LANGUAGES) -> bool:
    """True for every file except Qt ``.qm`` catalogues of languages the app does not speak."""
    name = Path(dest).name
    if not name.endswith(".qm") or "translations" not in Path(dest).parts:
        return True
    match = re.search(r"_([a-z]{2,3})(?:_[A-Za-z]+)?\.qm$", name)
    return match is None or match.group(1) in languages


# Qt plugins and libraries the kiosk never loads, matched on the bundle path.
# PyInstaller collects every plugin of a plugin *type* an imported module uses,
# and then each plugin's own libraries: the virtual-keyboard input context drags
# in QtQml + QtQuick, the PDF image format QtPdf, the framebuffer platforms
# EGLFS.  The chimes' QAudioSink needs no media back end ("Only QMediaDevices,
# QAudioDevice, QSoundEffect, QAudioSink, and QAudioSource are available" is what
# Qt says without one), so the FFmpeg plugin and its libav* libraries go too: the app
# plays WAVs only, never QMediaPlayer.  Each group's saving is logged at build
# time and recorded in docs/deploy.md.
DROPPED_BINARIES: dict[str, str] = {
    "qtquick (virtual keyboard, qml)": r"(^|/)(lib)?Qt6?(Qml|Quick|VirtualKeyboard)\w*([.-]|$)"
    r"|platforminputcontexts/(lib)?qtvirtualkeyboard",
    "qtpdf (pdf image format)": r"(^|/)(lib)?Qt6?Pdf\w*([.-]|$)|imageformats/(lib)?qpdf",
    "ffmpeg media backend": r"(^|/)(lib)?(avcodec|avformat|avutil|swresample|swscale)([.-]|$)"
    r"|(^|/)(lib)?Qt6?FFmpegStub|multimedia/(lib)?ffmpegmediaplugin",
    "gtk3 platform theme (the app styles itself)": r"platformthemes/(lib)?qgtk3",
    "framebuffer/eglfs platforms": r"(^|/)(lib)?Qt6?Egl[Ff][Ss]\w*([.-]|$)|egldeviceintegrations/"
    r"|platforms/(lib)?q(eglfs|linuxfb|vnc|vkkhrdisplay|minimalegl)",
}


def dropped_group(dest: str) -> str | None:
    """The DROPPED_BINARIES group a bundle path belongs to, or None to keep it."""
    norm = dest.replace("\\", "/")
    for group, pattern in DROPPED_BINARIES.items():
        if re.search(pattern, norm):
            return group
    return None


def drop_binaries(
    binaries: Sequence[tuple[str, str, str]], datas: Sequence[tuple[str, str, str]]
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """Remove DROPPED_BINARIES from both TOCs, logging what each group saves.

    PyInstaller also lists symbolic links (``libQt6Qml.so.6`` at the top of the
    bundle -> ``PySide6/Qt/lib/...``); a link whose target was dropped goes too,
    so the bundle holds no dangling links.
    """
    saved: dict[str, int] = {}

    def keep(entry: tuple[str, str, str]) -> bool:
        group = dropped_group(entry[0])
        if group is None:
            return True
        if entry[2] != "SYMLINK" and entry[1] and Path(entry[1]).is_file():
            saved[group] = saved.get(group, 0) + Path(entry[1]).stat().st_size
        return False

    kept_binaries = [e for e in binaries if keep(e)]
    kept_datas = [e for e in datas if keep(e)]
    present = {PurePosixPath(e[0].replace("\\", "/")) for e in (*kept_binaries, *kept_datas)}

    def resolves(entry: tuple[str, str, str]) -> bool:
        if entry[2] != "SYMLINK":
            return True
        dest = PurePosixPath(entry[0].replace("\\", "/"))
        target = PurePosixPath(os.path.normpath(str(dest.parent / entry[1].replace("\\", "/"))))
        return target in present

    for group, size in sorted(saved.items()):
        log(f"dropped {group}: {size / 2**20:.1f} MiB")
    return [e for e in kept_binaries if resolves(e)], [e for e in kept_datas if resolves(e)]


def _is_root_binary(dest: str) -> bool:
    """Extension modules, Qt plugins and libpython: what the app loads by itself."""
    norm = dest.replace("\\", "/")
    name = norm.rsplit("/", 1)[-1]
    return (
        "/plugins/" in f"/{norm}"
        or name.endswith(".abi3.so")
        or re.search(r"\.cpython-\d+[^/]*\.so$", name) is not None
        or "/lib-dynload/" in f"/{norm}"
        or name.startswith("libpython")
    )


def prune_unreachable_libs(binaries: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Drop shared libraries that no kept extension module or plugin links (Linux only).

    Dropping a plugin leaves its private dependencies behind: without the GTK
    platform theme, cairo, pango and gdk-pixbuf from the build machine would
    still ship, and mixing them with the target's own GTK is a classic crash.
    Reachability is the transitive link closure (ldd) of every extension
    module, Qt plugin and libpython that stays.
    """
    if not sys.platform.startswith("linux"):
        return list(binaries)
    from PyInstaller.depend import bindepend  # type: ignore[import-untyped]  # noqa: PLC0415

    needed: set[str] = set()
    for dest, src, kind in binaries:
        if kind != "SYMLINK" and _is_root_binary(dest) and src:
            needed.update(Path(name).name for name, _path in bindepend.get_imports(src))
            needed.update(Path(path).name for _name, path in bindepend.get_imports(src) if path)
    kept: list[tuple[str, str, str]] = []
    pruned = 0
    for entry in binaries:
        dest, src, kind = entry
        name = dest.replace("\\", "/").rsplit("/", 1)[-1]
        if kind == "SYMLINK" or _is_root_binary(dest) or name in needed or Path(src).name in needed:
            kept.append(entry)
        else:
            pruned += Path(src).stat().st_size if Path(src).is_file() else 0
            log(f"pruned unreferenced {dest}")
    log(f"pruned unreferenced libraries: {pruned / 2**20:.1f} MiB")
    return kept


def filter_toc(toc: Sequence[tuple[str, str, str]], keep: object) -> list[tuple[str, str, str]]:
    """Apply a ``keep(dest) -> bool`` predicate to a PyInstaller TOC."""
    return [entry for entry in toc if keep(entry[0])]  # type: ignore[operator]


def log(message: str) -> None:
    """Spec files run inside PyInstaller; its own logger is noisy, so ours goes to stderr plainly."""
    print(f"[kiosk-spec] {message}", file=sys.stderr)


def win_version_info(exe_name: str, description: str, version: str) -> object:
    """The Windows file-version resource (Properties -> Details), from the project version."""
    from PyInstaller.utils.win32 import versioninfo as vi  # type: ignore[import-untyped]  # noqa: PLC0415

    numbers = numeric_version(version)
    return vi.VSVersionInfo(
        ffi=vi.FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            vi.StringFileInfo(
                [
                    vi.StringTable(
                        "040904B0",
                        [
                            vi.StringStruct("CompanyName", "Kiosk"),
                            vi.StringStruct("FileDescription", description),
                            vi.StringStruct("FileVersion", version),
                            vi.StringStruct("InternalName", exe_name),
                            vi.StringStruct("OriginalFilename", f"{exe_name}.exe"),
                            vi.StringStruct("ProductName", "Kiosk"),
                            vi.StringStruct("ProductVersion", version),
                        ],
                    )
                ]
            ),
            vi.VarFileInfo([vi.VarStruct("Translation", [1033, 1200])]),
        ],
    )


def icon_for(platform: str, root: Path = ROOT) -> str | None:
    """The app icon for the platform from assets/icons, if there is one.

    Windows wants .ico; macOS takes .icns, or a .png that PyInstaller converts
    (with Pillow, which the kiosk already depends on through python-escpos).
    """
    icons = root / "assets" / "icons"
    wanted = {"win32": ["kiosk.ico"], "darwin": ["kiosk.icns", "kiosk.png"]}.get(platform, ["kiosk.png"])
    for name in wanted:
        if (icons / name).exists():
            return str(icons / name)
    return None


def check_sources(pure: Sequence[tuple[str, str, str]], root: Path, packages: Sequence[str]) -> None:
    """Stop the build if a project module was taken from somewhere other than ``root``.

    The build machine usually has the project installed in editable mode,
    pointing at another checkout; a bundle must contain the tree it was built
    from, not whatever the venv happens to point at.
    """
    root = Path(root).resolve()
    strays = [
        f"{name} <- {path}"
        for name, path, _kind in pure
        if name.split(".")[0] in packages and path and not Path(path).resolve().is_relative_to(root)
    ]
    if strays:
        raise SystemExit(
            "these project modules were found outside the tree being built "
            f"({root}); check sys.path / editable installs:\n  " + "\n  ".join(strays)
        )
