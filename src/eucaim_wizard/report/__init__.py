"""The report of a run: ``report.json`` for machines and ``report.pdf`` for people.

>>> from eucaim_wizard.report import build_report, render_pdf, report_charts   # doctest: +SKIP
>>> pdf = render_pdf(report, report_charts(report, exploration, candidates))    # doctest: +SKIP

:mod:`.model` builds the data model (eight sections: summary, input, configuration,
hierarchies, search, risk, utility, output) from the results of a run; :mod:`.charts` draws
its charts with matplotlib; :mod:`.pdf` lays it out with reportlab.  The whole workflow that
produces them is :func:`eucaim_wizard.workflow.run_workflow`.
"""

from __future__ import annotations

from .charts import report_charts
from .model import REPORT_VERSION, OutputFile, Settings, build_report
from .pdf import render_pdf
from .sections import SECTIONS

__all__ = ["REPORT_VERSION", "OutputFile", "SECTIONS", "Settings", "build_report", "render_pdf", "report_charts"]
