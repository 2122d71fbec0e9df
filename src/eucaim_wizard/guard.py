"""The de-identification guard: does a table or a DICOM header look identified?

The tool works only on de-identified data (the seed's rule: never raw DICOM headers or
non de-identified patient data).  This module looks for two kinds of evidence:

* signs that the data did not go through a de-identification such as the EUCAIM profile
  (CTP "EUCAIM Deidentification v5"): ``PatientIdentityRemoved`` missing or not ``YES``; a
  real-looking ``PatientName``; UIDs under a vendor's root (GE, Siemens, Philips) instead of
  ``2.25.`` or EUCAIM's root; filled address, physician or operator fields; dates whose day
  is not ``01`` (the EUCAIM profile keeps only year and month);
* direct identifiers in columns that are not marked ``role: identifier``: a column named
  like one (``PatientID``, ``email``, DICOM's PS3.15 Annex E identifiers), or values that
  look like e-mail addresses, phone numbers, DICOM person names (``Family^Given``), DICOM
  UIDs or record identifiers.

Every check returns :class:`~eucaim_wizard.errors.Finding` objects naming the column and an
example row (rows count from 1, the header not counted) -- never the suspected value.
:func:`looks_identified` decides, :func:`require_deidentified` raises
:class:`IdentifiedDataError` (exit code 2) unless the curator confirmed the data is
de-identified (``--i-confirm-deidentified``).

References
----------
.. [1] DICOM PS3.15 Annex E, Attribute Confidentiality Profiles (Table E.1-1).
.. [2] EUCAIM, de-identification profile "EUCAIM Deidentification v5" (CTP), as summarised
   in the project's domain notes.

Examples
--------
>>> from eucaim_wizard.tables import Table
>>> table = Table.from_columns({"contact": ["a@b.org", "", ""], "sex": ["F", "M", "F"]})
>>> findings = check_table(table)
>>> [(f.code, f.where, f.records) for f in findings]
[('email-address', 'contact', 1)]
>>> looks_identified(findings)
True
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import Finding, WizardError
from .identifying_text import (INSTITUTION_NAME, NAME_IN_TEXT, NATIONAL_ID, _filled, _real_name, identifier_name,
                               name_in_text, national_id)

if TYPE_CHECKING:
    from .project import Project
    from .tables import Table

__all__ = [
    "DIRECT_IDENTIFIERS", "FREE_TEXT", "VENDOR_UID_ROOTS", "GUARD_CODES", "IdentifiedDataError",
    "HeaderChecks", "acknowledged", "check_datasets", "check_table", "header_signs", "identifier_name",
    "looks_identified", "require_deidentified", "table_signs", "unmarked_identifiers",
]

#: DICOM direct identifiers (PS3.15 Annex E, as listed for EUCAIM): role identifier
DIRECT_IDENTIFIERS = frozenset({
    "PatientName", "PatientID", "OtherPatientIDs", "OtherPatientNames", "IssuerOfPatientID",
    "PatientBirthName", "PatientMotherBirthName", "PatientAddress", "PatientTelephoneNumbers",
    "MedicalRecordLocator", "AccessionNumber", "StudyID", "StudyInstanceUID", "SeriesInstanceUID",
    "SOPInstanceUID", "FrameOfReferenceUID", "ClinicalTrialSubjectID", "ReferringPhysicianName",
    "PerformingPhysicianName", "NameOfPhysiciansReadingStudy", "OperatorsName", "RequestingPhysician",
    "InstitutionAddress", "InstitutionalDepartmentName", "StationName", "DeviceSerialNumber",
})
#: DICOM free text that may identify: flagged (a warning), never generalized
FREE_TEXT = ("PatientComments", "AdditionalPatientHistory", "StudyDescription", "SeriesDescription",
             "ProtocolName", "ImageComments")
#: UID roots of the big vendors: a UID under one was not re-hashed by a de-identifier
VENDOR_UID_ROOTS = {"1.2.840.113619.": "GE", "1.3.12.2.1107.5.": "Siemens", "1.3.46.670589.": "Philips"}
#: person names a de-identifier keeps only as pseudonyms
_PATIENT_NAMES = ("PatientName", "OtherPatientNames", "PatientBirthName", "PatientMotherBirthName")
#: fields the EUCAIM profile empties: filled means not de-identified
_EMPTIED = ("PatientAddress", "PatientTelephoneNumbers", "InstitutionAddress", "ReferringPhysicianName",
            "ReferringPhysicianAddress", "ReferringPhysicianTelephoneNumbers", "PerformingPhysicianName",
            "NameOfPhysiciansReadingStudy", "OperatorsName", "RequestingPhysician")
_UIDS = ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID")
#: dates the EUCAIM profile truncates to the first of the month
_PROFILE_DATES = ("StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate", "PatientBirthDate")
#: the codes of the guard's findings; an "error" among them means "looks identified"
GUARD_CODES = frozenset({
    "identity-not-removed", "real-person-name", "filled-identifying-field", "vendor-uid", "day-not-01",
    "identifier-column", "email-address", "phone-number", "person-name", "dicom-uid", "record-id",
    "free-text", "day-level", "national-id", "name-in-text", "institution-name", "name-in-private-tag",
    "burned-in-annotation",
})
#: header signs that are warnings, not "looks identified": the table they go to is still safe
_HEADER_WARNINGS = frozenset({"burned-in-annotation"})

# Patterns run on a column's distinct values with pyarrow (RE2: no look-arounds).
_UID = r"^[0-2](\.(0|[1-9][0-9]*)){2,}$"  # and 10 characters or more (not a version 1.2.3)
_VENDOR_UID = r"^(" + "|".join(re.escape(root) for root in VENDOR_UID_ROOTS) + r")[0-9.]*$"
_EMAIL = r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
_PHONE = r"^((\+|00)[0-9][0-9 ().\-/]{6,}[0-9]|\(?[0-9]{2,4}\)?([ .\-/][0-9]{2,4}){2,4})$"
_CARET_NAME = r"^[^\^]*[A-Za-z][^\^]*\^"
_CODE = r"^[A-Za-z0-9][A-Za-z0-9_./\-]{3,63}$"
_DATE_LIKE = re.compile(r"\d{8}|\d{4}[-./]\d{2}[-./]\d{2}|\d{2}[-./]\d{2}[-./]\d{4}")
#: a time of day (DICOM TM ``HHMMSS.ffffff``, or ``HH:MM[:SS]``): what ``init`` proposes as a
#: quasi-identifier with ``preset:time``, never a record identifier
_TIME_LIKE = re.compile(r"([01]\d|2[0-3])([0-5]\d)([0-5]\d)(\.\d{1,6})?|([01]?\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?")
# an ID column: nearly every value distinct, and most of them codes
_ID_MIN_VALUES, _ID_DISTINCT_SHARE, _ID_CODE_SHARE = 10, 0.95, 0.9


class IdentifiedDataError(WizardError):
    """The data looks identified, and the curator has not confirmed it is de-identified."""


# -- the decision ---------------------------------------------------------------------
def looks_identified(findings: Iterable[Finding]) -> bool:
    """Whether ``findings`` (of this module, possibly mixed with others) show identified data:
    any guard finding of severity ``"error"``."""
    return any(f.severity == "error" and f.code in GUARD_CODES for f in findings)


def require_deidentified(findings: Sequence[Finding], what: str, *, confirmed: bool = False) -> None:
    """Raise :class:`IdentifiedDataError` when ``findings`` look identified, unless ``confirmed``.

    ``what`` names the data in the message (e.g. ``"the DICOM headers under scans/"``).
    The message lists the findings (code, column, records, example row), never a value, and
    says to pass ``--i-confirm-deidentified`` if the curator is sure.
    """
    if confirmed or not looks_identified(findings):
        return
    errors = [f for f in findings if f.severity == "error" and f.code in GUARD_CODES]
    shown = "; ".join(f.message for f in errors[:4])
    more = f"; and {len(errors) - 4} more finding(s)" if len(errors) > 4 else ""
    raise IdentifiedDataError(
        f"{what}: the data looks identified: {shown}{more}. The tool works only on de-identified data: "
        f"mark direct identifiers `role: identifier` (they are removed from every output), and "
        f"de-identify DICOM files with the EUCAIM anonymiser first. If you are sure the data is "
        f"de-identified, run again with --i-confirm-deidentified.", errors)


def acknowledged(findings: Iterable[Finding]) -> list[Finding]:
    """``findings`` with the guard's errors turned into warnings that say the curator confirmed
    the data is de-identified (for a run with ``--i-confirm-deidentified``)."""
    return [dataclasses.replace(f, severity="warning",
                                message=f"{f.message} (the curator confirmed the data is de-identified)")
            if f.severity == "error" and f.code in GUARD_CODES else f for f in findings]


# -- tables -----------------------------------------------------------------------------
#: findings that say a column's values identify someone (not a date's day, not a marker):
#: no other finding, comment or report quotes the values of such a column
IDENTIFYING_CODES = GUARD_CODES - {"identity-not-removed", "day-not-01", "day-level", "free-text", "burned-in-annotation"}


def flagged_columns(findings: Iterable[Finding], table: Table) -> set[str]:
    """The columns of ``table`` whose values the guard's ``findings`` say identify someone
    (e-mail addresses, names, phone numbers, record numbers, ...), confirmed by the curator
    or not: no finding, comment, analysis or report quotes their values, and ``init``
    proposes them as identifiers."""
    columns = set(table.columns)
    return {f.where for f in findings if f.code in IDENTIFYING_CODES and f.where in columns}


def check_table(table: Table, project: Project | None = None, *, identifiers: Iterable[str] | None = None,
                profile: str | None = "eucaim") -> list[Finding]:
    """Every guard finding about ``table``: :func:`table_signs` + :func:`unmarked_identifiers`.

    Parameters
    ----------
    table : Table
    project : Project, optional
        Its columns of role identifier are the marked ones (their values are expected to be
        identifiers; only the de-identification signs are checked in them).
    identifiers : iterable of str, optional
        The marked columns, when there is no project (default: none is marked).
    profile : "eucaim" or None
        Under ``"eucaim"``, a date whose day is not ``01`` is a sign of identified data,
        except in the project's quasi-identifiers and identifiers (they are generalized or
        removed: a clinical table's exact dates are what its date hierarchy is for).
    """
    if identifiers is None:
        identifiers = project.identifiers if project is not None else ()
    handled = set(project.quasi_identifiers) | set(project.identifiers) if project is not None else set()
    return table_signs(table, profile=profile, handled=handled) + unmarked_identifiers(table, identifiers)


def table_signs(table: Table, *, profile: str | None = "eucaim", handled: Iterable[str] = ()) -> list[Finding]:
    """Signs that ``table`` was not de-identified, whatever the roles of its columns.

    ``handled`` columns (generalized or removed by the project) are exempt from the
    day-of-month check.
    """
    handled = set(handled)
    findings = []
    for name in table.columns:
        column = _Column(table, name)
        if name == "PatientIdentityRemoved":  # an empty marker is a missing one
            findings += column.finding(~column._search(r"^\s*(?i:yes)\s*$"), "error",
                                       "identity-not-removed", "is not YES")
            continue
        if column.filled == 0:
            continue
        if name in _PATIENT_NAMES:  # pseudonyms are most values: leave them out with RE2 first
            pseudonymous = column._search(r"(?i)(\^anonymous\s*$|^\s*eucaim-)")
            findings += column.finding(column.where(_real_name, among=~pseudonymous), "error", "real-person-name",
                                       "holds real-looking names (not pseudonyms)")
        elif name in _EMPTIED:
            findings += column.finding(column.where(_filled), "error", "filled-identifying-field",
                                       "is filled (the EUCAIM profile empties it)")
        findings += column.finding(column.matches(_VENDOR_UID), "error", "vendor-uid",
                                   "holds UIDs under a vendor's root (GE, Siemens or Philips), not "
                                   "re-hashed by a de-identifier")
        # (in identifier columns too: a national identity number means no pseudonym was made)
        findings += column.finding(column.where(lambda v: national_id(v) is not None,
                                                among=column.matches(NATIONAL_ID)), "error", "national-id",
                                   "holds national identity numbers (Spanish DNI/NIE with a valid check letter, "
                                   "Italian codice fiscale)")
        if profile == "eucaim" and name not in handled and (_vr(name) in ("DA", "DT") or column.all_dates()):
            findings += column.finding(column.day_not_01(), "error", "day-not-01",
                                       "holds dates with a day other than 01 (the EUCAIM profile "
                                       "keeps year and month)")
    return findings


_DAY_KEPT = re.compile(r"^(1[89]|20)[0-9]{2}(0[1-9]|1[0-2])(0[2-9]|[12][0-9]|3[01])([0-9]{2}.*)?$"
                       r"|^(1[89]|20)[0-9]{2}-(0[1-9]|1[0-2])-(0[2-9]|[12][0-9]|3[01])([^0-9].*)?$")


def unmarked_identifiers(table: Table, identifiers: Iterable[str] = ()) -> list[Finding]:
    """Direct identifiers in the columns of ``table`` not listed in ``identifiers``."""
    marked = set(identifiers)
    findings = []
    for name in table.columns:
        if name in marked:
            continue
        column = _Column(table, name)
        if column.filled == 0:
            continue
        if name in DIRECT_IDENTIFIERS or identifier_name(name):
            findings += column.finding(column.nonempty, "error", "identifier-column",
                                       "is named like a direct identifier but not marked `role: "
                                       "identifier`")
            continue
        findings += column.finding(column.matches(_EMAIL), "error", "email-address",
                                   "holds e-mail addresses")
        phone = column.matches(_PHONE)
        phone &= column.where(lambda v: not _DATE_LIKE.fullmatch(v.strip())
                              and 8 <= sum(c.isdigit() for c in v) <= 15, among=phone)
        findings += column.finding(phone, "error", "phone-number", "holds phone numbers")
        name_like = column.matches(_CARET_NAME)
        findings += column.finding(column.where(_real_name, among=name_like), "error", "person-name",
                                   "holds person names (Family^Given)")
        uid = column.matches(_UID) & column._search(r"^.{10,}$")
        findings += column.finding(uid, "error", "dicom-uid",
                                   "holds DICOM UIDs, which single out a study, series or image")
        if _vr(name) not in _NUMERIC_VRS and not uid.any() and column.id_like():
            findings += column.finding(column.nonempty, "error", "record-id",
                                       "holds a distinct code in almost every record, like a "
                                       "patient or record identifier")
        if name in FREE_TEXT or _private_tag(name):
            findings += column.finding(column.where(name_in_text, among=column.matches(NAME_IN_TEXT)), "error",
                                       "name-in-text", "holds what looks like a person's name in free text (a "
                                       "title and a name, or Family^Given)")
        if name in FREE_TEXT:
            findings += column.finding(column.nonempty, "warning", "free-text",
                                       "is free text that may name a person or a place; review it, "
                                       "or mark it `role: identifier` to drop it")
        if name == "InstitutionName":  # the EUCAIM anonymiser writes a hashed site id
            findings += column.finding(column.matches(INSTITUTION_NAME), "error", "institution-name",
                                       "holds institution names, not the hashed site identifier of the EUCAIM "
                                       "profile")
    return findings


#: up to this many distinct values a column is searched with Python's re, beyond with RE2
_PYTHON_REGEX_VALUES = 20_000

_NUMERIC_VRS = ("DA", "DT", "TM", "AS", "DS", "IS", "FL", "FD", "US", "SS", "UL", "SL", "UV", "SV")


def _vr(name: str) -> str:
    """The VR of DICOM keyword ``name`` ("" for any other column name)."""
    if not re.fullmatch(r"[A-Z][A-Za-z0-9]*", name):  # not a keyword: no need to load pydicom's dictionary
        return ""
    from pydicom.datadict import dictionary_VR, tag_for_keyword

    tag = tag_for_keyword(name)
    return dictionary_VR(tag) if tag is not None else ""


class _Column:
    """One column seen through its distinct values: each check runs once per distinct value."""

    def __init__(self, table: Table, name: str):
        self.name = name
        self.codes = table.codes(name)
        self.values = table.categories(name)
        self._arrow = None  # the values as a pyarrow array, made only for many distinct values
        self.counts = np.bincount(self.codes, minlength=len(self.values))
        self.used = self.counts > 0
        self.nonempty = self._search(r"\S") & self.used
        self.filled = int(self.counts[self.nonempty].sum())

    def _search(self, pattern: str) -> np.ndarray:
        if not len(self.values):
            return np.zeros(0, dtype=bool)
        if len(self.values) <= _PYTHON_REGEX_VALUES:
            # few distinct values: Python's re (the patterns are also valid RE2); creating
            # pyarrow arrays would import pandas, 0.2 s of every short run
            search = re.compile(pattern).search
            return np.fromiter((search(v) is not None for v in self.values), dtype=bool, count=len(self.values))
        import pyarrow as pa
        import pyarrow.compute as pc

        if self._arrow is None:
            self._arrow = pa.array(self.values, type=pa.string())
        return pc.match_substring_regex(self._arrow, pattern).to_numpy(zero_copy_only=False).astype(bool)

    def matches(self, pattern: str) -> np.ndarray:
        """Per distinct value: filled, and ``pattern`` (RE2) found in it (anchor it for a full match)."""
        return self._search(pattern) & self.nonempty

    def where(self, test, among: np.ndarray | None = None) -> np.ndarray:
        """Per distinct value: ``test(value)``, evaluated only on ``among`` (default: the filled)."""
        among = self.nonempty if among is None else among & self.nonempty
        out = np.zeros(len(self.values), dtype=bool)
        for i in np.flatnonzero(among):
            out[i] = bool(test(self.values[i]))
        return out

    def all_dates(self) -> bool:
        """Every filled value a YYYYMMDD or YYYY-MM-DD date (a date column of any name)."""
        dated = self.matches(r"^(1[89]|20)[0-9]{2}-?(0[1-9]|1[0-2])-?(0[1-9]|[12][0-9]|3[01])$")
        return self.filled > 0 and bool(dated[self.nonempty].all())

    def day_not_01(self) -> np.ndarray:
        """Dates (YYYYMMDD, YYYY-MM-DD, or a DT starting so) whose day is not 01 (a valid
        month and day: a range of years such as ``2020-2024`` is no date)."""
        return self.matches(_DAY_KEPT.pattern)

    def id_like(self) -> bool:
        """Nearly every record a distinct value, and nearly every value a code with a digit
        (``P000123``, ``MRN-55012``, ``EUCAIM-3fa9...``; not a measurement, a small number,
        a date or a time of day)."""
        distinct = int(self.nonempty.sum())
        if self.filled < _ID_MIN_VALUES or distinct < _ID_DISTINCT_SHARE * self.filled:
            return False
        code = self.matches(_CODE) & self._search(r"[0-9]")
        code &= ~self._search(r"^-?[0-9]{1,5}$") & ~self._search(r"^[-+]?[0-9]*\.[0-9]+$")
        code &= ~self.where(lambda v: bool(_DATE_LIKE.fullmatch(v) or _TIME_LIKE.fullmatch(v)), among=code)
        return code.sum() >= _ID_CODE_SHARE * distinct

    def finding(self, bad: np.ndarray, severity: str, code: str, what: str) -> list[Finding]:
        """One finding if a value marked in ``bad`` occurs: its records and first row (from 1)."""
        bad = bad & self.used
        if not bad.any():
            return []
        rows = bad[self.codes]
        first = int(np.argmax(rows)) + 1
        records = int(rows.sum())
        return [Finding(severity, code, f"column {self.name} {what}: {records:,} record(s), e.g. row "
                        f"{first}", where=self.name, records=records)]


# -- DICOM headers ----------------------------------------------------------------------
_PRIVATE_TAG = re.compile(r"^\(?([0-9A-Fa-f]{4})[,_ ]?([0-9A-Fa-f]{4})\)?$")


def _private_tag(name: str) -> bool:
    """Whether a column is named like a private DICOM tag, ``(0009,1010)`` (odd group)."""
    match = _PRIVATE_TAG.match(name)
    return bool(match) and int(match.group(1), 16) % 2 == 1


def header_signs(dataset: Any, *, profile: str | None = "eucaim") -> list[tuple[str, str]]:
    """Signs that one DICOM header (a pydicom ``Dataset``) is not de-identified.

    Returns ``(code, keyword)`` pairs, e.g. ``("identity-not-removed",
    "PatientIdentityRemoved")``; cheap enough to run on every file of a tree.
    """
    signs = []
    removed = _text(dataset, "PatientIdentityRemoved")
    if removed.strip().upper() != "YES":
        signs.append(("identity-not-removed", "PatientIdentityRemoved"))
    for keyword in _PATIENT_NAMES:
        if _real_name(_text(dataset, keyword)):
            signs.append(("real-person-name", keyword))
    for keyword in _EMPTIED:
        if _filled(_text(dataset, keyword)):
            signs.append(("filled-identifying-field", keyword))
    meta = getattr(dataset, "file_meta", None)
    uids = [(k, _text(dataset, k)) for k in _UIDS]
    if meta is not None:
        uids.append(("MediaStorageSOPInstanceUID", _text(meta, "MediaStorageSOPInstanceUID")))
    for keyword, uid in uids:
        if any(uid.startswith(root) for root in VENDOR_UID_ROOTS):
            signs.append(("vendor-uid", keyword))
    signs += _text_signs(dataset)
    if _text(dataset, "BurnedInAnnotation").strip().upper() == "YES":
        signs.append(("burned-in-annotation", "BurnedInAnnotation"))
    if profile == "eucaim":
        for keyword in _PROFILE_DATES:
            date = _text(dataset, keyword).strip().replace(".", "")
            if len(date) >= 8 and date[:8].isdigit() and date[6:8] != "01":
                signs.append(("day-not-01", keyword))
    return signs


_TEXT_VRS = ("PN", "LO", "SH", "LT", "ST", "UT", "UC")


def _text_signs(dataset: Any) -> list[tuple[str, str]]:
    """National identity numbers in the patient's identifiers, names in free text and in
    private text elements, a real institution name (see :mod:`.identifying_text`)."""
    signs = []
    for keyword in ("PatientID", "OtherPatientIDs"):
        if any(national_id(part) for part in _text(dataset, keyword).split("\\") if part):
            signs.append(("national-id", keyword))
    for keyword in (*FREE_TEXT, "OtherPatientIDs"):
        text = _text(dataset, keyword)
        if name_in_text(text) or (keyword == "OtherPatientIDs" and any(_real_name(p) for p in text.split("\\"))):
            signs.append(("name-in-text", keyword))
    if re.search(r"[^\W\d_]{2,}[ .'-]+[^\W\d_]{2,}", _text(dataset, "InstitutionName")):
        signs.append(("institution-name", "InstitutionName"))
    for tag in [t for t in dataset.keys() if t.is_private]:  # (keys: no element is decoded to find them)
        element = dataset[tag]
        if element.VR in _TEXT_VRS and element.value not in (None, ""):
            value = "\\".join(map(str, element.value)) if element.VM > 1 else str(element.value)
            if name_in_text(value) or (element.VR == "PN" and _real_name(value)):
                signs.append(("name-in-private-tag", f"({element.tag.group:04X},{element.tag.element:04X})"))
    return signs


def _text(dataset: Any, keyword: str) -> str:
    """The value of element ``keyword`` as text ("" when absent); looked up by tag number, which
    is several times faster in pydicom than by keyword."""
    element = dataset.get(_tag(keyword))
    value = None if element is None else element.value
    if value is None:
        return ""
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        return "\\".join(str(v) for v in value)
    return str(value)


@functools.lru_cache(maxsize=None)
def _tag(keyword: str) -> int:
    from pydicom.datadict import tag_for_keyword

    return tag_for_keyword(keyword)


_HEADER_WORDS = {
    "identity-not-removed": "is missing or not YES",
    "real-person-name": "holds a real-looking name (not a pseudonym)",
    "filled-identifying-field": "is filled (the EUCAIM profile empties it)",
    "vendor-uid": "is a UID under a vendor's root (GE, Siemens or Philips), not re-hashed",
    "day-not-01": "has a day other than 01 (the EUCAIM profile keeps year and month)",
    "national-id": "holds a national identity number (not a pseudonym)",
    "name-in-text": "holds what looks like a person's name in free text",
    "institution-name": "holds an institution's name (the EUCAIM profile writes a hashed site id)",
    "name-in-private-tag": "(a private tag) holds what looks like a person's name",
    "burned-in-annotation": "is YES (names or dates may be burned into the pixels: the table holds none, but "
                            "the images must not be released before their pixels are checked and masked)",
}


class HeaderChecks:
    """Collects :func:`header_signs` over many files into one finding per (code, keyword).

    Examples
    --------
    >>> checks = HeaderChecks()
    >>> checks.add([("identity-not-removed", "PatientIdentityRemoved")], row=1, path="a/1.dcm")
    >>> checks.add([], row=2, path="b/1.dcm")
    >>> [(f.code, f.where, f.records) for f in checks.findings()]
    [('identity-not-removed', 'PatientIdentityRemoved', 1)]
    """

    def __init__(self) -> None:
        self.files = 0
        self._seen: dict[tuple[str, str], list] = {}  # (code, keyword) -> [files, row, path]

    def add(self, signs: Iterable[tuple[str, str]], *, row: int, path: str) -> None:
        """Count the signs of one file; ``row`` is its row in the output, ``path`` its name."""
        self.files += 1
        for sign in signs:
            seen = self._seen.get(sign)
            if seen is None:
                self._seen[sign] = [1, row, path]
            else:
                seen[0] += 1

    def findings(self) -> list[Finding]:
        """One error (a warning for :data:`_HEADER_WARNINGS`) per (code, keyword): how many
        files, and the first one (row and path)."""
        return [Finding("warning" if code in _HEADER_WARNINGS else "error", code,
                        f"{keyword} {_HEADER_WORDS[code]} in {files:,} of {self.files:,} "
                        f"file(s), e.g. row {row} ({path})", where=keyword, records=files)
                for (code, keyword), (files, row, path) in self._seen.items()]


def check_datasets(datasets: Iterable[Any], *, profile: str | None = "eucaim") -> list[Finding]:
    """Guard findings for DICOM headers in memory (row *i* is the *i*-th dataset, from 1)."""
    checks = HeaderChecks()
    for row, dataset in enumerate(datasets, 1):
        checks.add(header_signs(dataset, profile=profile), row=row,
                   path=str(getattr(dataset, "filename", None) or f"dataset {row}"))
    return checks.findings()
