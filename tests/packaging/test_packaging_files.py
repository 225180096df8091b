"""What the bundle is built from: icons, the menu entry, the spec's inputs, translations."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtSvg import QSvgRenderer

from desktop.resources import resources_dir
from desktop.ui.icons import ICON_COLOUR, TOOLBAR_ICONS, icon, icon_path

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}svg"


@pytest.mark.parametrize("name", TOOLBAR_ICONS)
def test_toolbar_icons_are_one_family(qapp, name: str) -> None:
    root = ET.parse(icon_path(name)).getroot()
    assert root.tag == SVG
    assert root.get("viewBox") == "0 0 24 24"
    assert (root.get("stroke"), root.get("stroke-width")) == (ICON_COLOUR, "1.75")
    assert (root.get("stroke-linecap"), root.get("fill")) == ("round", "none")
    assert QSvgRenderer(str(icon_path(name))).isValid()
    assert not icon(name).pixmap(24, 24).isNull()
    light = icon(name, "#e6e9ef").pixmap(48, 48).toImage()
    assert any(  # recoloured for a dark theme: the strokes are light now
        light.pixelColor(x, y).lightness() > 200 and light.pixelColor(x, y).alpha() > 200
        for x in range(48)
        for y in range(48)
    )


def test_the_app_icon_renders(qapp) -> None:
    assert QSvgRenderer(str(icon_path("app"))).isValid()


def test_the_menu_entry_is_valid() -> None:
    path = ROOT / "packaging" / "linux" / "frontdesk.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    entry.read(path, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert (desktop["Type"], desktop["Exec"], desktop["Icon"]) == (
        "Application",
        "frontdesk",
        "frontdesk",
    )
    assert "Office;" in desktop["Categories"]
    validator = shutil.which("desktop-file-validate")
    if validator:
        result = subprocess.run([validator, str(path)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_everything_the_spec_bundles_exists() -> None:
    spec = (ROOT / "packaging" / "frontdesk.spec").read_text(encoding="utf-8")
    compile(spec, "frontdesk.spec", "exec")  # at least valid Python
    migrations = ROOT / "desktop" / "store" / "migrations"
    for needed in ("env.py", "script.py.mako", "versions"):
        assert (migrations / needed).exists()
    assert list((migrations / "versions").glob("0001_*.py"))
    assert (ROOT / "packaging" / "frontdesk_main.py").exists()
    assert resources_dir() == ROOT / "resources"
    for folder in ("icons", "translations", "demo"):
        assert (resources_dir() / folder).is_dir()


@pytest.mark.parametrize(
    "script",
    ["packaging/build.sh", "packaging/update_translations.sh", "packaging/linux/install.sh"],
)
def test_the_shell_scripts_parse(script: str) -> None:
    path = ROOT / script
    assert path.stat().st_mode & 0o111, f"{script} is not executable"
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_english_source_strings_are_there() -> None:
    root = ET.parse(resources_dir() / "translations" / "frontdesk_en.ts").getroot()
    assert (root.tag, root.get("sourcelanguage")) == ("TS", "en_AU")
    sources = {
        (context.findtext("name"), message.findtext("source"))
        for context in root.iter("context")
        for message in context.iter("message")
    }
    assert ("CrashDialog", "Copy diagnostics") in sources
    assert ("ExportActions", "Print day sheet…") in sources
