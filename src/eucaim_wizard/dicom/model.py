"""What an extraction is made of: the tags read by default, the levels, and the extraction's
result (rows, skipped files, conflicts, the guard's findings)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import guard
from ..errors import Finding, WizardError
from ..tables import Table


#: the table the EUCAIM ETL expects from DICOM, one row per series
ETL_COLUMNS = ("PatientID", "StudyInstanceUID", "SeriesInstanceUID", "SeriesNumber", "StudyDescription",
               "AcquisitionDate", "Modality", "BodyPartExamined", "Manufacturer", "ManufacturerModelName",
               "KVP", "XRayTubeCurrent", "Exposure", "ExposureTime", "FilterType", "ConvolutionKernel",
               "SliceThickness", "PixelSpacing", "Rows", "Columns")
#: the DICOM quasi-identifiers (PS3.15 Annex E, as listed for EUCAIM)
QUASI_IDENTIFIERS = ("PatientSex", "PatientAge", "PatientSize", "PatientWeight", "PatientBodyMassIndex",
                     "EthnicGroup", "Occupation", "SmokingStatus", "PregnancyStatus", "Allergies",
                     "PatientBirthDate", "StudyDate", "SeriesDate", "AcquisitionDate", "ContentDate",
                     "StudyTime", "SeriesTime", "AcquisitionTime", "ContentTime", "InstitutionName",
                     "Manufacturer", "ManufacturerModelName", "SoftwareVersions", "MagneticFieldStrength",
                     "SliceThickness", "BodyPartExamined", "Modality")
#: the de-identification markers
MARKERS = ("PatientIdentityRemoved", "DeidentificationMethod")
DEFAULT_TAGS = tuple(dict.fromkeys(ETL_COLUMNS + QUASI_IDENTIFIERS + MARKERS))
#: left out of the default columns at study level, where they would name one series of many
SERIES_ONLY = ("SeriesInstanceUID", "SeriesNumber", "SeriesDate", "SeriesTime")
LEVELS = {"series": "SeriesInstanceUID", "study": "StudyInstanceUID"}
_BINARY_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}
_BATCH = 32  # files per task sent to a worker process
_PARALLEL_FROM = 256  # files; below this, starting processes costs more than it saves

Progress = Callable[[int, int], None]


class DicomError(WizardError):
    """A DICOM folder cannot be extracted as asked."""


@dataclass(frozen=True)
class SkippedFile:
    """A file that could not be used, and why (path relative to the extracted folder)."""

    path: str
    reason: str


@dataclass(frozen=True)
class Conflict:
    """Rows whose files disagree on ``keyword``; the first file's value was kept."""

    keyword: str
    rows: int
    example_row: int


@dataclass
class Extraction:
    """What :func:`extract` found: the table, the counts, the skipped files and the findings."""

    table: Table
    root: Path
    level: str
    tags: list[str]
    files_seen: int = 0
    files_read: int = 0
    non_dicom: int = 0
    non_dicom_examples: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def looks_identified(self) -> bool:
        return guard.looks_identified(self.findings)

    def to_dict(self) -> dict:
        """The side report: counts, skipped files (path + reason), conflicts, guard findings."""
        return {
            "source": str(self.root), "level": self.level, "columns": self.tags,
            "rows": self.table.n_rows, "files_seen": self.files_seen, "files_read": self.files_read,
            "non_dicom_files": self.non_dicom, "non_dicom_examples": self.non_dicom_examples,
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "conflicts": [{"keyword": c.keyword, "rows": c.rows, "example_row": c.example_row,
                           "rule": "the value of the first file (in path order) that has one is kept"}
                          for c in self.conflicts],
            "looks_identified": self.looks_identified,
            "findings": [f.to_dict() for f in self.findings],
            "seconds": round(self.seconds, 3),
        }


def resolve_tags(tags: Sequence[str] | None, level: str = "series") -> list[str]:
    """The columns to extract: ``tags`` checked against pydicom's dictionary, or the defaults.

    ``None`` gives :data:`DEFAULT_TAGS` (at study level without :data:`SERIES_ONLY`); a list
    whose every item starts with ``+`` adds those keywords to the defaults.

    Raises
    ------
    DicomError
        For an unknown keyword (with the nearest known one), a sequence or a binary element.
    """
    from pydicom.datadict import dictionary_VR, keyword_dict, tag_for_keyword

    if level not in LEVELS:
        raise DicomError(f"Unknown level {level!r}: use 'series' (one row per series) or 'study'.")
    defaults = [t for t in DEFAULT_TAGS if level == "series" or t not in SERIES_ONLY]
    if tags is None:
        return defaults
    names = [t.strip() for t in tags if t.strip()]
    if not names:
        raise DicomError("No DICOM keyword given: name at least one, e.g. --tags Modality,PatientAge.")
    added = [n.startswith("+") for n in names]
    if any(added) and not all(added):
        raise DicomError("Either list the keywords to extract (Modality,PatientAge) or add to the "
                         "default set with a + before every one (+SeriesDescription,+ImageType), not both.")
    names = [n.lstrip("+") for n in names]
    for name in names:
        tag = tag_for_keyword(name)
        if tag is None:
            import difflib

            near = difflib.get_close_matches(name, keyword_dict, n=1)
            hint = f" Did you mean {near[0]}?" if near else ""
            raise DicomError(f"{name!r} is not a DICOM keyword (names are case-sensitive, as in "
                             f"PatientAge or SliceThickness).{hint}")
        vr = dictionary_VR(tag)
        if vr == "SQ":
            raise DicomError(f"{name} is a sequence; sequences are not extracted. Name the "
                             f"attributes you need that are not inside a sequence.")
        if set(vr.split(" or ")) & _BINARY_VRS:
            raise DicomError(f"{name} holds binary data (VR {vr}), which a table cannot show; "
                             f"leave it out of --tags.")
    return list(dict.fromkeys(defaults + names if all(added) else names))
