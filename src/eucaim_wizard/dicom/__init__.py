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

from .extraction import extract, walk
from .job import ExtractionOutcome, default_report_path, extract_to_file
from .model import (DEFAULT_TAGS, ETL_COLUMNS, LEVELS, MARKERS, QUASI_IDENTIFIERS, SERIES_ONLY, Conflict,
                    DicomError, Extraction, SkippedFile, resolve_tags)
from .reading import value_text

__all__ = ["DEFAULT_TAGS", "Conflict", "DicomError", "Extraction", "ExtractionOutcome",
           "SkippedFile", "extract", "extract_to_file", "resolve_tags", "value_text"]
