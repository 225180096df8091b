"""The look Frontdesk's printed reports share (day sheet, takings): colours, the
Unicode font, paragraph styles and the A4 page, so every PDF reads as one family.

Text is set in a Unicode TrueType font found on the machine (DejaVu Sans, Segoe
UI or Arial), so names such as "Nguyễn" print correctly; without one it falls
back to Helvetica, which covers Western European names only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import BaseDocTemplate

INK = colors.HexColor("#1f2933")
MUTED_HEX = "#5f6b7a"
MUTED = colors.HexColor(MUTED_HEX)
RULE = colors.HexColor("#d9dee6")
HEADER_FILL = colors.HexColor("#f1f3f6")
MARGIN = 16 * mm

_FONT_CANDIDATES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("C:/Windows/Fonts/segoeui.ttf", "segoeuib.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "arialbd.ttf"),
    ("/System/Library/Fonts/Supplemental/Arial.ttf", "Arial Bold.ttf"),
    ("/Library/Fonts/Arial.ttf", "Arial Bold.ttf"),
)


@dataclass(frozen=True, slots=True)
class PdfFonts:
    regular: str
    bold: str


_fonts: PdfFonts | None = None


def load_fonts() -> PdfFonts:
    global _fonts  # registered with reportlab once per process
    if _fonts is None:
        _fonts = PdfFonts("Helvetica", "Helvetica-Bold")
        for regular, bold_name in _FONT_CANDIDATES:
            bold = Path(regular).with_name(bold_name)
            if Path(regular).is_file() and bold.is_file():
                pdfmetrics.registerFont(TTFont("SheetSans", regular))
                pdfmetrics.registerFont(TTFont("SheetSans-Bold", str(bold)))
                pdfmetrics.registerFontFamily(
                    "SheetSans", normal="SheetSans", bold="SheetSans-Bold"
                )
                _fonts = PdfFonts("SheetSans", "SheetSans-Bold")
                break
    return _fonts


class PdfStyles:
    def __init__(self, fonts: PdfFonts) -> None:
        def style(name: str, size: float, *, bold: bool = False, **kw: Any) -> ParagraphStyle:
            return ParagraphStyle(
                name,
                fontName=fonts.bold if bold else fonts.regular,
                fontSize=size,
                leading=size * 1.25,
                textColor=kw.pop("textColor", INK),
                alignment=TA_LEFT,
                **kw,
            )

        self.title = style("title", 19, bold=True, spaceAfter=1.5 * mm)
        self.subtitle = style("subtitle", 10.5, textColor=MUTED, spaceAfter=2.5 * mm)
        self.summary = style("summary", 9, textColor=INK, spaceAfter=4 * mm)
        self.notice = style("notice", 9)
        self.head = style("head", 7.5, bold=True, textColor=MUTED)
        self.cell = style("cell", 9)
        self.cell_bold = style("cell_bold", 9.5, bold=True)
        self.small = style("small", 8, textColor=MUTED)
        self.empty = style("empty", 10, textColor=MUTED, spaceBefore=6 * mm)


DocT = TypeVar("DocT", bound=BaseDocTemplate)


def a4_document(
    kind: type[DocT],
    buffer: io.BytesIO,
    *,
    top: float,
    bottom: float,
    title: str,
    subject: str | None = None,
) -> DocT:
    """An A4 report document with the shared side margins, written into `buffer`."""
    return kind(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=top,
        bottomMargin=bottom,
        title=title,
        author="Frontdesk",
        subject=subject,
    )
