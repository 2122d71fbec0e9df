"""Errors for people, and findings for reports.

Every user error is a :class:`WizardError` (or a subclass): its message is one paragraph
that names the file, row/column or value and says what to do.  The CLI prints it without a
traceback and exits with :attr:`WizardError.exit_code`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    """One observation of a validation step.

    ``severity`` is ``"error"`` (the input cannot be used as it is), ``"warning"`` (usable,
    but probably not what the curator meant) or ``"info"`` (what the tool decided, e.g. a
    detected delimiter).  ``where`` names the file, column or hierarchy; ``values`` lists a
    few offending values (never a suspected direct identifier); ``records`` is the number of
    data records affected, when known.
    """

    severity: Severity
    code: str
    message: str
    where: str = ""
    values: tuple[str, ...] = ()
    records: int | None = None

    def to_dict(self) -> dict:
        """The finding in a JSON report (its ``values`` are left out: they may quote data)."""
        return {"severity": self.severity, "code": self.code, "where": self.where,
                "message": self.message, "records": self.records}


class WizardError(Exception):
    """A user error: the message says what is wrong, where, and what to do."""

    exit_code = 2

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.findings: list[Finding] = list(findings or [])


class TableError(WizardError):
    """A data table cannot be read or written as asked."""


class HierarchyError(WizardError):
    """A generalization hierarchy cannot be read or does not fit its column."""


class ProjectError(WizardError):
    """The project file (or a project built in code) is invalid."""


class InfeasibleError(WizardError):
    """No transformation satisfies the privacy models within the limits."""

    exit_code = 3


class VerificationError(WizardError, RuntimeError):
    """An independent re-check of an output failed: a bug, never a user error.  Still one
    paragraph, never a traceback (the message says nothing was written and to report it);
    exit code 1."""

    exit_code = 1
