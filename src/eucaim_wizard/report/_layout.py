"""The PDF's building blocks (private): fonts, styles, tables, key-value lists, charts.

Fonts are DejaVu Sans and DejaVu Sans Mono, the TrueType files matplotlib ships, registered
with reportlab so that the PDF embeds them (subsets) and any Unicode text prints.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Image, Paragraph, Spacer, Table, TableStyle

PAGE = A4
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 18 * mm, 20 * mm, 18 * mm
WIDTH = PAGE[0] - 2 * MARGIN_X  # the text column
SANS, BOLD, ITALIC, MONO = "DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique", "DejaVuSansMono"
_FILES = {SANS: "DejaVuSans.ttf", BOLD: "DejaVuSans-Bold.ttf", ITALIC: "DejaVuSans-Oblique.ttf",
          "DejaVuSans-BoldOblique": "DejaVuSans-BoldOblique.ttf", MONO: "DejaVuSansMono.ttf"}
HEADER_BACKGROUND = colors.HexColor("#e6ecf5")
RULE = colors.HexColor("#8a9bb5")
GOOD, BAD = colors.HexColor("#1e7b34"), colors.HexColor("#b03a2e")


def register_fonts() -> None:
    """Register the DejaVu fonts with reportlab (once; reportlab keeps a registry by name)."""
    import matplotlib
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if SANS in pdfmetrics.getRegisteredFontNames():
        return
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    for name, file in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    addMapping(SANS, 0, 0, SANS)
    addMapping(SANS, 1, 0, BOLD)
    addMapping(SANS, 0, 1, ITALIC)
    addMapping(SANS, 1, 1, "DejaVuSans-BoldOblique")


def _style(name: str, **options) -> ParagraphStyle:
    base = {"fontName": SANS, "bulletFontName": SANS, "fontSize": 9, "leading": 12, "alignment": TA_LEFT}
    base.update(options)
    return ParagraphStyle(name, **base)


STYLES = {
    "title": _style("title", fontName=BOLD, fontSize=18, leading=23, spaceAfter=4),
    "subtitle": _style("subtitle", fontSize=10, leading=14, textColor=colors.HexColor("#444444"), spaceAfter=10),
    "h1": _style("h1", fontName=BOLD, fontSize=14, leading=18, spaceBefore=10, spaceAfter=6,
                 textColor=colors.HexColor("#1f4e8c"), keepWithNext=1),
    "h2": _style("h2", fontName=BOLD, fontSize=10.5, leading=14, spaceBefore=8, spaceAfter=4, keepWithNext=1),
    "body": _style("body", spaceAfter=4),
    "bullet": _style("bullet", leftIndent=10, bulletIndent=0, spaceAfter=2, fontSize=8.5, leading=11),
    "small": _style("small", fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444"), spaceAfter=3),
    "cell": _style("cell", fontSize=8, leading=10),
    "cell-bold": _style("cell-bold", fontName=BOLD, fontSize=8, leading=10),
    "cell-right": _style("cell-right", fontSize=8, leading=10, alignment=TA_RIGHT),
    "cell-bold-right": _style("cell-bold-right", fontName=BOLD, fontSize=8, leading=10, alignment=TA_RIGHT),
    "cell-mono": _style("cell-mono", fontName=MONO, fontSize=6.8, leading=9),
    "caption": _style("caption", fontSize=7.5, leading=9.5, textColor=colors.HexColor("#444444"), spaceAfter=8),
}


def text(value: object) -> str:
    """Data text made safe for a Paragraph (``<``, ``&`` escaped)."""
    return escape(str(value))


def para(value: str, style: str = "body", *, keep_with_next: bool = False) -> Paragraph:
    """A paragraph of already-escaped markup (kept on the page of what follows, if asked)."""
    paragraph = Paragraph(value, STYLES[style])
    if keep_with_next:
        paragraph.keepWithNext = 1
    return paragraph


def heading(title: str, level: int = 1) -> Paragraph:
    """A section (1) or subsection (2) heading; the document adds it to the PDF outline."""
    paragraph = Paragraph(text(title), STYLES["h1" if level == 1 else "h2"])
    paragraph.outline_level = level - 1  # read by the document template
    paragraph.outline_title = title
    return paragraph


def cell(value: object, style: str = "cell") -> Paragraph:
    return Paragraph(text(value), STYLES[style])


class _WholeTable(Table):
    """A table that never splits: it moves to the next page whole (a heading before it, kept
    with it by ``keepWithNext``, moves along)."""

    def split(self, availWidth, availHeight):
        return []


def grid(header: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[float],
         *, right: Sequence[int] = (), mono: Sequence[int] = (), bold_first: bool = False,
         sections: Sequence[int] = (), whole: bool = False) -> Table:
    """A table whose header row repeats on every page it spans.

    ``widths`` are shares of the text column; ``right`` the columns aligned right (numbers),
    ``mono`` the columns in a fixed-width font (hashes); ``sections`` the row indexes after
    which a stronger rule is drawn; ``whole`` keeps a table that fits on a page from splitting.
    Cells wrap; a row never splits across pages.
    """
    def style_of(column: int, row_cell: object) -> str:
        if column in mono:
            return "cell-mono"
        if column in right:
            return "cell-right"
        return "cell-bold" if bold_first and column == 0 else "cell"

    data = [[cell(h, "cell-bold-right" if i in right else "cell-bold") for i, h in enumerate(header)]]
    for row in rows:
        data.append([value if isinstance(value, Paragraph) else cell(value, style_of(i, value))
                     for i, value in enumerate(row)])
    register_fonts()  # (to measure the words)
    needed = [0.0] * len(widths)  # the widest word of each column (names such as Manufacturer_Model)
    for r, row in enumerate([header, *rows]):
        for i, value in enumerate(row):
            if not isinstance(value, Paragraph) and i < len(needed) and i not in mono:
                style = STYLES["cell-bold" if r == 0 or (bold_first and i == 0) else style_of(i, value)]
                words = str(value).split() or [""]
                widest = max(stringWidth(w, style.fontName, style.fontSize) for w in words) + 7
                if widest <= 0.45 * WIDTH:  # (a path or a digest may wrap anywhere)
                    needed[i] = max(needed[i], widest)
    kind = _WholeTable if whole else Table
    table = kind(data, colWidths=_widths_for_words(widths, needed), repeatRows=1, hAlign="LEFT", spaceAfter=6)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), SANS),  # the cells are paragraphs, but a table sets a font anyway
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BACKGROUND),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, RULE),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#c9d1de")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    for index in sections:
        commands.append(("LINEBELOW", (0, index + 1), (-1, index + 1), 0.8, RULE))
    table.setStyle(TableStyle(commands))
    return table


def _widths_for_words(shares: Sequence[float], needed: Sequence[float]) -> list[float]:
    """Column widths (points) from their ``shares`` of the text column, widened where a column's
    widest word would otherwise be split inside ("Manufacturer_Mo / del"), the room taken from
    the columns with the most to spare; unchanged when the words cannot all fit."""
    widths = [share * WIDTH for share in shares]
    short = sum(max(n - w, 0.0) for w, n in zip(widths, needed))
    spare = [max(w - n, 0.0) for w, n in zip(widths, needed)]
    if short == 0 or sum(spare) < short:
        return widths
    return [max(w, n) if n > w else w - short * s / sum(spare) for w, n, s in zip(widths, needed, spare)]


def key_values(pairs: Sequence[tuple[str, object]], *, key_width: float = 0.32,
               mono: Sequence[str] = ()) -> Table:
    """A two-column list: a bold label and its value (a string or a Paragraph), kept on one page."""
    rows = []
    for key, value in pairs:
        shown = value if isinstance(value, Paragraph) else cell(value, "cell-mono" if key in mono else "cell")
        rows.append([cell(key, "cell-bold"), shown])
    table = _WholeTable(rows, colWidths=[key_width * WIDTH, (1 - key_width) * WIDTH], hAlign="LEFT", spaceAfter=6)
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), SANS),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c9d1de")),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
    ]))
    return table


def chart(png: bytes, caption: str | None = None, width: float = WIDTH) -> list:
    """A PNG chart scaled to ``width`` (keeping its proportions) and its caption, kept together
    (and with a heading just before them)."""
    from reportlab.lib.utils import ImageReader

    reader = ImageReader(io.BytesIO(png))
    pixels_w, pixels_h = reader.getSize()
    image = Image(io.BytesIO(png), width=width, height=width * pixels_h / pixels_w)
    image.spaceBefore = 4
    image.keepWithNext = 1
    return [image, para(caption, "caption") if caption else Spacer(1, 8)]


def bullets(sentences: Sequence[str]) -> list:
    """One paragraph per (plain) sentence, with a bullet, and a little space after the list."""
    items: list = [Paragraph(text(s), STYLES["bullet"], bulletText="•") for s in sentences]
    return items + [Spacer(1, 4)] if items else items


def verdict(holds: bool, yes: str = "holds", no: str = "does NOT hold") -> str:
    """A coloured yes/no as paragraph markup."""
    colour = GOOD.hexval()[2:] if holds else BAD.hexval()[2:]
    return f'<font color="#{colour}"><b>{yes if holds else no}</b></font>'
