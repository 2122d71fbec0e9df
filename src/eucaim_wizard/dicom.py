"""Extraction of DICOM attributes from a folder of de-identified files into a table.

:func:`extract` walks a folder tree (any depth; files with or without ``.dcm``), reads each
DICOM file's header only (pydicom, ``stop_before_pixels``) and returns one row per series
(or per study) with one column per DICOM keyword.  Values are written as curators need
them: multi-valued elements joined with ``\\``, DS/IS numbers as plain decimal text
(``5.000000`` → ``5``, never ``0.30000000000000004``), PatientAge kept as DICOM AS
(``045Y``), dates as ``YYYYMMDD``.  Sequences and binary elements are not extracted.

When files of one series (or study) disagree on an attribute, the row takes the value of
the first file, in path order, that has one; files lacking the attribute do not count as
disagreeing, and every disagreement is counted in :attr:`Extraction.conflicts`.

Large trees are read by worker processes, a bounded number of small batches in flight, so
memory grows with the number of rows (series), never with the number of files.  Every
header also goes through the de-identification guard (:mod:`eucaim_wizard.guard`).

References
----------
.. [1] DICOM PS3.5, section 6.2 (value representations: DS, IS, AS, DA) and 6.4 (value
   multiplicity, the ``\\`` delimiter); PS3.10 section 7.1 (the ``DICM`` prefix).
.. [2] EUCAIM ETL: one row per series, columns named by DICOM keyword.
"""

from __future__ import annotations

import os
import sys
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from . import guard
from .errors import Finding, TableError, WizardError
from .tables import Table

__all__ = ["DEFAULT_TAGS", "Conflict", "DicomError", "Extraction", "ExtractionOutcome",
           "SkippedFile", "extract", "extract_to_file", "resolve_tags", "value_text"]

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


# -- reading one file ---------------------------------------------------------------------
def value_text(element) -> str:
    """The text of a pydicom data element, normalised for a table.

    Multi-valued elements are joined with ``\\``; DS and IS are written as plain decimals
    (``"5.000000"`` → ``"5"``, ``"1E+2"`` → ``"100"``); FL/FD as the shortest text that
    reads back as the same number; dates (DA) as ``YYYYMMDD`` (``1997.04.30`` →
    ``19970430``); AS, TM, UIDs and text as written, without padding.  Sequences and binary
    values give ``""``.

    Examples
    --------
    >>> from pydicom.dataelem import DataElement
    >>> value_text(DataElement(0x00180050, "DS", "5.000000"))
    '5'
    >>> value_text(DataElement(0x00280030, "DS", ["0.661468", "0.661468"]))
    '0.661468\\\\0.661468'
    >>> value_text(DataElement(0x00101010, "AS", "045Y"))
    '045Y'
    """
    vr, value = element.VR, element.value
    if value is None or vr == "SQ" or vr in _BINARY_VRS or isinstance(value, (bytes, bytearray)):
        return ""
    if isinstance(value, (list, tuple)) or type(value).__name__ == "MultiValue":
        return "\\".join(_one_value(vr, v) for v in value)
    return _one_value(vr, value)


def _one_value(vr: str, value) -> str:
    if value is None:
        return ""
    if vr in ("DS", "IS"):
        return _plain_number(str(value).strip())
    if vr in ("FL", "FD", "OF", "OD"):
        return _float_text(float(value), single=vr == "FL")
    if vr == "DA":
        text = str(value).strip()
        return text.replace(".", "") if len(text) == 10 and text[4] == text[7] == "." else text
    if vr in ("LT", "ST", "UT", "UC"):  # leading spaces are significant in these
        return str(value).rstrip(" \x00")
    return str(value).strip(" \x00")


def _plain_number(text: str) -> str:
    """A decimal string without exponent, trailing zeros or float noise ('' stays '')."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return text  # invalid in the file: kept as written, for the curator to see
    if not number.is_finite():
        return text
    if number == 0:
        return "0"
    return format(number.normalize(), "f")


def _float_text(value: float, *, single: bool) -> str:
    """The shortest decimal that reads back as ``value`` (as a 32-bit float if ``single``)."""
    import struct

    if value != value or value in (float("inf"), float("-inf")):
        return str(value)
    if not single:
        return _plain_number(repr(value))
    for digits in range(1, 10):
        text = f"{value:.{digits}g}"
        if struct.unpack("<f", struct.pack("<f", float(text)))[0] == value:
            return _plain_number(text)
    return _plain_number(repr(value))


def _sniff(path: str) -> str:
    """``"dicom"`` (the ``DICM`` prefix), ``"raw"`` (a dataset without the preamble, starting
    with group 0008) or ``"other"``."""
    with open(path, "rb") as stream:
        head = stream.read(132)
    if len(head) == 132 and head[128:] == b"DICM":
        return "dicom"
    if len(head) >= 8 and head[:2] == b"\x08\x00" and head[3:4] == b"\x00":
        return "raw"
    return "other"


#: the Image Pixel module's description of an image (SamplesPerPixel ... PixelRepresentation)
_IMAGE_PIXEL = (0x00280002, 0x00280004, 0x00280010, 0x00280011, 0x00280100, 0x00280101, 0x00280102, 0x00280103)
_PIXEL_DATA = (0x7FE00010, 0x7FE00008, 0x7FE00009)  # PixelData, FloatPixelData, DoubleFloatPixelData


def _truncation(stream, dataset, size: int) -> str | None:
    """Why a header read with ``stop_before_pixels`` shows a truncated file, or ``None``.

    pydicom stops quietly at the end of a short file, so the checks are ours: an element
    whose value runs past the end, bytes left that cannot hold an element header, pixel data
    longer than what is left, or an image (Rows, ..., or an image SOP class) without pixel data.
    """
    position = stream.tell()
    if position < size:  # stopped before the pixel data: is all of it there?
        head = stream.read(12)
        implicit, little = getattr(dataset, "original_encoding", (False, True))
        order = "big" if little is False else "little"
        if implicit:
            length = int.from_bytes(head[4:8], order) if len(head) >= 8 else None
            start = position + 8
        elif head[4:6] in (b"OB", b"OW", b"OF", b"OD", b"OL", b"OV", b"UN"):
            length = int.from_bytes(head[8:12], order) if len(head) >= 12 else None
            start = position + 12
        else:
            length = int.from_bytes(head[6:8], order) if len(head) >= 8 else None
            start = position + 8
        if length is None:
            return "truncated: the file ends inside the pixel data's element header"
        if length == 0xFFFFFFFF:  # encapsulated: must end with a sequence delimiter
            stream.seek(max(size - 8, 0))
            if stream.read(8) not in (b"\xfe\xff\xdd\xe0\x00\x00\x00\x00", b"\xff\xfe\xe0\xdd\x00\x00\x00\x00"):
                return "truncated: the encapsulated pixel data has no end delimiter"
        elif start + length > size:
            return (f"truncated: the pixel data needs {length:,} bytes, the file holds "
                    f"{max(size - start, 0):,}")
        return None
    last = None
    for last in dataset.elements():
        pass
    end = getattr(last, "value_tell", None)
    if end is not None and last.length != 0xFFFFFFFF:
        end += last.length
        if end > size:
            return f"truncated: element {last.tag} needs {end - size:,} more bytes than the file holds"
        if end < size:
            return "truncated: the file ends inside a data element's header"
    image = any(tag in dataset for tag in _IMAGE_PIXEL) or "Image Storage" in _uid_name(dataset)
    if image and not any(tag in dataset for tag in _PIXEL_DATA):
        return "truncated: the header describes an image but the file ends before its pixel data"
    return None


def _uid_name(dataset) -> str:
    """The name of the file's SOP class (e.g. "CT Image Storage"), or ""."""
    from pydicom.uid import UID

    try:
        uid = dataset.get("SOPClassUID") or getattr(dataset, "file_meta", {}).get("MediaStorageSOPClassUID", "")
        return UID(str(uid)).name
    except Exception:  # noqa: BLE001 - an odd UID is no reason to drop a file
        return ""


def _read_file(path: str, tags: Sequence[int], key: int, profile: str | None):
    """One file → ``(status, reason, key, values, signs)``; status ``ok``, ``other``, ``skipped``."""
    import pydicom
    from pydicom.errors import InvalidDicomError

    try:
        kind = _sniff(path)
        if kind == "other":
            if path.lower().endswith((".dcm", ".dicom")):
                return ("skipped", "not a DICOM file (no 'DICM' prefix at byte 128)"
                        if os.path.getsize(path) else "empty file", None, None, None)
            return ("other", None, None, None, None)
        size = os.path.getsize(path)
        with open(path, "rb") as stream:
            dataset = pydicom.dcmread(stream, stop_before_pixels=True, force=kind == "raw")
            if not len(dataset):
                return ("skipped", "no data elements after the file meta information", None, None, None)
            problem = _truncation(stream, dataset, size)  # first: it needs the elements unconverted
        if problem:
            return ("skipped", problem, None, None, None)
        if _uid_name(dataset) == "Media Storage Directory Storage":  # a DICOMDIR: an index, no image
            return ("other", None, None, None, None)
        group = dataset.get(key)
        group = value_text(group) if group is not None else ""
        if not group:
            return ("skipped", f"no {LEVELS_BY_TAG[key]}: its {_level_word(key)} cannot be told",
                    None, None, None)
        values = tuple(_element_text(dataset, tag) for tag in tags)
        return ("ok", None, group, values, tuple(guard.header_signs(dataset, profile=profile)))
    except InvalidDicomError as error:
        return ("skipped", f"not a readable DICOM file ({error})", None, None, None)
    except PermissionError:
        return ("skipped", "permission denied", None, None, None)
    except Exception as error:  # noqa: BLE001 - any damage in a file is a reason, never a crash
        return ("skipped", f"unreadable (damaged or truncated): {type(error).__name__}: {error}",
                None, None, None)


def _element_text(dataset, tag: int) -> str:
    """The text of one element; a value pydicom cannot convert is kept as written."""
    if tag not in dataset:
        return ""
    try:
        return value_text(dataset[tag])
    except Exception:  # noqa: BLE001 - e.g. DS 'abc': show what the file holds
        raw = dataset.get_item(tag).value
        return raw.decode("latin-1").strip(" \x00") if isinstance(raw, bytes) else ""


LEVELS_BY_TAG = {0x0020000E: "SeriesInstanceUID", 0x0020000D: "StudyInstanceUID"}


def _level_word(key: int) -> str:
    return "series" if key == 0x0020000E else "study"


def _read_batch(paths: Sequence[str], tags: Sequence[int], key: int, profile: str | None) -> list:
    from pydicom import config

    # pydicom warns (and logs) about every odd value; the table shows them as they are
    mode = config.settings.reading_validation_mode
    config.settings.reading_validation_mode = config.IGNORE
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return [_read_file(path, tags, key, profile) for path in paths]
    finally:
        config.settings.reading_validation_mode = mode


# -- walking and merging ------------------------------------------------------------------
def walk(root: Path, errors: list[SkippedFile] | None = None) -> Iterator[Path]:
    """Every regular file under ``root``, in path order (component by component, like
    ``sorted()`` on Paths); symbolic links to folders are not followed.  Folders that cannot
    be listed go to ``errors``."""
    if root.is_file():
        yield root
        return
    stack = [iter(_listing(root, root, errors))]
    while stack:
        entry = next(stack[-1], None)
        if entry is None:
            stack.pop()
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                stack.append(iter(_listing(Path(entry.path), root, errors)))
            elif entry.is_file():
                yield Path(entry.path)
        except OSError:
            continue


def _listing(folder: Path, root: Path, errors: list[SkippedFile] | None) -> list:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda e: e.name)
    except OSError as error:
        if errors is not None:
            errors.append(SkippedFile(_relative(folder, root), f"folder cannot be listed: {error.strerror}"))
        return []


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix() if root.is_dir() else path.name
    except ValueError:
        return str(path)


def _batches(paths: Iterator[Path], size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    for path in paths:
        batch.append(str(path))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _results(batches: Iterator[list[str]], args: tuple, workers: int) -> Iterator[tuple[list[str], list]]:
    """``(paths, results)`` per batch, in order; with ``workers > 1`` read by processes, at most
    ``4 * workers`` batches in flight."""
    if workers <= 1:
        for batch in batches:
            yield batch, _read_batch(batch, *args)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # Linux: fork, so that workers start at once with the modules loaded and a script calling
    # extract() needs no `if __name__ == "__main__"` guard; the pool forks all workers at its first
    # task, before any thread of ours (the progress bar's) exists.  Elsewhere fork is unsafe: spawn.
    method = "fork" if sys.platform.startswith("linux") else "spawn"
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))
    try:
        pending: deque = deque()
        for batch in batches:
            pending.append((batch, pool.submit(_read_batch, batch, *args)))
            if len(pending) >= 4 * workers:
                done, future = pending.popleft()
                yield done, future.result()
        while pending:
            done, future = pending.popleft()
            yield done, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def extract(root: str | os.PathLike, *, level: str = "series", tags: Sequence[str] | None = None,
            workers: int | None = None, progress: Progress | None = None,
            profile: str | None = "eucaim") -> Extraction:
    """Read the DICOM headers under ``root`` into one row per series (or study).

    Parameters
    ----------
    root : path-like
        A folder (walked to any depth) or a single file.
    level : {"series", "study"}
        One row per SeriesInstanceUID (the EUCAIM ETL's table) or per StudyInstanceUID.
    tags : sequence of str, optional
        DICOM keywords, the columns in order (see :func:`resolve_tags`); default
        :data:`DEFAULT_TAGS`.
    workers : int, optional
        Processes reading files; default: one per CPU from 256 files on, else 1.
    progress : callable, optional
        Called as ``progress(files_done, files_total)``.
    profile : "eucaim" or None
        The de-identification profile the guard expects (see :mod:`eucaim_wizard.guard`).

    Returns
    -------
    Extraction
        Non-DICOM files are counted; damaged DICOM files are listed with a reason and never
        stop the run.  Its ``files_read`` is 0 when nothing could be read.

    Raises
    ------
    DicomError
        If ``root`` does not exist, or ``level`` / ``tags`` are invalid.
    """
    start = time.perf_counter()
    root = Path(root)
    if not root.exists():
        raise DicomError(f"{root}: no such folder (relative paths start from {Path.cwd()}); give the "
                         f"folder that holds the DICOM files.")
    columns = resolve_tags(tags, level)
    from pydicom.datadict import tag_for_keyword

    key = tag_for_keyword(LEVELS[level])
    tag_ids = [tag_for_keyword(name) for name in columns]
    total = sum(1 for _ in walk(root))
    if workers is None:
        workers = (os.cpu_count() or 1) if total >= _PARALLEL_FROM else 1
    result = Extraction(Table.from_columns({}), root, level, columns)
    rows: dict[str, int] = {}
    table: list[list[str]] = []
    conflicted: dict[int, set[int]] = {}  # column -> rows whose files disagree
    checks = guard.HeaderChecks()
    done = 0
    batches = _batches(walk(root, result.skipped), _BATCH)
    for paths, outcomes in _results(batches, (tag_ids, key, profile), workers):
        for path, (status, reason, group, values, signs) in zip(paths, outcomes):
            result.files_seen += 1
            if status == "other":
                result.non_dicom += 1
                if len(result.non_dicom_examples) < 5:
                    result.non_dicom_examples.append(_relative(Path(path), root))
                continue
            if status == "skipped":
                result.skipped.append(SkippedFile(_relative(Path(path), root), reason))
                continue
            result.files_read += 1
            row = rows.get(group)
            if row is None:
                row = rows[group] = len(table)
                table.append(list(values))
            else:
                kept = table[row]
                for column, value in enumerate(values):
                    if value and not kept[column]:
                        kept[column] = value
                    elif value and value != kept[column]:
                        conflicted.setdefault(column, set()).add(row)
            checks.add(signs, row=row + 1, path=_relative(Path(path), root))
        done += len(paths)
        if progress is not None:
            progress(done, max(total, done))
    result.table = Table.from_columns({name: [r[i] for r in table] for i, name in enumerate(columns)})
    result.conflicts = [Conflict(columns[c], len(r), min(r) + 1) for c, r in sorted(conflicted.items())]
    result.findings = checks.findings() + guard.unmarked_identifiers(result.table, guard.DIRECT_IDENTIFIERS)
    result.seconds = time.perf_counter() - start
    return result


# -- the job: extract and write -----------------------------------------------------------
@dataclass
class ExtractionOutcome:
    """What :func:`extract_to_file` wrote."""

    extraction: Extraction
    table_path: Path
    report_path: Path


def default_report_path(output: Path) -> Path:
    """``table.csv`` → ``table.report.json`` (beside the table)."""
    return output.with_name(f"{output.stem}.report.json")


def extract_to_file(root: str | os.PathLike, output: str | os.PathLike, *,
                    report: str | os.PathLike | None = None, confirmed: bool = False,
                    level: str = "series", tags: Sequence[str] | None = None, workers: int | None = None,
                    progress: Progress | None = None, profile: str | None = "eucaim") -> ExtractionOutcome:
    """Extract ``root`` into the table ``output`` (CSV/TSV/XLSX/Parquet by suffix) and write
    the side report (JSON) beside it, both atomically.

    The report is written in every case -- also when the run stops -- with the skipped files
    (path + reason), the conflicts and the guard's findings.

    Raises
    ------
    DicomError
        When no DICOM file could be read (the report says why, file by file).
    IdentifiedDataError
        When the headers look identified and ``confirmed`` is false; nothing but the report
        is written.
    TableError
        When an output would replace an input file, or its folder does not exist.
    """
    from .tables.output import write_json
    from .tables import write_table

    root, output = Path(root), Path(output)
    report_path = Path(report) if report is not None else default_report_path(output)
    if report_path.resolve() == output.resolve():
        raise TableError(f"The report and the table are both {output}; give the report another name.")
    for path in (output, report_path):  # (the inputs are the DICOM files under root: checked here)
        _refuse_input(path, root)
        if not path.parent.is_dir():
            raise TableError(f"Cannot write {path}: the folder {path.parent} does not exist.")
    extraction = extract(root, level=level, tags=tags, workers=workers, progress=progress, profile=profile)
    data = extraction.to_dict()
    data["confirmed_deidentified"] = confirmed
    if extraction.files_read == 0:
        data["table"] = None
        write_json(data, report_path, inputs=[])
        if not extraction.files_seen and not extraction.skipped:
            raise DicomError(f"No DICOM file could be read under {root}: it holds no files. Give the "
                             f"folder that holds the DICOM files (any depth is walked).")
        example = (f"; e.g. {extraction.skipped[0].path}: {extraction.skipped[0].reason}"
                   if extraction.skipped else "")
        raise DicomError(
            f"No DICOM file could be read under {root}: {extraction.files_seen:,} file(s) seen, "
            f"{extraction.non_dicom:,} not DICOM, {len(extraction.skipped):,} unreadable{example}. "
            f"Every file's reason is in {report_path}.")
    if not confirmed:
        try:
            guard.require_deidentified(extraction.findings, f"The DICOM headers under {root}")
        except guard.IdentifiedDataError as error:
            data["table"] = None
            write_json(data, report_path, inputs=[])
            raise guard.IdentifiedDataError(f"{error} Every finding is in {report_path}.",
                                            error.findings) from None
    write_table(extraction.table, output)
    data["table"] = str(output)
    write_json(data, report_path, inputs=[])
    return ExtractionOutcome(extraction, output, report_path)


def _refuse_input(path: Path, root: Path) -> None:
    """Refuse an output that is one of the DICOM files being read."""
    if not path.exists():
        return
    inside = path.resolve() == root.resolve() or root.resolve() in path.resolve().parents
    if inside and path.is_file() and _sniff(str(path)) != "other":
        raise TableError(f"Refusing to write {path}: it is one of the DICOM files read from {root}, "
                         f"and the tool never writes over its input. Choose another output file.")
