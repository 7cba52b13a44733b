#!/usr/bin/env python3
"""Build the installable artefacts of the kiosk app and the server for this OS.

    python packaging/build.py [--app kiosk|server|all] [--out dist/]

Linux   -> kiosk-<v>-linux-<arch>.tar.gz and kiosk-server-<v>-linux-<arch>.tar.gz,
           each with the one-folder bundle, install.sh / uninstall.sh and the
           desktop launcher + autostart entry (kiosk) or systemd unit (server).
Windows -> Kiosk-<v>-setup.exe through Inno Setup 6 (ISCC) from packaging/windows/kiosk.iss;
           kiosk-server-<v>-windows.zip for the server.
macOS   -> Kiosk.app, Kiosk-<v>-macos.dmg (hdiutil) with the LaunchAgent and
           provision script; kiosk-server-<v>-macos.tar.gz for the server.

The version comes from pyproject.toml.  The build machine needs the project's
dependencies and PyInstaller (``pip install -e .[packaging]``).  A JSON report
(``<out>/build-report.json``) records the sizes and times of the build, so a
CI run can track them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import specsupport  # noqa: E402

log = logging.getLogger("packaging.build")


@dataclass(frozen=True)
class App:
    """One thing we ship: which spec builds it and what the bundle folder is called."""

    key: str
    spec: str
    bundle: str
    title: str


APPS = {
    "kiosk": App("kiosk", "kiosk.spec", "kiosk", "Kiosk"),
    "server": App("server", "kiosk-server.spec", "kiosk-server", "Kiosk server"),
}


@dataclass
class Job:
    """One app to package: its frozen bundle and where the artefact goes."""

    app: App
    bundle: Path
    out: Path
    stage: Path
    version: str
    built: Built


@dataclass
class Built:
    """What one app's build produced, for the summary and build-report.json."""

    app: str
    bundle_dir: str
    bundle_bytes: int
    pyinstaller_seconds: float
    artefacts: dict[str, int] = field(default_factory=dict)  # path -> bytes
    package_seconds: float = 0.0


def dir_size(path: Path) -> int:
    """Bytes of all regular files under ``path`` (symlinks not followed, not counted twice)."""
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def os_name() -> str:
    """``linux``, ``windows`` or ``macos``; anything else is refused with what is supported."""
    names = {"linux": "linux", "win32": "windows", "darwin": "macos"}
    for prefix, name in names.items():
        if sys.platform.startswith(prefix):
            return name
    raise SystemExit(f"cannot build on {sys.platform!r}: supported are Linux, Windows and macOS")


def arch() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64" if sys.platform.startswith("linux") else "arm64"}.get(
        machine, machine
    )


def run_pyinstaller(app: App, work: Path, dist: Path) -> float:
    """Freeze one app; returns the seconds it took.  PyInstaller's output goes to <work>/<app>.log."""
    dist.mkdir(parents=True, exist_ok=True)
    log_path = work / f"{app.key}-pyinstaller.log"
    cmd = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--clean",
        "--log-level",
        os.environ.get("KIOSK_PYINSTALLER_LOG_LEVEL", "WARN"),
        "--distpath",
        str(dist),
        "--workpath",
        str(work / "pyinstaller" / app.key),
        str(HERE / app.spec),
    ]
    # The cache of stripped binaries under this build's own directory: ``--clean`` empties the
    # cache, and two builds sharing ~/.cache/pyinstaller (two checkouts tested at once) had one
    # strip a library the other had just deleted.
    env = {**os.environ, "PYINSTALLER_CONFIG_DIR": str(work / "pyinstaller-cache")}
    log.info("freezing %s: %s", app.key, " ".join(cmd))
    started = time.monotonic()
    with log_path.open("w", encoding="utf-8") as out:
        result = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env=env, check=False)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-40:]
        raise SystemExit(
            f"PyInstaller failed for {app.key} (exit {result.returncode}); last lines of {log_path}:\n"
            + "\n".join(tail)
        )
    log.info("froze %s in %.1f s", app.key, seconds)
    return seconds


def render(template: Path, dest: Path, values: dict[str, str], mode: int = 0o644) -> None:
    """Copy a text template, replacing ``@KEY@`` markers."""
    text = template.read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    dest.write_text(text, encoding="utf-8", newline="\n")
    dest.chmod(mode)


def _tar_filter(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Files in the archive belong to root, whoever built it."""
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def make_tarball(src_dir: Path, dest: Path) -> None:
    """``dest`` (.tar.gz) holding ``src_dir`` as its single top-level folder."""
    with tarfile.open(dest, "w:gz", compresslevel=6) as tar:
        tar.add(src_dir, arcname=src_dir.name, filter=_tar_filter)


def make_zip(src_dir: Path, dest: Path) -> None:
    with zipfile.ZipFile(dest, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(src_dir.rglob("*")):
            zf.write(path, Path(src_dir.name) / path.relative_to(src_dir))


def finish_artefact(path: Path, built: Built) -> None:
    """Record an artefact and write its .sha256 next to it (admins verify downloads with it)."""
    (path.parent / f"{path.name}.sha256").write_text(f"{sha256(path)}  {path.name}\n", encoding="utf-8")
    built.artefacts[str(path)] = path.stat().st_size
    log.info("wrote %s (%.1f MiB)", path, path.stat().st_size / 2**20)


def stage_linux(app: App, bundle: Path, stage: Path, version: str) -> Path:
    """Lay out the tarball's folder: bundle + install/uninstall scripts + desktop or systemd files."""
    top = stage / f"{app.bundle}-{version}-linux-{arch()}"
    shutil.rmtree(top, ignore_errors=True)
    top.mkdir(parents=True)
    shutil.copytree(bundle, top / app.bundle, symlinks=True)
    linux = HERE / "linux"
    values = {"VERSION": version}
    if app.key == "kiosk":
        render(linux / "kiosk.desktop", top / "kiosk.desktop", values)
        render(linux / "kiosk-autostart.desktop", top / "kiosk-autostart.desktop", values)
        render(linux / "install-kiosk.sh", top / "install.sh", values, 0o755)
        render(linux / "uninstall-kiosk.sh", top / "uninstall.sh", values, 0o755)
    else:
        render(linux / "kiosk-server.service", top / "kiosk-server.service", values)
        render(linux / "kiosk-server.env", top / "kiosk-server.env", values, 0o600)
        render(linux / "install-server.sh", top / "install.sh", values, 0o755)
        render(linux / "uninstall-server.sh", top / "uninstall.sh", values, 0o755)
    (top / "VERSION").write_text(version + "\n", encoding="utf-8")
    # The bundle links the build machine's glibc: install.sh refuses older systems with this number.
    libc, libc_version = platform.libc_ver()
    if libc == "glibc" and libc_version:
        (top / "GLIBC_MINIMUM").write_text(libc_version + "\n", encoding="utf-8")
    shutil.copy2(ROOT / "docs" / "deploy.md", top / "DEPLOY.md")
    return top


def package_linux(job: Job) -> None:
    """The .tar.gz an admin unpacks and runs install.sh from."""
    top = stage_linux(job.app, job.bundle, job.stage, job.version)
    tarball = job.out / f"{top.name}.tar.gz"
    make_tarball(top, tarball)
    finish_artefact(tarball, job.built)


def find_iscc() -> str | None:
    """Inno Setup's compiler: on PATH, or where the Inno Setup 6 installer puts it."""
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return found
    for base in (os.environ.get("PROGRAMFILES(X86)"), os.environ.get("PROGRAMFILES")):
        if base and (Path(base) / "Inno Setup 6" / "ISCC.exe").exists():
            return str(Path(base) / "Inno Setup 6" / "ISCC.exe")
    return None


def package_windows(job: Job) -> None:
    """Setup .exe for the kiosk (Inno Setup); a zip for the server."""
    app, bundle, out, stage, version, built = job.app, job.bundle, job.out, job.stage, job.version, job.built
    if app.key == "server":
        top = stage / f"kiosk-server-{version}-windows"
        shutil.rmtree(top, ignore_errors=True)
        shutil.copytree(bundle, top / app.bundle)
        shutil.copy2(ROOT / "docs" / "deploy.md", top / "DEPLOY.md")
        archive = out / f"{top.name}.zip"
        make_zip(top, archive)
        finish_artefact(archive, built)
        return
    iscc = find_iscc()
    if iscc is None:
        raise SystemExit(
            "Inno Setup 6 is needed for the setup .exe and ISCC.exe was not found "
            "(install it: `winget install JRSoftware.InnoSetup`, or put ISCC on PATH). "
            f"The frozen app is ready in {bundle}."
        )
    numbers = ".".join(str(n) for n in specsupport.numeric_version(version))
    cmd = [
        iscc,
        f"/DAppVersion={version}",
        f"/DAppVersionNumeric={numbers}",
        f"/DBundleDir={bundle}",
        f"/DDocsFile={ROOT / 'docs' / 'deploy.md'}",
        *([f"/DIconFile={icon}"] if (icon := specsupport.icon_for("win32", ROOT)) else []),
        f"/O{out}",
        str(HERE / "windows" / "kiosk.iss"),
    ]
    log.info("compiling the installer: %s", " ".join(cmd))
    subprocess.run(cmd, check=True)
    finish_artefact(out / f"Kiosk-{version}-setup.exe", built)


UDZO = ("-format", "UDZO")  # compressed, read-only disk image


def package_macos(job: Job) -> None:
    """Kiosk.app + LaunchAgent + provision script in a .dmg (hdiutil), or a .zip without it."""
    app, bundle, out, stage, version, built = job.app, job.bundle, job.out, job.stage, job.version, job.built
    if app.key == "server":
        top = stage / f"kiosk-server-{version}-macos"
        shutil.rmtree(top, ignore_errors=True)
        shutil.copytree(bundle, top / app.bundle, symlinks=True)
        shutil.copy2(ROOT / "docs" / "deploy.md", top / "DEPLOY.md")
        tarball = out / f"{top.name}.tar.gz"
        make_tarball(top, tarball)
        finish_artefact(tarball, built)
        return
    app_bundle = bundle.parent / "Kiosk.app"
    if not app_bundle.is_dir():
        raise SystemExit(f"PyInstaller did not produce {app_bundle}; see the kiosk PyInstaller log")
    top = stage / f"Kiosk-{version}"
    shutil.rmtree(top, ignore_errors=True)
    top.mkdir(parents=True)
    shutil.copytree(app_bundle, top / "Kiosk.app", symlinks=True)
    macos = HERE / "macos"
    render(macos / "org.kiosk.screen.plist", top / "org.kiosk.screen.plist", {"VERSION": version})
    render(macos / "provision.sh", top / "provision.sh", {"VERSION": version}, 0o755)
    shutil.copy2(ROOT / "docs" / "deploy.md", top / "DEPLOY.md")
    (top / "Applications").symlink_to("/Applications")  # drag-to-install target in the dmg window
    hdiutil = shutil.which("hdiutil")
    if hdiutil is None:
        log.warning("hdiutil not found: writing a .tar.gz instead of a .dmg")
        archive = out / f"Kiosk-{version}-macos.tar.gz"
        make_tarball(top, archive)
    else:
        archive = out / f"Kiosk-{version}-macos.dmg"
        archive.unlink(missing_ok=True)
        subprocess.run(
            [
                hdiutil,
                "create",
                "-volname",
                f"Kiosk {version}",
                "-srcfolder",
                str(top),
                "-ov",
                *UDZO,
                str(archive),
            ],
            check=True,
        )
    finish_artefact(archive, built)


PACKAGERS = {"linux": package_linux, "windows": package_windows, "macos": package_macos}


def build(apps: Sequence[str], out: Path, work: Path) -> dict[str, object]:
    """Freeze and package ``apps``; returns the report that is also written to build-report.json."""
    system = os_name()
    version = specsupport.project_version(ROOT)
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    dist = work / "dist"
    stage = work / "stage"
    stage.mkdir(exist_ok=True)
    results: list[Built] = []
    started = time.monotonic()
    for key in apps:
        app = APPS[key]
        seconds = run_pyinstaller(app, work, dist)
        bundle = dist / app.bundle
        built = Built(key, str(bundle), dir_size(bundle), round(seconds, 1))
        t0 = time.monotonic()
        PACKAGERS[system](Job(app, bundle, out, stage, version, built))
        built.package_seconds = round(time.monotonic() - t0, 1)
        results.append(built)
    report: dict[str, object] = {
        "version": version,
        "os": system,
        "arch": arch(),
        "python": platform.python_version(),
        "glibc": platform.libc_ver()[1] if os_name() == "linux" else None,
        "total_seconds": round(time.monotonic() - started, 1),
        "apps": {b.app: asdict(b) for b in results},
    }
    (out / "build-report.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return report


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--app", choices=["kiosk", "server", "all"], default="all", help="what to build")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the artefacts go (dist/)")
    parser.add_argument(
        "--work", type=Path, default=None, help="scratch space for PyInstaller (default: build/packaging)"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    args = parse_args(argv)
    apps = list(APPS) if args.app == "all" else [args.app]
    out = args.out.resolve()
    work = (args.work or ROOT / "build" / "packaging").resolve()
    report = build(apps, out, work)
    for key, built in report["apps"].items():  # type: ignore[attr-defined]
        log.info(
            "%s: bundle %.1f MiB, frozen in %.0f s; %s",
            key,
            built["bundle_bytes"] / 2**20,
            built["pyinstaller_seconds"],
            ", ".join(f"{Path(p).name} {n / 2**20:.1f} MiB" for p, n in built["artefacts"].items()),
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
