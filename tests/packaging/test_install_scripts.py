"""The Linux and macOS install scripts, run for real on a stand-in bundle.

PyInstaller is not needed here (that is test_bundle.py): the scripts get a
folder laid out by ``build.stage_linux`` around a tiny executable that reports
its arguments, so every run takes milliseconds.  What the scripts write is read
back with the app's own config loader, so a provisioned screen is known to
start with the server, room and token the admin typed.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from kiosk.core.config import load_config
from kiosk.protocol import is_valid_room

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import build  # noqa: E402

VERSION = "9.8.7"
TOKEN = "dev_Abc-123_xyz.456"
FAKE_APP = """#!/bin/sh
echo "ARGS:$*"
echo "CONFIG:${KIOSK_CONFIG:-}"
"""
IS_ROOT = os.geteuid() == 0
NOBODY = 65534


@pytest.fixture
def world() -> Iterator[Path]:
    """A scratch root that the unprivileged account can use (pytest's tmp_path is root-only)."""
    path = Path(tempfile.mkdtemp(prefix="kiosk-install-"))
    path.chmod(0o755)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def stage(world: Path, app: str) -> Path:
    """The unpacked tarball for ``app`` ("kiosk" or "server") around a fake executable."""
    spec = build.APPS[app]
    bundle = world / "bundle" / spec.bundle
    bundle.mkdir(parents=True)
    (bundle / spec.bundle).write_text(FAKE_APP)
    (bundle / spec.bundle).chmod(0o755)
    (bundle / "_internal").mkdir()
    top = build.stage_linux(spec, bundle, world / "stage", VERSION)
    for path in [top, *top.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IROTH | (stat.S_IXOTH if path.is_dir() else 0))
    return top


def as_user(args: Sequence[str], home: Path) -> subprocess.CompletedProcess[str]:
    """Run as an ordinary account (nobody when the tests run as root), with HOME=home."""
    home.mkdir(parents=True, exist_ok=True)
    env = {"HOME": str(home), "PATH": os.environ["PATH"]}
    command = list(args)
    if IS_ROOT:
        os.chown(home, NOBODY, NOBODY)
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", "--", *command]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def run(args: Sequence[str]) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/root")}
    return subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=60, check=False)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- kiosk, as an ordinary user -------------------------------------------------


def test_user_install_provisions_a_screen_the_app_can_load(world: Path) -> None:
    top, home = stage(world, "kiosk"), world / "home"
    result = as_user(
        [
            str(top / "install.sh"),
            "--server",
            "http://10.0.0.5:5000",
            "--room",
            "kasir-2",
            "--token",
            TOKEN,
            "--autostart",
        ],
        home,
    )
    assert result.returncode == 0, result.stderr

    config_file = home / ".config" / "kiosk" / "kiosk.toml"
    config = load_config(path=config_file, env={})
    assert (config.server_url, config.room, config.token) == ("http://10.0.0.5:5000", "kasir-2", TOKEN)
    assert mode(config_file) == 0o600, "the file holds the device token"

    prefix = home / ".local" / "opt" / "kiosk"
    assert (prefix / "VERSION").read_text().strip() == VERSION
    launcher = home / ".local" / "bin" / "kiosk"
    menu = (home / ".local" / "share" / "applications" / "kiosk.desktop").read_text()
    autostart = (home / ".config" / "autostart" / "kiosk.desktop").read_text()
    assert f"Exec={launcher}\n" in menu
    assert f"Exec={launcher} --fullscreen\n" in autostart
    assert f"Kiosk {VERSION}" in autostart

    started = as_user([str(launcher), "--quit-after", "1"], home)
    assert started.stdout.splitlines() == ["ARGS:--quit-after 1", "CONFIG:"], started.stderr


def test_reinstall_is_the_update_and_changes_only_the_given_keys(world: Path) -> None:
    top, home = stage(world, "kiosk"), world / "home"
    first = [
        str(top / "install.sh"),
        "--server",
        "http://10.0.0.5:5000",
        "--room",
        "kasir-2",
        "--token",
        TOKEN,
    ]
    assert as_user(first, home).returncode == 0
    config_file = home / ".config" / "kiosk" / "kiosk.toml"
    with config_file.open("a") as handle:
        handle.write('language = "id"\n')  # something the admin added by hand

    again = as_user([str(top / "install.sh"), "--room", "display"], home)
    assert again.returncode == 0, again.stderr
    assert "updating Kiosk" in again.stdout
    settings = tomllib.loads(config_file.read_text())  # would raise on a duplicated key
    assert settings == {
        "server_url": "http://10.0.0.5:5000",
        "room": "display",
        "token": TOKEN,
        "language": "id",
    }


@pytest.mark.parametrize(
    ("flag", "value", "says"),
    [
        ("--room", "kitchen", "display, board, kasir-N, tenant-N or user-N"),
        ("--server", "10.0.0.5:5000", "http:// or https://"),
        ("--server", 'http://x/"; rm -rf ~', "http:// or https://"),
        ("--token", "short", "device token"),
    ],
)
def test_bad_values_are_refused_before_anything_is_installed(
    world: Path, flag: str, value: str, says: str
) -> None:
    top, home = stage(world, "kiosk"), world / "home"
    result = as_user([str(top / "install.sh"), flag, value], home)
    assert result.returncode == 2
    assert says in result.stderr
    assert not (home / ".local").exists()
    assert not (home / ".config").exists()


@pytest.mark.parametrize(
    "room",
    [
        "display",
        "kasir-1",
        "tenant-123456789",
        "user-42",
        "kasir-0",
        "tenant-01",
        "Display",
        "kasir-1234567890",
        "user-",
        "tenant-1 ",
        "kasir-1;id",
    ],
)
def test_install_script_agrees_with_the_contract_on_room_names(world: Path, room: str) -> None:
    top, home = stage(world, "kiosk"), world / "home"
    result = as_user([str(top / "install.sh"), "--room", room], home)
    assert (result.returncode == 0) == is_valid_room(room), result.stderr


def test_uninstall_keeps_the_settings_unless_purged(world: Path) -> None:
    top, home = stage(world, "kiosk"), world / "home"
    installed = as_user([str(top / "install.sh"), "--room", "display", "--autostart"], home)
    assert installed.returncode == 0, installed.stderr
    prefix = home / ".local" / "opt" / "kiosk"
    config_file = home / ".config" / "kiosk" / "kiosk.toml"

    removed = as_user([str(prefix / "uninstall.sh")], home)
    assert removed.returncode == 0, removed.stderr
    assert not prefix.exists()
    assert not (home / ".local" / "bin" / "kiosk").exists()
    assert not (home / ".config" / "autostart" / "kiosk.desktop").exists()
    assert not (home / ".local" / "share" / "applications" / "kiosk.desktop").exists()
    assert config_file.exists(), "a plain uninstall must not forget which room the screen was"

    assert as_user([str(top / "install.sh")], home).returncode == 0
    purged = as_user([str(prefix / "uninstall.sh"), "--purge"], home)
    assert purged.returncode == 0, purged.stderr
    assert not config_file.exists()


# -- kiosk, as root for another account (staged with --destdir) ------------------

needs_root = pytest.mark.skipif(not IS_ROOT, reason="installing for another account needs root")


@needs_root
def test_root_install_for_a_kiosk_account_keeps_the_token_private(world: Path) -> None:
    top, dest = stage(world, "kiosk"), world / "root"
    result = run(
        [
            str(top / "install.sh"),
            "--destdir",
            str(dest),
            "--user",
            "nobody",
            "--autostart",
            "--server",
            "https://orders.example:8443",
            "--room",
            "tenant-7",
            "--token",
            TOKEN,
        ]
    )
    assert result.returncode == 0, result.stderr
    home = Path(pwd.getpwnam("nobody").pw_dir)
    config_file = dest / home.relative_to("/") / ".config" / "kiosk" / "kiosk.toml"
    assert load_config(path=config_file, env={}).room == "tenant-7"
    assert (mode(config_file), config_file.stat().st_uid) == (0o600, NOBODY)
    autostart = dest / home.relative_to("/") / ".config" / "autostart" / "kiosk.desktop"
    assert autostart.stat().st_uid == NOBODY
    assert "Exec=/usr/local/bin/kiosk --fullscreen" in autostart.read_text()
    assert (dest / "opt" / "kiosk" / "kiosk").exists()
    assert (dest / "usr" / "share" / "applications" / "kiosk.desktop").exists()


@needs_root
def test_system_wide_config_is_the_fallback_of_the_launcher(world: Path) -> None:
    top, dest = stage(world, "kiosk"), world / "root"
    result = run([str(top / "install.sh"), "--destdir", str(dest), "--room", "display", "--token", TOKEN])
    assert result.returncode == 0, result.stderr
    assert "readable by every local account" in result.stdout
    site = dest / "etc" / "xdg" / "kiosk" / "kiosk.toml"
    assert mode(site) == 0o644
    assert load_config(path=site, env={}).room == "display"

    # The launcher names the real paths; point it at the staged ones to run it here.
    launcher = (dest / "usr" / "local" / "bin" / "kiosk").read_text()
    assert "/etc/xdg/kiosk/kiosk.toml" in launcher
    local = world / "launcher"
    local.write_text(
        launcher.replace("/etc/xdg/kiosk/kiosk.toml", str(site)).replace(
            "/opt/kiosk", str(dest / "opt" / "kiosk")
        )
    )
    local.chmod(0o755)
    home = world / "home"
    assert as_user([str(local)], home).stdout.splitlines()[1] == f"CONFIG:{site}"
    (home / ".config" / "kiosk").mkdir(parents=True)
    (home / ".config" / "kiosk" / "kiosk.toml").write_text('room = "kasir-1"\n')
    os.chown(home / ".config" / "kiosk" / "kiosk.toml", NOBODY, NOBODY)
    assert as_user([str(local)], home).stdout.splitlines()[1] == "CONFIG:", "the user's own file wins"


# -- server ------------------------------------------------------------------------


def test_server_install_writes_unit_and_settings_and_keeps_the_token_on_update(world: Path) -> None:
    top, dest = stage(world, "server"), world / "root"
    first = run([str(top / "install.sh"), "--destdir", str(dest)])
    assert first.returncode == 0, first.stderr
    env_file = dest / "etc" / "kiosk-server" / "kiosk-server.env"
    assert mode(env_file) == 0o640
    settings = dict(
        line.split("=", 1) for line in env_file.read_text().splitlines() if line and not line.startswith("#")
    )
    token = settings["KIOSK_ADMIN_TOKEN"]
    assert len(token) >= 40
    assert token not in first.stdout + first.stderr, "the admin token is never printed"
    assert (settings["KIOSK_HOST"], settings["KIOSK_PORT"]) == ("0.0.0.0", "5000")

    unit = (dest / "etc" / "systemd" / "system" / "kiosk-server.service").read_text()
    assert "ExecStart=/opt/kiosk-server/kiosk-server run --host ${KIOSK_HOST} --port ${KIOSK_PORT} " in unit
    assert "--db /var/lib/kiosk-server/kiosk.db" in unit
    assert "StateDirectory=kiosk-server" in unit
    assert "EnvironmentFile=/etc/kiosk-server/kiosk-server.env" in unit
    assert os.readlink(dest / "usr" / "local" / "bin" / "kiosk-server") == "/opt/kiosk-server/kiosk-server"

    again = run([str(top / "install.sh"), "--destdir", str(dest), "--port", "6001"])
    assert again.returncode == 0, again.stderr
    text = env_file.read_text()
    assert f"KIOSK_ADMIN_TOKEN={token}\n" in text
    assert "KIOSK_PORT=6001\n" in text
    assert text.count("KIOSK_PORT=") == 1


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_unit(world: Path) -> None:
    top, dest = stage(world, "server"), world / "root"
    assert run([str(top / "install.sh"), "--destdir", str(dest)]).returncode == 0
    unit = (dest / "etc" / "systemd" / "system" / "kiosk-server.service").read_text()
    # verify checks that ExecStart exists: point it at the staged binary.
    checked = world / "kiosk-server.service"
    checked.write_text(
        unit.replace("/opt/kiosk-server/kiosk-server", str(dest / "opt" / "kiosk-server" / "kiosk-server"))
    )
    result = run(["systemd-analyze", "verify", str(checked)])
    problems = [
        line for line in (result.stdout + result.stderr).splitlines() if "kiosk-server.service" in line
    ]
    assert problems == [], problems


@pytest.mark.parametrize(
    ("args", "says"), [(["--port", "80"], "1024-65535"), (["--host", "a b"], "not an address")]
)
def test_server_install_refuses_bad_settings(world: Path, args: list[str], says: str) -> None:
    top, dest = stage(world, "server"), world / "root"
    result = run([str(top / "install.sh"), "--destdir", str(dest), *args])
    assert result.returncode == 2
    assert says in result.stderr
    assert not dest.exists()


# -- macOS provisioning script (the parts that run on any Unix) ----------------------


def test_macos_provision_writes_the_config_and_launch_agent(world: Path) -> None:
    app = world / "Kiosk.app"
    (app / "Contents" / "MacOS").mkdir(parents=True)
    (app / "Contents" / "MacOS" / "kiosk").write_text(FAKE_APP)
    (app / "Contents" / "MacOS" / "kiosk").chmod(0o755)
    scripts = world / "dmg"
    scripts.mkdir()
    values = {"VERSION": VERSION}
    build.render(ROOT / "packaging" / "macos" / "provision.sh", scripts / "provision.sh", values, 0o755)
    build.render(
        ROOT / "packaging" / "macos" / "org.kiosk.screen.plist", scripts / "org.kiosk.screen.plist", values
    )
    for path in (world, scripts, *scripts.iterdir(), app, *app.rglob("*")):
        path.chmod(path.stat().st_mode | stat.S_IROTH | stat.S_IXOTH)
    home = world / "home"
    result = as_user(
        [
            str(scripts / "provision.sh"),
            "--app",
            str(app),
            "--server",
            "http://10.0.0.5:5000",
            "--room",
            "display",
            "--token",
            TOKEN,
            "--autostart",
        ],
        home,
    )
    assert result.returncode == 0, result.stderr
    config_file = home / "Library" / "Application Support" / "kiosk" / "kiosk.toml"
    assert load_config(path=config_file, env={}).server_url == "http://10.0.0.5:5000"
    assert mode(config_file) == 0o600
    import plistlib

    agent = plistlib.loads((home / "Library" / "LaunchAgents" / "org.kiosk.screen.plist").read_bytes())
    assert agent["ProgramArguments"] == [f"{app}/Contents/MacOS/kiosk", "--fullscreen"]
    assert agent["RunAtLoad"] is True


@pytest.mark.parametrize("app", ["kiosk", "server"])
def test_install_refuses_a_system_older_than_the_build_machine(world: Path, app: str) -> None:
    top = stage(world, app)
    assert (top / "GLIBC_MINIMUM").read_text().strip(), "the build records the glibc it linked against"
    (top / "GLIBC_MINIMUM").write_text("99.0\n")
    args = [str(top / "install.sh"), "--destdir", str(world / "root")]
    result = as_user(args, world / "home") if app == "kiosk" else run(args)
    assert result.returncode == 2
    assert "needs glibc 99.0 or newer" in result.stderr
    assert not (world / "root").exists()
