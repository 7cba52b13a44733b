"""The Linux artefacts, built from a clean copy of the tree and run as an admin would.

One build per module (PyInstaller takes about a minute per app on two busy
cores).  The tree is copied without untracked-and-ignored files (no build/,
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
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tarfile
import time
import tomllib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.server_process import ServerProcess

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import specsupport  # noqa: E402

MiB = 2**20
KIOSK_COMPRESSED_LIMIT = 150 * MiB
FIGURES: dict[str, Any] = {}


@dataclass(frozen=True)
class Built:
    version: str
    out: Path
    report: dict[str, Any]
    kiosk: Path  # the unpacked kiosk-<v>-linux-<arch>/ folder
    server: Path
    build_seconds: float

    @property
    def kiosk_exe(self) -> Path:
        return self.kiosk / "kiosk" / "kiosk"

    @property
    def server_exe(self) -> Path:
        return self.server / "kiosk-server" / "kiosk-server"


def export_tree(source: Path, dest: Path) -> None:
    """Tracked and not-ignored files only, as a fresh clone with the current changes would have them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")
    for raw in filter(None, listed):
        relative = Path(raw.decode())
        if not (source / relative).is_file():
            continue  # deleted in the work tree but still in the index
        (dest / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / relative, dest / relative)


def bump_version(pyproject: Path) -> str:
    """Give the copy a version no installed metadata has, e.g. 0.1.0 -> 0.1.0.post77."""
    text = pyproject.read_text()
    old = tomllib.loads(text)["project"]["version"]
    new = f"{old}.post77"
    pyproject.write_text(text.replace(f'version = "{old}"', f'version = "{new}"', 1))
    assert tomllib.loads(pyproject.read_text())["project"]["version"] == new
    return new


def frozen_env(home: Path, **extra: str) -> dict[str, str]:
    """What a desktop session gives a program, and nothing of this test's venv."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "KIOSK_LOG_DIR": str(home / "log"),
        "KIOSK_DATA_DIR": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
    }
    if os.environ.get("XDG_RUNTIME_DIR"):
        env["XDG_RUNTIME_DIR"] = os.environ["XDG_RUNTIME_DIR"]  # where PulseAudio listens
    env.update(extra)
    return env


def unpack(tarball: Path, into: Path) -> Path:
    with tarfile.open(tarball) as tar:
        tar.extractall(into, filter="tar")
    (top,) = [p for p in into.iterdir() if tarball.name.startswith(p.name)]
    return top


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.mktemp("bundle")
    source = base / "src"
    export_tree(ROOT, source)
    version = bump_version(source / "pyproject.toml")
    out = base / "out"
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            str(source / "packaging" / "build.py"),
            "--app",
            "all",
            "--out",
            str(out),
            "--work",
            str(base / "work"),
        ],
        capture_output=True,
        text=True,
        timeout=1500,
        check=False,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, f"build failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    report = json.loads((out / "build-report.json").read_text())
    unpacked = base / "unpacked"
    unpacked.mkdir()
    arch = report["arch"]
    kiosk = unpack(out / f"kiosk-{version}-linux-{arch}.tar.gz", unpacked)
    server = unpack(out / f"kiosk-server-{version}-linux-{arch}.tar.gz", unpacked)
    FIGURES["build_seconds_total"] = round(seconds, 1)
    return Built(version, out, report, kiosk, server, seconds)


@pytest.fixture(scope="module", autouse=True)
def write_figures() -> Iterator[None]:
    yield
    if FIGURES:
        target = ROOT / "test-artifacts" if (ROOT / "test-artifacts").is_dir() else None
        text = json.dumps(FIGURES, indent=2)
        print(f"\npackaging figures:\n{text}")
        if target is not None:
            (target / "packaging-figures.json").write_text(text + "\n")


class FrozenServer(ServerProcess):
    """The fixture's server, but the frozen ``kiosk-server`` binary instead of ``python -m server``."""

    def __init__(self, binary: Path, db_path: Path, home: Path) -> None:
        super().__init__(db_path, admin_token="admin-frozen-test-token")
        self.binary = binary
        self.home = home
        self.env = frozen_env(home, KIOSK_ADMIN_TOKEN=self.admin_token)

    def start(self, timeout: float = 30) -> None:
        self._log = self.log_path.open("ab")
        command = [
            str(self.binary),
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--db",
            str(self.db_path),
        ]
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=self.env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(
                    f"frozen server exited with {self._process.returncode}:\n{self.log_tail()}"
                )
            try:
                if requests.get(f"{self.url}/api/health", timeout=0.5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.05)  # poll interval of a deadline-bounded wait
        self.kill()
        raise RuntimeError(f"frozen server did not answer /api/health within {timeout} s:\n{self.log_tail()}")

    def add_device(self, name: str, rooms: Sequence[str]) -> str:
        result = subprocess.run(
            [
                str(self.binary),
                "devices",
                "add",
                "--db",
                str(self.db_path),
                "--name",
                name,
                "--rooms",
                ",".join(rooms),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=self.env,
            check=False,
        )
        assert result.returncode == 0, result.stderr + result.stdout
        return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def frozen_server(built: Built, tmp_path: Path) -> Iterator[FrozenServer]:
    server = FrozenServer(built.server_exe, tmp_path / "db" / "kiosk.db", tmp_path / "server-home")
    server.db_path.parent.mkdir()
    server.home.mkdir()
    server.start()
    yield server
    server.stop()


def wait_for_line(path: Path, pattern: str, process: subprocess.Popen[bytes], timeout: float) -> str:
    """The first line of ``path`` matching ``pattern``; fails early if the process died."""
    deadline = time.monotonic() + timeout
    regex = re.compile(pattern)
    while time.monotonic() < deadline:
        for line in path.read_text(errors="replace").splitlines():
            if regex.search(line):
                return line
        if process.poll() is not None:
            break
        time.sleep(0.05)  # poll interval of a deadline-bounded wait
    raise AssertionError(
        f"no line matching {pattern!r} in {path} within {timeout} s:\n{path.read_text()[-3000:]}"
    )


def pulseaudio_up() -> bool:
    return (
        shutil.which("pactl") is not None
        and subprocess.run(["pactl", "info"], capture_output=True, check=False).returncode == 0
    )


# -- the artefacts --------------------------------------------------------------------


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


def test_frozen_kiosk_shows_the_servers_orders_and_chimes_from_bundled_sounds(
    built: Built, frozen_server: FrozenServer, tmp_path: Path
) -> None:
    token = frozen_server.add_device("kitchen-1", ["display"])
    first = frozen_server.create_order(tenant_id=1)
    home = tmp_path / "kiosk-home"
    home.mkdir()
    state_file, log_file, shot = tmp_path / "state.json", tmp_path / "kiosk.stderr", tmp_path / "kitchen.png"
    command = [str(built.kiosk_exe), "--server", frozen_server.url, "--room", "display", "--token", token]
    command += [
        "--offscreen",
        "--dump-state",
        str(state_file),
        "--screenshot",
        str(shot),
        "--quit-after",
        "60",
    ]
    with log_file.open("wb") as log:
        kiosk = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=frozen_env(home))
        try:
            wait_for_line(log_file, r"live in display", kiosk, timeout=30)
            second = frozen_server.create_order(tenant_id=2, customer_name="Siti Rahma")
            event_id = creation_event_id(frozen_server, second["id"])
            # The screen writes each applied event's id to its seen-events file (same step as the
            # chime); once it is there, SIGTERM makes the app dump its state and exit cleanly.
            wait_until(lambda: event_id in seen_ids(home / "data"), kiosk, timeout=20)
            kiosk.send_signal(signal.SIGTERM)
            assert kiosk.wait(timeout=30) == 0, log_file.read_text()[-3000:]
        finally:
            if kiosk.poll() is None:
                kiosk.kill()
    state = json.loads(state_file.read_text())
    text = log_file.read_text()
    assert state["connection"]["state"] == "live"
    ids = {order["id"] for order in state["orders"]}
    assert {first["id"], second["id"]} <= ids
    names = {order["customer_name"] for order in state["orders"]}
    assert "Siti Rahma" in names, "the live order arrived whole"
    assert state["sounds_played"] >= 1, "the live order chimed"
    assert "FileNotFoundError" not in text and "not found in" not in text
    if pulseaudio_up():
        assert "carries on without sound" not in text, "a bundled WAV could not be loaded or played"
    assert shot.stat().st_size > 0, "the frozen app rendered its window"
    if (ROOT / "test-artifacts").is_dir():
        shutil.copy2(shot, ROOT / "test-artifacts" / "bundle-kitchen.png")
    internal = built.kiosk / "kiosk" / "_internal"
    for wav in (ROOT / "assets" / "sounds").glob("*.wav"):
        assert (internal / "assets" / "sounds" / wav.name).read_bytes() == wav.read_bytes()


def creation_event_id(server: ServerProcess, order_id: int) -> str:
    """The event_id of ``order:created`` for ``order_id``, from the server's catch-up log."""
    events = server.request("GET", "/api/events?room=display&after=0").json()["events"]
    (event,) = [e for e in events if e["type"] == "order_created" and e["data"]["id"] == order_id]
    return str(event["event_id"])


def seen_ids(data_dir: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in data_dir.glob("*.jsonl"))


def wait_until(condition: Callable[[], bool], process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        assert process.poll() is None, f"the kiosk exited early with {process.returncode}"
        time.sleep(0.05)  # poll interval of a deadline-bounded wait
    raise AssertionError(f"condition not met within {timeout} s")


def test_frozen_server_keeps_its_database_where_it_is_told(built: Built, tmp_path: Path) -> None:
    server = FrozenServer(built.server_exe, tmp_path / "var-lib" / "kiosk.db", tmp_path / "home")
    server.db_path.parent.mkdir()
    server.home.mkdir()
    server.start()
    try:
        health = requests.get(f"{server.url}/api/health", timeout=5).json()
        assert health["status"] == "ok"
        order = server.create_order(tenant_id=3)
    finally:
        server.stop()
    assert server.db_path.is_file()
    assert not list(server.home.rglob("*.db")), "nothing may land in the home directory when --db is given"
    server.start()  # same file, new process: the order is still there
    try:
        again = server.request("GET", f"/api/orders/{order['id']}")
        assert again.status_code == 200, again.text
        assert again.json()["customer_name"] == order["customer_name"]
    finally:
        server.stop()


@pytest.mark.parametrize("xdg", [False, True])
def test_frozen_server_default_database_is_in_the_platform_data_dir(
    built: Built, tmp_path: Path, xdg: bool
) -> None:
    """Without --db: $XDG_DATA_HOME/kiosk-server/kiosk.db, else ~/.local/share/kiosk-server/kiosk.db (docs/deploy.md)."""
    home = tmp_path / "home"
    home.mkdir()
    extra = {"XDG_DATA_HOME": str(tmp_path / "xdg-data")} if xdg else {}
    result = subprocess.run(
        [str(built.server_exe), "devices", "add", "--name", "kitchen-1", "--rooms", "display"],
        capture_output=True, text=True, env=frozen_env(home, **extra), timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    expected = (tmp_path / "xdg-data" if xdg else home / ".local" / "share") / "kiosk-server" / "kiosk.db"
    assert expected.is_file()
    assert [p for p in tmp_path.rglob("*.db")] == [expected]


def test_frozen_start_is_not_much_slower_than_from_source(
    built: Built, frozen_server: FrozenServer, tmp_path: Path
) -> None:
    """Start -> first frame -> exit, frozen vs ``python -m kiosk.cli``.

    Both run the same headless session against the same frozen server with
    ``--quit-after 0 --screenshot``: imports, QApplication, theme, the window
    shown, the session started, one turn of the event loop, the window rendered
    and saved as PNG (the first frame, for real), then a clean shutdown.  The
    first frozen run is the cold one (its files were just unpacked); then three
    warm runs of each.
    """
    token = frozen_server.add_device("timing", ["display"])
    frozen_server.create_order(tenant_id=1)
    shot = tmp_path / "first-frame.png"
    args = ["--server", frozen_server.url, "--room", "display", "--token", token, "--offscreen"]
    args += ["--screenshot", str(shot), "--quit-after", "0"]

    def timed(command: Sequence[str], env: dict[str, str]) -> float:
        started = time.monotonic()
        result = subprocess.run(
            list(command), capture_output=True, text=True, env=env, timeout=120, check=False
        )
        elapsed = time.monotonic() - started
        assert result.returncode == 0, result.stderr[-3000:]
        assert shot.is_file(), "a real frame was rendered and saved"
        shot.unlink()
        return elapsed

    home = tmp_path / "home"
    home.mkdir()
    frozen_cmd = [str(built.kiosk_exe), *args]
    source_cmd = [sys.executable, "-m", "kiosk.cli", *args]
    source_env = {**frozen_env(home), "PATH": os.environ["PATH"], "PYTHONPATH": str(ROOT)}
    cold = timed(frozen_cmd, frozen_env(home))
    frozen_runs, source_runs = [], []
    for _ in range(3):  # interleaved, so a burst of load on the shared machine hits both alike
        frozen_runs.append(timed(frozen_cmd, frozen_env(home)))
        source_runs.append(timed(source_cmd, source_env))
    frozen, source = statistics.median(frozen_runs), statistics.median(source_runs)
    FIGURES.update(
        start_to_first_frame_and_exit_frozen_cold_s=round(cold, 2),
        start_to_first_frame_and_exit_frozen_median_s=round(frozen, 2),
        start_to_first_frame_and_exit_source_median_s=round(source, 2),
        frozen_over_source=round(frozen / source, 2),
    )
    # The target is 1.5x; the assertion leaves room for a busy CI machine, the figure is reported.
    assert frozen <= 2.5 * source, FIGURES


@pytest.mark.parametrize("source", ["environment", "config file"])
def test_frozen_kiosk_is_provisioned_without_flags(
    built: Built, frozen_server: FrozenServer, tmp_path: Path, source: str
) -> None:
    """Unattended set-up: KIOSK_SERVER_URL/KIOSK_ROOM/KIOSK_TOKEN, or kiosk.toml in the config dir."""
    token = frozen_server.add_device("stall-3", ["tenant-3"])
    frozen_server.create_order(tenant_id=3, customer_name="Dewi")
    home = tmp_path / "home"
    home.mkdir()
    env = frozen_env(home)
    if source == "environment":
        env.update(KIOSK_SERVER_URL=frozen_server.url, KIOSK_ROOM="tenant-3", KIOSK_TOKEN=token)
    else:
        config = Path(env["XDG_CONFIG_HOME"]) / "kiosk" / "kiosk.toml"
        config.parent.mkdir(parents=True)
        config.write_text(f'server_url = "{frozen_server.url}"\nroom = "tenant-3"\ntoken = "{token}"\n')
    state_file, log_file = tmp_path / "state.json", tmp_path / "kiosk.stderr"
    with log_file.open("wb") as log:
        kiosk = subprocess.Popen(
            [str(built.kiosk_exe), "--offscreen", "--dump-state", str(state_file), "--quit-after", "60"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        try:
            wait_for_line(log_file, r"live in tenant-3", kiosk, timeout=30)
            kiosk.send_signal(signal.SIGTERM)
            assert kiosk.wait(timeout=30) == 0, log_file.read_text()[-3000:]
        finally:
            if kiosk.poll() is None:
                kiosk.kill()
    state = json.loads(state_file.read_text())
    assert state["room"] == "tenant-3"
    assert [order["customer_name"] for order in state["orders"]] == ["Dewi"]


@pytest.mark.skipif(not os.environ.get("DISPLAY"), reason="needs an X server (scripts/test.sh starts Xvfb)")
def test_frozen_kiosk_runs_on_a_real_x_server(
    built: Built, frozen_server: FrozenServer, tmp_path: Path
) -> None:
    """Offscreen proves the app; this proves the bundled xcb platform plugin and X11 libraries load."""
    token = frozen_server.add_device("kitchen-x", ["display"])
    home = tmp_path / "home"
    home.mkdir()
    # QT_QPA_PLATFORM=xcb: Qt aborts instead of falling back if the bundled plugin cannot load.
    env = frozen_env(home, DISPLAY=os.environ["DISPLAY"], QT_QPA_PLATFORM="xcb")
    shot = tmp_path / "x11.png"
    result = subprocess.run(
        [
            str(built.kiosk_exe),
            "--server",
            frozen_server.url,
            "--room",
            "display",
            "--token",
            token,
            "--screenshot",
            str(shot),
            "--quit-after",
            "0",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "could not load the Qt platform plugin" not in result.stderr
    assert shot.stat().st_size > 0
