"""Generalization hierarchies: the ARX hierarchy CSV format, builders fitted to a column's
values, and the EUCAIM preset library.

* :mod:`.hierarchy` — :class:`~.hierarchy.Hierarchy` (read, check, write ARX CSV files), over
  :mod:`.csv_parsing` (the text of a hierarchy CSV: delimiter, header, records).
* :mod:`.builders` — :class:`~.builders.BuilderSpec` and :func:`~.builders.build`: intervals,
  dates and times, DICOM ages, masking, ordered and mapped values, field strengths, ICD-O-3.
* :mod:`.presets` — the preset library (``hierarchy: preset:NAME``), whose files ship in
  :file:`library/` (the repository's ``hierarchies/`` folder in a checkout).
"""

from .builders import BuilderSpec, build
from .hierarchy import Hierarchy, parse_hierarchy_text, read_hierarchy
from .presets import load_library

__all__ = ["BuilderSpec", "Hierarchy", "build", "load_library", "parse_hierarchy_text", "read_hierarchy"]
