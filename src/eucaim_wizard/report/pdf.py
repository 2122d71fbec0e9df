"""The PDF report: reportlab's platypus lays out the eight sections on A4 pages.

The PDF is deterministic: reportlab's invariant mode fixes the document ID and every
timestamp, and the creation date written into the PDF is the report's date (at 00:00 UTC),
so the same report gives the same bytes.  Fonts are embedded (DejaVu, see :mod:`._layout`);
every section is a bookmark in the PDF outline; a header names the report on every page and a
footer numbers the pages.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from ._layout import MARGIN_BOTTOM, MARGIN_TOP, MARGIN_X, PAGE, SANS, register_fonts
from .sections import BUILDERS


def _date_formatter(date: str):
    """A reportlab date formatter that writes ``date`` (``YYYY-MM-DD``) at midnight UTC."""
    stamp = "D:" + date.replace("-", "")[:8].ljust(8, "0") + "000000+00'00'"
    return lambda *ignored: stamp


def render_pdf(report: Mapping[str, Any], charts: Mapping[str, bytes]) -> bytes:
    """The PDF of ``report`` (from :func:`~eucaim_wizard.report.model.build_report`) as bytes.

    ``charts`` maps chart names (``candidates``, ``risk_distribution``,
    ``distribution:ATTRIBUTE``) to PNG images; a missing chart is left out.
    """
    from reportlab.lib import colors
    from reportlab.platypus import Frame, PageTemplate
    from reportlab.platypus.doctemplate import BaseDocTemplate

    register_fonts()
    title = str(report["title"])
    tool = report["tool"]
    date = str(report["date"])

    class Document(BaseDocTemplate):
        def afterFlowable(self, flowable) -> None:
            level = getattr(flowable, "outline_level", None)
            if level is not None:
                key = f"section-{self.seq.nextf('outline')}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(flowable.outline_title, key, level=level, closed=False)

    def decorate(canvas, document) -> None:
        canvas.saveState()
        canvas.setDateFormatter(_date_formatter(date))
        canvas.setFont(SANS, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        top = PAGE[1] - MARGIN_TOP + 8
        canvas.drawString(MARGIN_X, top, title)
        canvas.drawRightString(PAGE[0] - MARGIN_X, top, f"{tool['name']} {tool['version']}")
        canvas.setStrokeColor(colors.HexColor("#8a9bb5"))
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 3, PAGE[0] - MARGIN_X, top - 3)
        canvas.drawString(MARGIN_X, MARGIN_BOTTOM - 14, date)
        canvas.drawRightString(PAGE[0] - MARGIN_X, MARGIN_BOTTOM - 14, f"page {document.page}")
        canvas.restoreState()

    buffer = io.BytesIO()
    document = Document(
        buffer, pagesize=PAGE, leftMargin=MARGIN_X, rightMargin=MARGIN_X, topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM, title=title, author=f"{tool['name']} {tool['version']}",
        subject="Statistical de-identification: configuration, risk and utility", creator=tool["name"],
        producer=f"{tool['name']} {tool['version']} (reportlab)", invariant=1, lang="en",
        initialFontName=SANS, initialFontSize=9)
    frame = Frame(MARGIN_X, MARGIN_BOTTOM, PAGE[0] - 2 * MARGIN_X, PAGE[1] - MARGIN_TOP - MARGIN_BOTTOM,
                  id="text", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    document.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decorate)])
    story: list = []
    for build in BUILDERS:
        story.extend(build(report, charts))
    document.build(story)
    return buffer.getvalue()


__all__ = ["render_pdf"]
