"""The preset hierarchy library: EUCAIM hierarchies by name (``hierarchy: preset:manufacturer``).

The library is the folder ``hierarchies/`` (at the repository root; inside the installed
package as ``eucaim_wizard/hierarchies/library``): ARX hierarchy CSV files and ``index.yaml``, which
names each preset, the columns it fits, a description of each level and the source of its
grouping.  A preset is either

* **static**: a CSV file (``sex.csv``).  Applied to a column, it keeps the rows of the
  column's values; a value spelled differently (``MALE`` for ``Male``, ``Czech republic``)
  takes the row it matches after :func:`normalize`; a value it does not know goes to the
  branch of its ``Unknown`` row, and is reported; or
* **builder**: a :class:`~eucaim_wizard.hierarchies.builders.BuilderSpec` (``date``, ``age``, ...)
  applied to the column's values.

Example
-------
>>> library = load_library()
>>> result = library.get("sex").apply(["F", "MALE", "x"], column="PatientSex")
>>> [list(row) for row in result.hierarchy.table]
[['F', 'Female', '*'], ['MALE', 'Male', '*'], ['x', 'Other or unknown', '*']]
>>> result.unknown
('x',)
"""

from __future__ import annotations

import functools

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .builders import MISSING, UNKNOWN, BuilderSpec, BuildResult
from ..errors import HierarchyError, ProjectError, WizardError
from .hierarchy import Hierarchy, read_hierarchy

if TYPE_CHECKING:
    from ..project import Project

__all__ = ["PRESET_PREFIX", "Preset", "PresetLibrary", "load_library", "library_folder", "normalize",
           "extend", "hierarchy_for_attribute"]

PRESET_PREFIX = "preset:"
INDEX = "index.yaml"
_SHORT = 3  # values this short (codes such as M, CT, T2, NA) match only exactly


def library_folder() -> Path:
    """The folder of the library: inside the installed package, else the checkout's root."""
    packaged = resources.files("eucaim_wizard.hierarchies") / "library"
    if packaged.is_dir() and (packaged / INDEX).is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "hierarchies"
    if (checkout / INDEX).is_file():
        return checkout
    raise HierarchyError(f"the preset hierarchy library is missing: neither {packaged} nor {checkout} "
                         f"holds {INDEX}; reinstall eucaim-wizard.")


def normalize(value: str) -> str:
    """The key values are matched by: accents, case, punctuation and spaces ignored, ``&`` = and,
    a leading ``the`` dropped (``Côte d'Ivoire`` → ``cote d ivoire``, ``The Netherlands`` →
    ``netherlands``)."""
    text = unicodedata.normalize("NFKD", value)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold().replace("&", " and ")
    text = " ".join(re.sub(r"[^0-9a-z+]+", " ", text).split())
    return text.removeprefix("the ")


def _compact(value: str) -> str:
    """:func:`normalize` without spaces, so that ``C50.1`` matches ``C501``."""
    return normalize(value).replace(" ", "")


@dataclass(frozen=True)
class Preset:
    """One entry of the library (see ``hierarchies/index.yaml``)."""

    name: str
    title: str
    levels: tuple[str, ...]  #: a description of each level, level 0 first
    source: str  #: where the grouping comes from
    kinds: tuple[str, ...] = ()  #: the kinds of column it fits (``date``, ``sex``, ...)
    columns: tuple[str, ...] = ()  #: typical column names (DICOM keywords, clinical names)
    file: Path | None = None  #: the CSV of a static preset (or the export of a builder preset)
    builder: BuilderSpec | None = None
    examples: tuple[str, ...] = ()  #: values to show it on
    fallback: str | None = None  #: a preset whose leaves, as a prefix of a value, give its row
    library: PresetLibrary | None = field(default=None, repr=False, compare=False)

    @property
    def kind(self) -> str:
        """``"static"`` (a CSV file) or ``"builder"`` (built from the column's values)."""
        return "builder" if self.builder is not None else "static"

    @property
    def n_levels(self) -> int:
        return len(self.levels)

    def hierarchy(self) -> Hierarchy:
        """The preset on its own: a static preset's file, or a builder preset's export file.

        Raises
        ------
        HierarchyError
            For a builder preset without a file: it needs the column's values (:meth:`apply`).
        """
        if self.file is None:
            raise HierarchyError(f"preset {self.name!r} is built from the values of a column (builder "
                                 f"{self.builder.builder!r}); give the values, e.g. `eucaim-wizard "
                                 f"hierarchies export {self.name} --data TABLE --column NAME -o FILE`.")
        if self.library is not None:
            return self.library._read(self.file, self.name)
        return read_hierarchy(self.file, name=self.name)

    def apply(self, values: Iterable[str], *, column: str | None = None) -> BuildResult:
        """The preset for the distinct ``values`` of a column: one row per value, unknown values
        in the ``Unknown`` branch (listed in the result), empty ones in ``Missing``."""
        source = f"{PRESET_PREFIX}{self.name}"
        if self.builder is not None:
            result = self.builder.build(values, name=column, source=source)
        else:
            fallback = None
            if self.fallback is not None and self.library is not None:
                fallback = self.library.get(self.fallback).hierarchy()
            result = extend(self.hierarchy(), values, name=column, source=source, fallback=fallback)
        result.hierarchy.notes.extend(result.notes())
        return result


def extend(hierarchy: Hierarchy, values: Iterable[str], *, name: str | None = None,
           source: str | None = None, fallback: Hierarchy | None = None) -> BuildResult:
    """Fit a hierarchy to the distinct ``values`` of a column: one row per value.

    A value takes its own row, else the row whose value it matches after :func:`normalize`,
    spaces ignored (only for values longer than three characters: short codes such as ``M``,
    ``CT``, ``NA`` must match exactly), else —
    with a ``fallback`` hierarchy of the same upper levels — the row of the longest fallback
    value it starts with (``Siemens Somatom X`` → the vendor of ``Siemens``), else the
    ``Unknown`` row (reported); empty values take the ``""`` row.  The rows are copies of
    existing rows, so a tree stays a tree.
    """
    rows = [list(row) for row in hierarchy.table.tolist()]
    width = hierarchy.n_levels
    exact = {row[0]: row[1:] for row in reversed(rows)}
    by_key = {_compact(row[0]): row[1:] for row in reversed(rows) if len(_compact(row[0])) > _SHORT}
    prefixes = []
    if fallback is not None:
        if fallback.n_levels != width:
            raise HierarchyError(f"{source}: the fallback hierarchy has {fallback.n_levels} levels, "
                                 f"not {width}.")
        prefixes = sorted(((normalize(r[0]), r[1:]) for r in fallback.table.tolist() if len(normalize(r[0])) > 1),
                          key=lambda item: -len(item[0]))
    unknown_chain = exact.get(UNKNOWN, [UNKNOWN] * (width - 2) + [hierarchy.table[0, -1]])
    missing_chain = exact.get("", [MISSING] * (width - 2) + [hierarchy.table[0, -1]])
    out, unknown, missing = [], [], False
    for value in dict.fromkeys(v if isinstance(v, str) else str(v) for v in values):
        chain = exact.get(value)
        if not value.strip():
            missing = True
            chain = missing_chain if chain is None else chain
        if chain is None:
            key, compact = normalize(value), _compact(value)
            chain = by_key.get(compact) if len(compact) > _SHORT else None
            if chain is None:
                chain = next((c for p, c in prefixes if key == p or key.startswith(p + " ")), None)
            if chain is None:
                chain = unknown_chain
                unknown.append(value)
        out.append([value, *chain])
    if not out:
        out.append(["", *missing_chain])
    return BuildResult(Hierarchy(out, name=name, source=source or hierarchy.source), tuple(unknown), missing)


class PresetLibrary:
    """The presets of a library folder, by name; files are read once per library object."""

    def __init__(self, folder: str | Path | None = None):
        self.folder = Path(folder) if folder is not None else library_folder()
        path = self.folder / INDEX
        try:
            # the C loader when PyYAML has it: ten times faster, and a project loads the index per preset
            loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
            index = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        except (OSError, yaml.YAMLError) as error:
            raise HierarchyError(f"{path}: cannot read the preset index ({error}); reinstall eucaim-wizard.") from None
        self._presets: dict[str, Preset] = {}
        for name, entry in (index or {}).get("presets", {}).items():
            self._presets[name] = self._entry(name, entry, path)
        self._files: dict[Path, Hierarchy] = {}

    def _entry(self, name: str, entry: dict[str, Any], path: Path) -> Preset:
        try:
            builder = BuilderSpec.parse(entry["builder"]) if "builder" in entry else None
            file = self.folder / entry["file"] if entry.get("file") else None
            if builder is None and file is None:
                raise HierarchyError("it has neither `file` nor `builder`")
            return Preset(name=name, title=entry["title"], levels=tuple(entry["levels"]),
                          source=entry["source"], kinds=tuple(entry.get("kinds", ())),
                          columns=tuple(entry.get("columns", ())), file=file,
                          builder=builder, examples=tuple(str(e) for e in entry.get("examples", ())),
                          fallback=entry.get("fallback"), library=self)
        except (KeyError, TypeError, WizardError) as error:
            raise HierarchyError(f"{path}: the entry of preset {name!r} is invalid ({error}).") from None

    def _read(self, file: Path, name: str) -> Hierarchy:
        if file not in self._files:
            self._files[file] = read_hierarchy(file, name=name, has_header=False)
        return self._files[file]

    def names(self) -> list[str]:
        return list(self._presets)

    def __iter__(self):
        return iter(self._presets.values())

    def __len__(self) -> int:
        return len(self._presets)

    def __contains__(self, name: object) -> bool:
        return name in self._presets

    def get(self, name: str) -> Preset:
        """The preset ``name`` (``preset:`` in front is allowed).

        Raises
        ------
        HierarchyError
            If there is no such preset (the message lists them).
        """
        name = name.removeprefix(PRESET_PREFIX)
        preset = self._presets.get(name)
        if preset is None:
            raise HierarchyError(f"there is no preset {name!r}; the presets are: {', '.join(self._presets)} "
                                 f"(`eucaim-wizard hierarchies list` describes them).")
        return preset


def load_library(folder: str | Path | None = None) -> PresetLibrary:
    """The preset library (the packaged one unless ``folder`` is given).

    The index is parsed once per folder: a project file names presets many times.
    """
    return _library(None if folder is None else Path(folder).resolve())


@functools.lru_cache(maxsize=8)
def _library(folder: Path | None) -> PresetLibrary:
    return PresetLibrary(folder)


# --- project files --------------------------------------------------------------------------
def is_built(hierarchy: object) -> bool:
    """True for a hierarchy given as ``preset:NAME`` or as a builder spec."""
    return isinstance(hierarchy, BuilderSpec) or (isinstance(hierarchy, str) and hierarchy.startswith(PRESET_PREFIX))


def check_preset_name(value: str) -> str:
    """``value`` if it names a preset, else a ValueError for the project file's validator."""
    library = load_library()
    name = value.removeprefix(PRESET_PREFIX)
    if name not in library:
        raise ValueError(f"there is no preset {name!r}; the presets are: {', '.join(library.names())}")
    return value


def hierarchy_for_attribute(project: Project, name: str) -> Hierarchy:
    """The hierarchy of attribute ``name`` given as ``preset:NAME`` or ``{builder: ...}``.

    It is built from the distinct values of the column, so the table is read; all such
    attributes are built in that one reading and kept in the project (again only when the
    data file changes).  What went to the ``Unknown`` branch is in the hierarchy's notes.
    """
    cache = project._hierarchies
    key = _data_key(project)
    cached = cache.get(name)
    if cached is None or cached[0] != (key, repr(project.attributes[name].hierarchy)):
        table = project.load_table()
        library = None
        for attribute_name, attribute in project.attributes.items():
            if not is_built(attribute.hierarchy):
                continue
            entry = (key, repr(attribute.hierarchy))
            if attribute_name in cache and cache[attribute_name][0] == entry:
                continue
            try:
                if attribute_name not in table.columns:
                    raise ProjectError(f"{attribute_name!r} is not a column of the data, so its hierarchy "
                                       f"{attribute.hierarchy} cannot be built; the data has: "
                                       f"{', '.join(table.columns)}.")
                values = table.categories(attribute_name).tolist()
                if isinstance(attribute.hierarchy, BuilderSpec):
                    result = attribute.hierarchy.build(values, name=attribute_name)
                    result.hierarchy.notes.extend(result.notes())
                else:
                    library = library or load_library()
                    result = library.get(attribute.hierarchy).apply(values, column=attribute_name)
                cache[attribute_name] = (entry, result.hierarchy)
            except WizardError as error:
                cache[attribute_name] = (entry, error)
        cached = cache[name]
    if isinstance(cached[1], WizardError):
        raise cached[1]
    return cached[1]


def _data_key(project: Project) -> tuple:
    from ..tables import Table

    if isinstance(project.data, Table):
        return ("table", id(project.data))
    path = project.resolve(project.data)
    try:
        stat = path.stat()
    except OSError:
        return ("missing", str(path))
    return (str(path), stat.st_size, stat.st_mtime_ns)
