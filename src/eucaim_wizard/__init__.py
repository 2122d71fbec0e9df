"""eucaim-wizard: statistical de-identification of tabular health data, ARX-compatible.

The public API (see the README):

>>> from eucaim_wizard import anonymize, load_project  # doctest: +SKIP
>>> result = anonymize(load_project("project.yaml"))   # doctest: +SKIP
>>> result.optimum.levels                              # doctest: +SKIP

Heavy modules load on first use, so that ``import eucaim_wizard`` (and the CLI) start fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "Table": "tables", "TableFormat": "tables", "read_table": "tables", "write_table": "tables",
    "Hierarchy": "hierarchies", "read_hierarchy": "hierarchies",
    "Project": "project", "Attribute": "project", "Role": "project", "load_project": "project",
    "validate_project": "validation",
    "anonymize": "anonymizer", "Result": "anonymizer", "Transformation": "anonymizer",
    "WizardError": "errors", "Finding": "errors",
    "check_table": "check", "CheckReport": "check",
    "analyze_risk": "risk", "risk_from_class_sizes": "risk", "RiskAnalysis": "risk",
    "analyze_utility": "utility", "UtilityReport": "utility",
    "choose": "explore", "Candidate": "explore", "Exploration": "explore",
    "load_saved": "apply", "apply_to_folder": "apply",
    "extract": "dicom", "extract_to_file": "dicom", "Extraction": "dicom",
    "import_arx": "arx", "export_arx": "arx",
    "BuilderSpec": "hierarchies", "load_library": "hierarchies",
    "suggest_roles": "roles",
    "run_workflow": "workflow", "RunOutcome": "workflow",
    "build_report": "report", "render_pdf": "report",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from .anonymizer import Result, Transformation, anonymize
    from .apply import apply_to_folder, load_saved
    from .arx import export_arx, import_arx
    from .hierarchies.builders import BuilderSpec
    from .check import CheckReport, check_table
    from .dicom import Extraction, extract, extract_to_file
    from .explore import Candidate, Exploration, choose
    from .hierarchies.presets import load_library
    from .risk import RiskAnalysis, analyze_risk, risk_from_class_sizes
    from .roles import suggest_roles
    from .report import build_report, render_pdf
    from .utility import UtilityReport, analyze_utility
    from .workflow import RunOutcome, run_workflow
    from .errors import Finding, WizardError
    from .hierarchies.hierarchy import Hierarchy, read_hierarchy
    from .project import Attribute, Project, Role, load_project
    from .tables import Table, TableFormat, read_table, write_table
    from .validation import validate_project


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'eucaim_wizard' has no attribute {name!r}")
    return getattr(import_module(f".{module}", __name__), name)
