"""The build rules that are plain functions, including those for the OSes not here.

PyInstaller cannot cross-build, so the Windows and macOS artefacts are not
built on this machine; what can be checked here is that their rules (file
names, config locations) match what the app itself does on those systems.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import platformdirs.macos
import platformdirs.windows
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))
import specsupport as ss  # noqa: E402


@pytest.mark.parametrize(
    ("dest", "group"),
    [
        # Linux wheels
        ("PySide6/Qt/lib/libQt6Quick.so.6", "qtquick"),
        ("PySide6/Qt/lib/libQt6QmlModels.so.6", "qtquick"),
        ("PySide6/Qt/plugins/platforminputcontexts/libqtvirtualkeyboardplugin.so", "qtquick"),
        ("PySide6/Qt/lib/libQt6Pdf.so.6", "qtpdf"),
        ("PySide6/Qt/plugins/imageformats/libqpdf.so", "qtpdf"),
        ("PySide6/Qt/lib/libavcodec.so.61", "ffmpeg"),
        ("PySide6/Qt/lib/libQt6FFmpegStub-va.so.2", "ffmpeg"),
        ("PySide6/Qt/plugins/multimedia/libffmpegmediaplugin.so", "ffmpeg"),
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "gtk3"),
        ("PySide6/Qt/plugins/platforms/libqeglfs.so", "framebuffer"),
        ("PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6", "framebuffer"),
        # Windows wheels
        ("PySide6\\Qt6Quick.dll", "qtquick"),
        ("PySide6\\avcodec-61.dll", "ffmpeg"),
        ("PySide6\\plugins\\multimedia\\ffmpegmediaplugin.dll", "ffmpeg"),
        ("PySide6\\plugins\\imageformats\\qpdf.dll", "qtpdf"),
        # macOS wheels
        ("PySide6/Qt/lib/QtQuick.framework/Versions/A/QtQuick", "qtquick"),
        ("PySide6/Qt/lib/QtPdf.framework/Versions/A/QtPdf", "qtpdf"),
        ("PySide6/Qt/lib/libavformat.61.dylib", "ffmpeg"),
    ],
)
def test_dropped_binaries_are_recognised_on_every_platform(dest: str, group: str) -> None:
    found = ss.dropped_group(dest)
    assert found is not None
    assert found.startswith(group)


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/lib/libQt6Core.so.6",
        "PySide6/Qt/lib/libQt6Multimedia.so.6",
        "PySide6/Qt/lib/libQt6PrintSupport.so.6",
        "PySide6/Qt/lib/libQt6WaylandClient.so.6",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqwayland.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/plugins/printsupport/libcupsprintersupport.so",
        "PySide6\\Qt6Multimedia.dll",
        "PySide6\\plugins\\multimedia\\windowsmediaplugin.dll",
        "PySide6/Qt/lib/QtMultimedia.framework/Versions/A/QtMultimedia",
        "libpython3.11.so.1.0",
        "pillow.libs/libavif-c6062d5f.so.16.4.2",
    ],
)
def test_what_the_app_needs_is_kept(dest: str) -> None:
    assert ss.dropped_group(dest) is None


def test_symlinks_to_dropped_libraries_go_with_them() -> None:
    binaries = [
        ("PySide6/Qt/lib/libQt6Qml.so.6", __file__, "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", __file__, "BINARY"),
    ]
    datas = [
        ("libQt6Qml.so.6", "PySide6/Qt/lib/libQt6Qml.so.6", "SYMLINK"),
        ("libQt6Core.so.6", "PySide6/Qt/lib/libQt6Core.so.6", "SYMLINK"),
        ("libqml-alias.so", "PySide6/Qt/lib/libQt6Qml.so.6", "SYMLINK"),
    ]
    kept_binaries, kept_datas = ss.drop_binaries(binaries, datas)
    assert [e[0] for e in kept_binaries] == ["PySide6/Qt/lib/libQt6Core.so.6"]
    assert [e[0] for e in kept_datas] == ["libQt6Core.so.6"]


@pytest.mark.parametrize(
    ("dest", "kept"),
    [
        ("PySide6/Qt/translations/qtbase_en.qm", True),
        ("PySide6/Qt/translations/qtbase_de.qm", False),
        ("PySide6/Qt/translations/qt_zh_TW.qm", False),
        ("PySide6/Qt/translations/qtmultimedia_en.qm", True),
        ("assets/translations/kiosk_id.qm", True),  # the app's own catalogues are never filtered
        ("assets/sounds/new_order.wav", True),
    ],
)
def test_only_english_and_indonesian_qt_catalogues_ship(dest: str, kept: bool) -> None:
    assert ss.keep_translation(dest) is kept


def test_the_build_stops_when_the_app_starts_using_an_excluded_qt_module(tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text("from PySide6.QtWidgets import QWidget\nimport PySide6.QtCore\n")
    ss.check_qt_imports(tmp_path)  # nothing new: passes
    (tmp_path / "new.py").write_text("from PySide6 import QtQuick\n")
    with pytest.raises(SystemExit, match=r"PySide6\.QtQuick.*KIOSK_QT_MODULES"):
        ss.check_qt_imports(tmp_path)


def test_the_app_imports_only_qt_modules_the_bundle_keeps() -> None:
    assert ss.qt_imports_in(ROOT / "kiosk") <= ss.KIOSK_QT_MODULES
    excluded = {name.split(".", 1)[1] for name in ss.qt_excludes()}
    assert {"QtWebEngineCore", "Qt3DCore", "QtQuick", "QtPdf", "QtCharts", "QtBluetooth"} <= excluded
    assert not excluded & ss.KIOSK_QT_MODULES


def test_modules_from_another_checkout_stop_the_build(tmp_path: Path) -> None:
    pure = [("kiosk.paths", str(tmp_path / "tree" / "kiosk" / "paths.py"), "PYMODULE")]
    ss.check_sources(pure, tmp_path / "tree", ("kiosk",))
    stray = [("kiosk.cli", "/elsewhere/kiosk/cli.py", "PYMODULE")]
    with pytest.raises(SystemExit, match=r"kiosk\.cli <- /elsewhere/kiosk/cli\.py"):
        ss.check_sources(stray, tmp_path / "tree", ("kiosk",))


def test_version_comes_from_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "kiosk"\nversion = "1.2.3rc4"\n')
    assert ss.project_version(tmp_path) == "1.2.3rc4"
    assert ss.numeric_version("1.2.3rc4") == (1, 2, 3, 0)
    assert ss.numeric_version("2.0") == (2, 0, 0, 0)
    dest, name = ss.stamp_metadata(tmp_path / "work", "kiosk", "1.2.3rc4")
    assert name == "kiosk-1.2.3rc4.dist-info"
    assert "Version: 1.2.3rc4\n" in (Path(dest) / "METADATA").read_text()


# -- the installers of the other OSes write where the app reads -------------------


def test_windows_installer_writes_the_config_where_the_app_looks(monkeypatch: pytest.MonkeyPatch) -> None:
    local = r"C:\Users\kasir\AppData\Local"
    monkeypatch.setattr(platformdirs.windows, "get_win_folder", lambda _csidl: local)
    # os.path.join on this (non-Windows) machine joins with "/": compare with Windows separators.
    app_dir = platformdirs.windows.Windows("kiosk", appauthor=False).user_config_dir.replace("/", "\\")
    expected = app_dir + r"\kiosk.toml"
    iss = (ROOT / "packaging" / "windows" / "kiosk.iss").read_text()
    configured = re.search(r"Result := ExpandConstant\('\{localappdata\}(\\[^']+)'\)", iss)
    assert configured is not None
    assert local + configured.group(1) == expected


def test_windows_installer_uses_every_provisioning_parameter_and_code_function() -> None:
    iss = (ROOT / "packaging" / "windows" / "kiosk.iss").read_text()
    for param in ("SERVER", "ROOM", "TOKEN"):
        assert f"ParamValue('{param}')" in iss
    for key in ("server_url", "room", "token"):
        assert f"SetKey(Lines, '{key}'" in iss
    for function in set(re.findall(r"\{code:(\w+)\}", iss)):
        assert re.search(rf"function {function}\(Param: String\): String;", iss), function
    assert 'Parameters: "--fullscreen {code:ConfigArgs}"; Tasks: autostart' in iss


def test_macos_provisioning_writes_the_config_where_the_app_looks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", "/Users/kitchen")
    expected = platformdirs.macos.MacOS("kiosk", appauthor=False).user_config_dir + "/kiosk.toml"
    script = (ROOT / "packaging" / "macos" / "provision.sh").read_text()
    assert 'CONFIG_FILE="$USER_HOME/Library/Application Support/kiosk/kiosk.toml"' in script
    assert expected == "/Users/kitchen/Library/Application Support/kiosk/kiosk.toml"


def test_each_platform_gets_an_icon_format_it_can_use(tmp_path: Path) -> None:
    icons = tmp_path / "assets" / "icons"
    icons.mkdir(parents=True)
    assert ss.icon_for("win32", tmp_path) is None
    (icons / "kiosk.png").write_bytes(b"png")
    (icons / "kiosk.ico").write_bytes(b"ico")
    assert ss.icon_for("win32", tmp_path) == str(icons / "kiosk.ico")
    assert ss.icon_for("darwin", tmp_path) == str(icons / "kiosk.png")  # PyInstaller converts it
    (icons / "kiosk.icns").write_bytes(b"icns")
    assert ss.icon_for("darwin", tmp_path) == str(icons / "kiosk.icns")
    assert ss.icon_for("linux", tmp_path) == str(icons / "kiosk.png")
