"""Raster copies of resources/icons/app.svg for platforms that need them.

    python packaging/render_icons.py OUT_DIR       # frontdesk-16.png … frontdesk-1024.png

The PyInstaller spec calls `render_app_icon()` for the Windows .exe and the macOS
.app icon (PyInstaller turns the PNG into .ico / .icns with Pillow). Linux uses
the SVG itself (hicolor/scalable), so nothing raster is kept in the repository.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
APP_SVG = Path(__file__).resolve().parent.parent / "resources" / "icons" / "app.svg"


def render_app_icon(out: Path, size: int) -> Path:
    """Render the app icon to a square PNG of `size` pixels."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(APP_SVG))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {APP_SVG}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not image.save(str(out)):
        raise SystemExit(f"cannot write {out}")
    return out


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path("build/icons")
    for size in SIZES:
        render_app_icon(folder / f"frontdesk-{size}.png", size)
    print(f"wrote {len(SIZES)} icons to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
