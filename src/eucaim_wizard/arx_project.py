"""Open ARX project files (``.deid``) as eucaim-wizard projects, and describe projects for ARX.

An ARX project file is a zip archive written by the ARX GUI [1]_:

==============================  =========================================================
``project.xml``                 project name and CSV syntax (separator, quote)
``metadata.xml``                ARX version
``input/definition.xml``        one ``<assigment>`` per column: attribute type, data type,
                                hierarchy reference, min/max generalization level
``input/config.xml``            suppression limit, metric label, attribute weights and one
                                ``<criterion>`` string per privacy model (``toString()``)
``input/config.dat``            the same configuration as a Java-serialized
                                ``ModelConfiguration``: what ARX itself loads, including the
                                hierarchies, the aggregate function, the search settings
``input/hierarchies/*.csv``     copies of the hierarchies (ARX trims their cells on writing)
``data/input.csv``              the data, with the project separator
``project.dat``, ``lattice.*``  the GUI model and, after a run, ARX's result: every checked
                                transformation with its anonymity and information loss
==============================  =========================================================

The XML parts are read with :mod:`xml.etree`; the ``.dat`` parts with a small reader of the
Java serialization stream format [2]_ that only builds plain Python values (no code runs).
What ARX uses and eucaim-wizard cannot express is listed by :func:`import_arx`, never
dropped silently.

References
----------
.. [1] F. Prasser, F. Kohlmayer, "Putting Statistical Disclosure Control into Practice: The ARX
   Data Anonymization Tool", in *Medical Data Privacy Handbook*, Springer, 2015; ARX source
   ``org.deidentifier.arx.gui.worker.WorkerSave`` / ``WorkerLoad`` (which parts are read).
.. [2] Oracle, *Java Object Serialization Specification*, chapter 6 "Object Serialization
   Stream Protocol".
"""

from __future__ import annotations

import math
import os
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import yaml

from .tables.output import write_text
from .errors import ProjectError, WizardError
from .hierarchy import Hierarchy, parse_hierarchy_text

__all__ = ["ArxAttribute", "ArxNode", "ArxProject", "ArxResult", "ImportNote", "ArxImport", "ArxExport",
           "read_arx_project", "import_arx", "export_arx", "parse_criterion"]


# --- the Java serialization stream (read only) -----------------------------------------
class _JObject:
    """A deserialized Java object: its class name and, per class of its chain, fields and
    the data its ``writeObject`` added (``annotation``)."""

    __slots__ = ("cls", "classdata")

    def __init__(self, cls: str):
        self.cls = cls
        self.classdata: list[tuple[str, dict[str, Any], list[Any]]] = []

    def field(self, name: str, default: Any = None) -> Any:
        for _, fields, _ in reversed(self.classdata):  # the most specific class first
            if name in fields:
                return fields[name]
        return default

    def annotation(self) -> list[Any]:
        return [item for _, _, extra in self.classdata for item in extra]


class _JEnum:
    __slots__ = ("cls", "name")

    def __init__(self, cls: str, name: str):
        self.cls, self.name = cls, name


class _JArray(list):
    pass


class _Block(bytes):
    pass


class _ClassDesc:
    __slots__ = ("name", "flags", "fields", "parent")

    def __init__(self, name: str):
        self.name, self.flags, self.fields, self.parent = name, 0, [], None


_END = object()
_PRIMITIVES = {"B": ">b", "C": ">H", "D": ">d", "F": ">f", "I": ">i", "J": ">q", "S": ">h", "Z": ">?"}


class _JavaStream:
    """A reader of the Java serialization stream protocol (version 5) for plain data."""

    def __init__(self, data: bytes):
        if data[:4] != b"\xac\xed\x00\x05":
            raise ValueError("not a Java serialization stream (it must start with AC ED 00 05)")
        self.data, self.pos, self.handles = data, 4, []

    def read_all(self) -> list[Any]:
        items = []
        while self.pos < len(self.data):
            items.append(self._content())
        return items

    def _unpack(self, fmt: str) -> Any:
        value = struct.unpack_from(fmt, self.data, self.pos)[0]
        self.pos += struct.calcsize(fmt)
        return value

    def _handle(self) -> Any:
        index = self._unpack(">I") - 0x7E0000  # TC_REFERENCE: a back-reference to a handle
        if not 0 <= index < len(self.handles):
            raise ValueError(f"a reference to an unknown object (handle {index}) at byte {self.pos - 4}")
        return self.handles[index]

    def _text(self, length: int) -> str:
        raw = self.data[self.pos:self.pos + length]
        if len(raw) != length:
            raise ValueError("the stream ends inside a string")
        self.pos += length
        # Java's "modified UTF-8": NUL as C0 80, characters outside the BMP as surrogate pairs
        text = raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")

    def _content(self) -> Any:
        code = self.data[self.pos]
        self.pos += 1
        if code == 0x70:  # TC_NULL
            return None
        if code == 0x71:  # TC_REFERENCE
            return self._handle()
        if code == 0x74:  # TC_STRING
            value = self._text(self._unpack(">H"))
            self.handles.append(value)
            return value
        if code == 0x7C:  # TC_LONGSTRING
            value = self._text(self._unpack(">Q"))
            self.handles.append(value)
            return value
        if code in (0x72, 0x7D):  # a class description on its own
            self.pos -= 1
            return self._class_desc()
        if code == 0x73:  # TC_OBJECT
            return self._object()
        if code == 0x75:  # TC_ARRAY
            desc = self._class_desc()
            array = _JArray()
            self.handles.append(array)
            kind = desc.name[1]
            for _ in range(self._unpack(">i")):
                array.append(self._value(kind))
            return array
        if code == 0x7E:  # TC_ENUM
            desc = self._class_desc()
            constant = _JEnum(desc.name, "")
            self.handles.append(constant)
            constant.name = self._content()
            return constant
        if code == 0x76:  # TC_CLASS
            desc = self._class_desc()
            self.handles.append(desc)
            return desc
        if code == 0x77:  # TC_BLOCKDATA
            length = self.data[self.pos]
            self.pos += 1 + length
            return _Block(self.data[self.pos - length:self.pos])
        if code == 0x7A:  # TC_BLOCKDATALONG
            length = self._unpack(">I")
            self.pos += length
            return _Block(self.data[self.pos - length:self.pos])
        if code == 0x78:  # TC_ENDBLOCKDATA
            return _END
        if code == 0x79:  # TC_RESET
            self.handles = []
            return self._content()
        raise ValueError(f"unexpected type code 0x{code:02x} at byte {self.pos - 1}")

    def _object(self) -> _JObject:
        desc = self._class_desc()
        if desc is None:
            raise ValueError("an object without a class")
        obj = _JObject(desc.name)
        self.handles.append(obj)
        chain = []
        while desc is not None:
            chain.append(desc)
            desc = desc.parent
        for desc in reversed(chain):  # superclass data first
            if desc.flags & 0x04:  # Externalizable: only readable when written in block mode
                if not desc.flags & 0x08:
                    raise ValueError(f"{desc.name} is externalized without block data")
                obj.classdata.append((desc.name, {}, self._annotation()))
                continue
            fields = {name: self._value(kind) for kind, name in desc.fields}
            extra = self._annotation() if desc.flags & 0x01 else []
            obj.classdata.append((desc.name, fields, extra))
        return obj

    def _annotation(self) -> list[Any]:
        items = []
        while (item := self._content()) is not _END:
            items.append(item)
        return items

    def _value(self, kind: str) -> Any:
        if kind in "L[":
            return self._content()
        return self._unpack(_PRIMITIVES[kind])

    def _class_desc(self) -> _ClassDesc | None:
        code = self.data[self.pos]
        self.pos += 1
        if code == 0x70:
            return None
        if code == 0x71:
            return self._handle()
        if code == 0x72:  # TC_CLASSDESC
            desc = _ClassDesc(self._text(self._unpack(">H")))
            self.pos += 8  # serialVersionUID
            self.handles.append(desc)
            desc.flags = self.data[self.pos]
            self.pos += 1
            for _ in range(self._unpack(">H")):
                kind = chr(self.data[self.pos])
                self.pos += 1
                name = self._text(self._unpack(">H"))
                if kind in "L[":
                    self._content()  # the field's class name
                desc.fields.append((kind, name))
            self._annotation()
            desc.parent = self._class_desc()
            return desc
        if code == 0x7D:  # TC_PROXYCLASSDESC
            desc = _ClassDesc("proxy")
            self.handles.append(desc)
            for _ in range(self._unpack(">i")):
                self._text(self._unpack(">H"))
            self._annotation()
            desc.parent = self._class_desc()
            return desc
        raise ValueError(f"unexpected type code 0x{code:02x} for a class at byte {self.pos - 1}")


def _java_objects(data: bytes, part: str, source: Path) -> list[Any]:
    try:
        return _JavaStream(data).read_all()
    except (ValueError, IndexError, struct.error, RecursionError, UnicodeDecodeError) as error:
        raise ProjectError(f"{source}: the part {part} cannot be read ({error}); the project file "
                           f"is damaged. Open and save it again in ARX, or re-export it.") from None


def _unbox(value: Any) -> Any:
    """java.lang.Integer/Double/Boolean/Long -> the number; enums -> their name."""
    if isinstance(value, _JObject) and value.cls.startswith("java.lang."):
        return value.field("value")
    if isinstance(value, _JEnum):
        return value.name
    return value


def _java_map(value: Any) -> dict[Any, Any]:
    """A java.util.HashMap/LinkedHashMap/TreeMap as a dict ({} for anything else)."""
    if not isinstance(value, _JObject):
        return {}
    items = [item for item in value.annotation() if not isinstance(item, _Block)]
    return dict(zip(items[0::2], items[1::2]))


def _java_list(value: Any) -> list[Any]:
    """A java.util collection (ArrayList, HashSet, ...) or array as a list."""
    if isinstance(value, _JArray):
        return list(value)
    if isinstance(value, _JObject):
        return [item for item in value.annotation() if not isinstance(item, _Block)]
    return []


def _short(cls: str) -> str:
    return cls.rsplit(".", 1)[-1]


# --- what an ARX project holds ---------------------------------------------------------
_ROLES = {
    "IDENTIFYING_ATTRIBUTE": "identifier",
    "QUASI_IDENTIFYING_ATTRIBUTE": "quasi-identifier",
    "SENSITIVE_ATTRIBUTE": "sensitive",
    "INSENSITIVE_ATTRIBUTE": "insensitive",
}


@dataclass(frozen=True)
class ArxAttribute:
    """One ``<assigment>`` of ``input/definition.xml``."""

    name: str
    type: str  #: ARX's attribute type, e.g. ``QUASI_IDENTIFYING_ATTRIBUTE``
    datatype: str = "String"
    format: str | None = None
    locale: str | None = None
    hierarchy_ref: str | None = None
    min_level: int | None = None  #: ``None``: ARX's "All" (no limit)
    max_level: int | None = None
    microaggregation: str | None = None
    response_variable: bool = False

    @property
    def role(self) -> str | None:
        """The eucaim-wizard role, or ``None`` for a type ARX does not define."""
        return _ROLES.get(self.type)


@dataclass(frozen=True)
class ArxNode:
    """One transformation of ARX's saved lattice (``lattice.xml``)."""

    levels: tuple[int, ...]
    anonymity: str  #: ``ANONYMOUS``, ``NOT_ANONYMOUS``, ``PROBABLY_ANONYMOUS``, ...
    checked: bool
    lowest_loss: float | None  #: for a checked anonymous node: its information loss
    highest_loss: float | None


@dataclass
class ArxResult:
    """ARX's own result of its last run, as saved in the project file (not recomputed)."""

    attributes: list[str]  #: the quasi-identifiers in the order of ARX's level vectors
    order_source: str  #: where that order was read
    optimum: dict[str, int] | None  #: the transformation ARX reported as optimal
    information_loss: float | None  #: its score in ARX's metric
    output: dict[str, int] | None  #: the transformation selected for output (may differ)
    checked: int | None  #: transformations ARX checked
    lattice_size: int | None
    nodes: list[ArxNode] = field(default_factory=list)

    def node(self, levels: dict[str, int]) -> ArxNode | None:
        """ARX's saved node with these levels, if it is in the saved lattice."""
        key = tuple(levels[name] for name in self.attributes)
        return next((node for node in self.nodes if node.levels == key), None)

    def describe(self) -> str:
        if self.optimum is None:
            return "ARX's saved lattice holds no anonymous transformation"
        levels = ", ".join(f"{name}={level}" for name, level in self.optimum.items())
        loss = "" if self.information_loss is None else f", information loss {self.information_loss!r}"
        checked = (f"; ARX checked {self.checked:,} of {self.lattice_size:,} transformations"
                   if self.checked is not None and self.lattice_size is not None else "")
        return f"ARX's optimum: {levels}{loss}{checked}"


@dataclass
class ArxProject:
    """The parts of an ARX project file that describe the anonymization, read as ARX reads them."""

    source: Path
    name: str
    arx_version: str | None
    separator: str
    quote: str
    attributes: list[ArxAttribute]
    criteria: list[str]  #: ``toString()`` of every privacy model, from ``config.xml``
    suppression_limit: float
    metric_label: str
    weights: dict[str, float]
    practical_monotonicity: bool | None
    suppressed_types: list[str]
    hierarchies: dict[str, Hierarchy]  #: what ARX uses (``config.dat``, else the CSV copies)
    hierarchy_source: dict[str, str]
    hierarchy_remarks: dict[str, list[str]]
    csv_hierarchies: dict[str, Hierarchy]  #: the CSV copies in the zip, when present
    serialized: dict[str, Any]  #: facts read from ``config.dat`` / ``project.dat``
    result: ArxResult | None
    data_entry: str = "data/input.csv"

    def attribute(self, name: str) -> ArxAttribute | None:
        return next((a for a in self.attributes if a.name == name), None)


# --- reading the zip --------------------------------------------------------------------
def _xml(archive: zipfile.ZipFile, part: str, source: Path, required: bool = True) -> ElementTree.Element | None:
    try:
        raw = archive.read(part)
    except KeyError:
        if not required:
            return None
        present = ", ".join(sorted(n for n in archive.namelist() if not n.endswith("/"))[:12]) or "nothing"
        raise ProjectError(f"{source}: the ARX project file has no part {part} (it holds: {present}). "
                           f"It is damaged or not an ARX project; open it in ARX and save it again "
                           f"(File > Save project).") from None
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as error:
        raise ProjectError(f"{source}: the part {part} cannot be unpacked ({error}); the project file "
                           f"is damaged. Save it again from ARX.") from None
    try:
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError as error:
        raise ProjectError(f"{source}: the part {part} is not valid XML ({error}); the project file is "
                           f"damaged. Open it in ARX and save it again.") from None


def _text(element: ElementTree.Element | None, tag: str, default: str | None = None, strip: bool = True) -> str | None:
    if element is None:
        return default
    child = element.find(tag)
    if child is None or child.text is None:
        return default
    return child.text.strip() if strip else child.text


def _number(value: str | None, what: str, source: Path, part: str) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ProjectError(f"{source}: {part} gives {what} as {value!r}, which is not a number; the "
                           f"project file is damaged. Open it in ARX and save it again.") from None
    if not math.isfinite(number):
        raise ProjectError(f"{source}: {part} gives {what} as {value!r}; expected a finite number.")
    return number


def _level(value: str | None, attribute: str, key: str, source: Path) -> int | None:
    if value is None or value.strip() in ("", "All"):
        return None
    try:
        level = int(value)
    except ValueError:
        raise ProjectError(f"{source}: input/definition.xml gives the {key} generalization level of "
                           f"{attribute!r} as {value!r}; expected a number or \"All\".") from None
    if level < 0:
        raise ProjectError(f"{source}: input/definition.xml gives the {key} generalization level of "
                           f"{attribute!r} as {level}; levels start at 0.")
    return level


def read_arx_project(path: str | os.PathLike) -> ArxProject:
    """Read an ARX project file (``.deid``) without changing anything.

    Raises
    ------
    ProjectError
        If the file is not a zip, a required part (``project.xml``,
        ``input/definition.xml``, ``input/config.xml``, ``data/input.csv``, a referenced
        hierarchy) is missing or damaged; the message names the part.
    """
    source = Path(path)
    if not source.is_file():
        raise ProjectError(f"{source}: no such file" + (" (it is a folder)" if source.is_dir() else "")
                           + "; give the ARX project file (.deid) saved by ARX.")
    try:
        archive = zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError) as error:
        raise ProjectError(f"{source} is not an ARX project file: ARX project files (.deid) are zip "
                           f"archives, and this one cannot be opened as a zip ({error}). Save the project "
                           f"again from ARX (File > Save project).") from None
    with archive:
        return _read(archive, source)


def _read(archive: zipfile.ZipFile, source: Path) -> ArxProject:
    project_xml = _xml(archive, "project.xml", source)
    definition = _xml(archive, "input/definition.xml", source)
    config = _xml(archive, "input/config.xml", source)
    metadata = _xml(archive, "metadata.xml", source, required=False)
    if "data/input.csv" not in archive.namelist():
        _xml(archive, "data/input.csv", source)  # raises, naming the part
    separator = _text(project_xml, "separator", ";", strip=False) or ";"
    if len(separator) != 1:  # not a single character: let the readers detect it
        separator = separator.strip() if len(separator.strip()) == 1 else ""
    quote = _text(project_xml, "quote", '"', strip=False) or '"'

    attributes = []
    for element in definition.findall("assigment"):
        name = _text(element, "name", strip=False)
        kind = _text(element, "type")
        if not name or not kind:
            raise ProjectError(f"{source}: an <assigment> in input/definition.xml has no <name> or "
                               f"<type>; the project file is damaged.")
        attributes.append(ArxAttribute(
            name=name, type=kind, datatype=_text(element, "datatype", "String") or "String",
            format=_text(element, "format"), locale=_text(element, "locale"),
            hierarchy_ref=_text(element, "ref"),
            min_level=_level(_text(element, "min"), name, "minimum", source),
            max_level=_level(_text(element, "max"), name, "maximum", source),
            microaggregation=_text(element, "microaggregationFunction"),
            response_variable=(_text(element, "responseVariable") or "").lower() == "true"))
    if not attributes:
        raise ProjectError(f"{source}: input/definition.xml lists no attributes; the project file is "
                           f"damaged or was saved before data were imported.")

    limit = _number(_text(config, "relativeMaxOutliers", "0"), "the suppression limit (relativeMaxOutliers)",
                    source, "input/config.xml")
    weights = {}
    for element in config.iter("attributeWeight"):
        attribute = _text(element, "attribute", strip=False)
        if attribute is not None:
            weights[attribute] = _number(_text(element, "weight"), f"the weight of {attribute!r}", source,
                                         "input/config.xml")
    criteria = [c.text.strip() for c in config.iter("criterion") if c.text and c.text.strip()]
    practical = _text(config, "practicalMonotonicity")
    types = [t.text.strip() for t in config.findall("suppressedAttributeTypes/type") if t.text]

    config_dat = _read_dat(archive, "input/config.dat", source)
    model_dat = _read_dat(archive, "project.dat", source)
    configuration = config_dat[0] if config_dat and isinstance(config_dat[0], _JObject) else None
    model = model_dat[0] if model_dat and isinstance(model_dat[0], _JObject) else None

    hierarchies, origin, remarks, copies = _hierarchies(archive, source, attributes, separator, configuration)
    project = ArxProject(
        source=source, name=_text(project_xml, "name", source.stem) or source.stem,
        arx_version=_text(metadata, "version"), separator=separator, quote=quote, attributes=attributes,
        criteria=criteria, suppression_limit=limit, metric_label=_text(config, "metric", "") or "",
        weights=weights, practical_monotonicity=None if practical is None else practical.lower() == "true",
        suppressed_types=types, hierarchies=hierarchies, hierarchy_source=origin, hierarchy_remarks=remarks,
        csv_hierarchies=copies, serialized=_serialized_facts(configuration, model), result=None)
    project.result = _arx_result(archive, source, project)
    project.serialized["stale_result"] = project.result is not None and any(
        _entry(archive, f"input/{part}") != _entry(archive, f"output/{part}")
        for part in ("config.xml", "definition.xml") if _entry(archive, f"output/{part}") is not None)
    return project


def _entry(archive: zipfile.ZipFile, part: str) -> bytes | None:
    try:
        return archive.read(part)
    except KeyError:
        return None
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as error:
        raise ProjectError(f"{archive.filename}: the part {part} cannot be unpacked ({error}); the "
                           f"project file is damaged. Save it again from ARX.") from None


def _read_dat(archive: zipfile.ZipFile, part: str, source: Path) -> list[Any] | None:
    raw = _entry(archive, part)
    return None if raw is None else _java_objects(raw, part, source)


def _hierarchy_rows(value: Any) -> list[list[str]] | None:
    """The String[][] of an ARX ``Hierarchy`` object (ArrayHierarchy or DefaultHierarchy)."""
    table = value.field("hierarchy") if isinstance(value, _JObject) else None
    rows = _java_list(table)
    if not rows or not all(isinstance(row, _JArray) and all(isinstance(c, str) for c in row) for row in rows):
        return None
    return [list(row) for row in rows]


def _hierarchies(archive, source, attributes, separator, configuration):
    """The hierarchy of every attribute that has one, as ARX uses it, and how it was found."""
    stored = {}
    if configuration is not None:
        for name, value in _java_map(configuration.field("hierarchies")).items():
            rows = _hierarchy_rows(value)
            if isinstance(name, str) and rows:
                stored[name] = rows
    hierarchies, origin, remarks, copies = {}, {}, {}, {}
    for attribute in attributes:
        if attribute.hierarchy_ref is None:
            continue
        part = "input/" + attribute.hierarchy_ref
        raw = _entry(archive, part)
        notes: list[str] = []
        copy = None
        if raw is not None:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:  # ARX wrote it in the platform's charset (Windows: CP1252)
                text = raw.decode("cp1252", "replace")
                notes.append(f"{part} is not UTF-8: read as CP1252")
            try:
                copy = parse_hierarchy_text(text.removeprefix("\ufeff"), delimiter=separator or None,
                                            source=part, name=attribute.name)
                copies[attribute.name] = copy
            except WizardError as error:
                if attribute.name not in stored:
                    raise ProjectError(f"{source}: {error}") from None
                notes.append(f"the CSV copy {part} cannot be read ({error})")
        if attribute.name in stored:
            text = Hierarchy(stored[attribute.name]).to_csv_text(";")
            hierarchy = parse_hierarchy_text(text, delimiter=";", source="input/config.dat", name=attribute.name)
            origin[attribute.name] = "input/config.dat"
            if copy is not None and copy != hierarchy:
                notes.append(_difference(copy, hierarchy, part))
        elif copy is not None:
            hierarchy = copy
            origin[attribute.name] = part
        else:
            raise ProjectError(f"{source}: the hierarchy of {attribute.name!r} ({part}, named in "
                               f"input/definition.xml) is missing from the project file, and "
                               f"input/config.dat holds none either; the project file is damaged. "
                               f"Open it in ARX, check the hierarchy and save it again.")
        notes.extend(hierarchy.notes)
        remarks[attribute.name] = notes
        hierarchies[attribute.name] = hierarchy
    return hierarchies, origin, remarks, copies


def _difference(copy: Hierarchy, used: Hierarchy, part: str) -> str:
    if copy.table.shape != used.table.shape:
        return (f"the CSV copy {part} ({copy.n_values} rows x {copy.n_levels} levels) differs from the "
                f"hierarchy ARX uses ({used.n_values} x {used.n_levels}, input/config.dat); the latter is "
                f"imported, as ARX loads it")
    cells = [(a, b) for a, b in zip(copy.table.ravel().tolist(), used.table.ravel().tolist()) if a != b]
    spaces = all(a == b.strip() for a, b in cells)
    shown = ", ".join(f"{b!r} (CSV: {a!r})" for a, b in list(dict.fromkeys(cells))[:4])
    why = (" ARX trims cells when it writes the CSV copy, so labels that differ only by spaces look equal "
           "there." if spaces else "")
    return (f"the CSV copy {part} differs from the hierarchy ARX uses (input/config.dat) in {len(cells)} "
            f"cell(s): {shown}.{why} The hierarchy from input/config.dat is imported, as ARX loads it")


def _serialized_facts(configuration: _JObject | None, model: _JObject | None) -> dict[str, Any]:
    """What only the Java-serialized parts say (``{}`` parts when they are absent)."""
    facts: dict[str, Any] = {"config_dat": configuration is not None, "project_dat": model is not None}
    if configuration is not None:
        arx = configuration.field("config")
        if isinstance(arx, _JObject):
            metric = arx.field("metric")
            if isinstance(metric, _JObject):
                facts["metric_class"] = _short(metric.cls)
                facts["aggregate"] = _unbox(metric.field("function"))
                gs = _unbox(metric.field("gsFactor"))
                facts["gs_factor"] = gs if isinstance(gs, float) else None
            facts["algorithm"] = _unbox(arx.field("algorithm"))
            facts["heuristic"] = bool(_unbox(arx.field("heuristicSearchEnabled")))
            facts["heuristic_limits"] = {key: _unbox(arx.field(key)) for key in (
                "heuristicSearchStepLimit", "heuristicSearchTimeLimit", "heuristicSearchThreshold")}
            facts["criteria_objects"] = [c for c in _java_list(arx.field("criteria")) if isinstance(c, _JObject)]
            costs = arx.field("costBenefitConfiguration")
            if isinstance(costs, _JObject):
                facts["costs"] = {key: _unbox(costs.field(key)) for key in (
                    "publisherBenefit", "publisherLoss", "adversaryCost", "adversaryGain")}
        subset = configuration.field("researchSubset")
        if isinstance(subset, _JObject):
            facts["subset"] = (_unbox(subset.field("size")), _unbox(subset.field("length")))
        facts["modes"] = {k: _unbox(v) for k, v in _java_map(configuration.field("transformationModes")).items()
                          if isinstance(k, str)}
        facts["builders"] = {k: _short(v.cls) for k, v in _java_map(configuration.field("hierarchyBuilders")).items()
                             if isinstance(k, str) and isinstance(v, _JObject)}
        facts["stored_hierarchies"] = sorted(k for k in _java_map(configuration.field("hierarchies"))
                                             if isinstance(k, str))
    if model is not None:
        settings = model.field("anonymizationConfiguration")
        if isinstance(settings, _JObject):
            facts["search_type"] = _unbox(settings.field("searchType"))
            facts["transformation_type"] = _unbox(settings.field("transformationType"))
        facts["functional_hierarchies"] = _unbox(model.field("useFunctionalHierarchies"))
        output = model.field("outputConfig")
        metric = output.field("config").field("metric") if isinstance(output, _JObject) and isinstance(
            output.field("config"), _JObject) else None
        if isinstance(metric, _JObject):
            facts["share_models"] = [_short(s.cls) if isinstance(s, _JObject) else None
                                     for s in _java_list(metric.field("shares"))]
        facts["optimal_node"] = model.field("optimalNodeAsString")
        facts["output_node"] = model.field("outputNodeAsString")
        statistics = model.field("optimizationStatistics")
        if isinstance(statistics, _JObject):
            facts["checked"] = _unbox(statistics.field("transformationsChecked"))
            facts["lattice_size"] = _unbox(statistics.field("transformationsTotal"))
            for step in _java_list(statistics.field("steps")):
                if isinstance(step, _JObject) and _unbox(step.field("optimal")):
                    order = {k: _unbox(v) for k, v in _java_map(step.field("headermap")).items()}
                    facts["step_order"] = [k for k, _ in sorted(order.items(), key=lambda kv: kv[1])]
                    facts["step_levels"] = list(step.field("transformation") or [])
                    score = step.field("score")
                    if isinstance(score, _JObject) and isinstance(score.field("aggregate"), float):
                        facts["step_loss"] = score.field("aggregate")
    return facts


def _vector(text: str | None) -> tuple[int, ...] | None:
    if not text or not re.fullmatch(r"\s*\[\s*\d+(\s*,\s*\d+)*\s*\]\s*", text):
        return None
    return tuple(int(x) for x in text.strip().strip("[]").split(","))


def _loss(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None  # e.g. a score printed by another metric family


def _arx_result(archive, source, project: ArxProject) -> ArxResult | None:
    lattice = _xml(archive, "lattice.xml", source, required=False)
    facts = project.serialized
    if lattice is None and "step_levels" not in facts:
        return None
    nodes = []
    if lattice is not None:
        for element in lattice.iter("n"):  # ARX XML vocabulary 2.0: n/t/a/c/l(f,u)
            levels = _vector(_text(element, "t"))
            if levels is None:
                continue
            nodes.append(ArxNode(levels, _text(element, "a", "UNKNOWN") or "UNKNOWN",
                                 (_text(element, "c") or "").lower() == "true",
                                 _loss(_text(element, "l/f")), _loss(_text(element, "l/u"))))
    # the order of the level vectors: the lattice's own attribute map, else ARX's statistics,
    # else the quasi-identifiers in column order (which is how ARX numbers them)
    order, order_source = None, ""
    raw = _read_dat(archive, "lattice.dat", source)
    if raw and len(raw) > 1:
        mapping = {k: _unbox(v) for k, v in _java_map(raw[1]).items() if isinstance(k, str)}
        if mapping and sorted(mapping.values()) == list(range(len(mapping))):
            order, order_source = [k for k, _ in sorted(mapping.items(), key=lambda kv: kv[1])], "lattice.dat"
    if order is None and facts.get("step_order"):
        order, order_source = facts["step_order"], "project.dat"
    if order is None:
        order = [a.name for a in project.attributes if a.type == "QUASI_IDENTIFYING_ATTRIBUTE"]
        order_source = "the quasi-identifiers in column order (assumed)"
    width = {len(node.levels) for node in nodes}
    if width and width != {len(order)}:
        return None  # a lattice of another configuration: nothing reliable to report

    def named(levels) -> dict[str, int] | None:
        return None if levels is None or len(levels) != len(order) else dict(zip(order, levels))

    optimum = _vector(facts.get("optimal_node")) or (tuple(facts["step_levels"]) if facts.get("step_levels") else None)
    if optimum is None:
        anonymous = [n for n in nodes if n.anonymity == "ANONYMOUS" and n.lowest_loss is not None]
        optimum = min(anonymous, key=lambda n: n.lowest_loss).levels if anonymous else None
    loss = facts.get("step_loss")
    if loss is None and optimum is not None:
        loss = next((n.lowest_loss for n in nodes if n.levels == optimum), None)
    output = _vector(facts.get("output_node"))
    return ArxResult(attributes=list(order), order_source=order_source, optimum=named(optimum),
                     information_loss=loss, output=named(output) if output != optimum else None,
                     checked=facts.get("checked", len(nodes) or None),
                     lattice_size=facts.get("lattice_size") or math.prod(
                         project.hierarchies[a].n_levels for a in order if a in project.hierarchies) or None,
                     nodes=nodes)


# --- converting to a eucaim-wizard project ----------------------------------------------
@dataclass(frozen=True)
class ImportNote:
    """One line of the import report.

    ``kind`` is ``"carried"`` (what became which project key), ``"not-carried"`` (an ARX
    setting eucaim-wizard cannot express, with its value), ``"warning"`` (a defect or a
    difference to ARX's behaviour) or ``"result"`` (ARX's saved result).
    """

    kind: str
    topic: str
    message: str


_NUMBER = r"([0-9.Ee+-]+|NaN|Infinity)"
_FOR = r" for attribute '(.*)'"
_CRITERIA: list[tuple[re.Pattern, Any]] = [
    (re.compile(r"(\d+)-anonymity"), lambda m: ("k-anonymity", {"k": int(m[1])})),
    (re.compile(rf"distinct-{_NUMBER}-diversity{_FOR}"),
     lambda m: ("distinct-l-diversity", {"attribute": m[2], "l": _int(m[1])})),
    (re.compile(rf"(?:(shannon|grassberger)-)?entropy-{_NUMBER}-diversity{_FOR}"),
     lambda m: ("entropy-l-diversity", {"attribute": m[3], "l": _num(m[2]), "estimator": m[1] or "shannon"})),
    (re.compile(rf"recursive-\({_NUMBER},\s*{_NUMBER}\)-diversity{_FOR}"),
     lambda m: ("recursive-cl-diversity", {"attribute": m[3], "c": _num(m[1]), "l": _int(m[2])})),
    (re.compile(rf"{_NUMBER}-closeness with (equal|hierarchical|ordered) (?:ground-)?distance{_FOR}"),
     lambda m: ("t-closeness", {"attribute": m[3], "t": _num(m[1]), "distance": m[2]})),
    (re.compile(rf"{_NUMBER}-disclosure privacy{_FOR}"),
     lambda m: ("delta-disclosure", {"attribute": m[2], "delta": _num(m[1])})),
    (re.compile(rf"(basic|enhanced)-{_NUMBER}-likeness{_FOR}"),
     lambda m: ("beta-likeness", {"attribute": m[3], "beta": _num(m[2]), "variant": m[1]})),
    (re.compile(rf"\({_NUMBER}\)-avg-reidentification-risk"),
     lambda m: ("average-risk", {"threshold": _num(m[1])})),
    (re.compile(rf"\({_NUMBER}\)-sample-uniqueness"),
     lambda m: ("sample-uniqueness", {"threshold": _num(m[1])})),
    (re.compile(r"\((\d+)\)-map estimated as \((\d+)\)-anonymity \((.*)\)"),
     lambda m: ("k-map", {"k": int(m[1]), "estimator": _estimator(m[3])})),
]


def _num(text: str) -> float:
    return float(text)


def _int(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _estimator(label: str) -> str:
    return "zero-truncated-poisson" if "zero" in label.lower() else "poisson"


def parse_criterion(text: str) -> tuple[str, dict[str, Any]] | None:
    """The project-file entry of an ARX privacy model given as its ``toString()``, if supported.

    >>> parse_criterion("27-anonymity")
    ('k-anonymity', {'k': 27})
    >>> parse_criterion("0.2-closeness with hierarchical ground-distance for attribute 'diagnosis'")
    ('t-closeness', {'attribute': 'diagnosis', 't': 0.2, 'distance': 'hierarchical'})
    """
    for pattern, build in _CRITERIA:
        match = pattern.fullmatch(text.strip())
        if match:
            return build(match)
    return None


_METRIC_CLASSES = {  # ARX quality-model class -> (our metric, monotonic variant)
    "MetricMDNMLoss": ("loss", False), "MetricMDNMLossPrecomputed": ("loss", False),
    "MetricMDNMLossPotentiallyPrecomputed": ("loss", False),
    "MetricMDNMPrecision": ("precision", False), "MetricMDPrecision": ("precision", True),
    "MetricMDHeight": ("height", False),
    "MetricSDNMDiscernability": ("discernibility", False), "MetricSDDiscernability": ("discernibility", True),
    "MetricSDAECS": ("aecs", False),
    "MetricMDNUNMEntropy": ("entropy", False), "MetricMDNUNMEntropyPrecomputed": ("entropy", False),
    "MetricMDNUNMEntropyPotentiallyPrecomputed": ("entropy", False),
    "MetricMDNUEntropy": ("entropy", True), "MetricMDNUEntropyPrecomputed": ("entropy", True),
    "MetricMDNUEntropyPotentiallyPrecomputed": ("entropy", True),
}
_AGGREGATES = {"GEOMETRIC_MEAN": "geometric-mean", "ARITHMETIC_MEAN": "arithmetic-mean", "SUM": "sum",
               "MAXIMUM": "maximum"}


def _metric_from_label(label: str) -> tuple[str, bool, float | None] | None:
    """(metric, monotonic, gs-factor) from the ``<metric>`` label of config.xml."""
    text = label.lower()
    loss = re.fullmatch(rf"loss \({_NUMBER}/{_NUMBER}/{_NUMBER}\)", text)
    if loss:
        return "loss", False, float(loss[1])
    monotonic = "non-monotonic" not in text
    for word, name in (("precision", "precision"), ("height", "height"), ("discernab", "discernibility"),
                       ("equivalence class size", "aecs"), ("aecs", "aecs"), ("non-uniform entropy", "entropy")):
        if word in text:
            return name, monotonic and name in ("precision", "discernibility", "entropy"), None
    return None


@dataclass
class _Conversion:
    project: dict[str, Any]
    notes: list[ImportNote]


def _convert(arx: ArxProject, names: dict[str, str], data_file: str, table: Any) -> _Conversion:
    """The project-file mapping for ``arx`` and every note about what was (not) carried over."""
    notes: list[ImportNote] = []
    facts = arx.serialized

    def note(kind: str, topic: str, message: str) -> None:
        notes.append(ImportNote(kind, topic, message))

    # -- attributes: roles, hierarchies, levels, weights
    attributes: dict[str, dict[str, Any]] = {}
    by_role: dict[str, list[str]] = {}
    from .init import suggest_role

    columns = table.columns
    for a in arx.attributes:
        if a.name not in columns:
            note("warning", "attributes", f"{a.name!r} is defined in input/definition.xml but is not a column "
                 f"of data/input.csv; it is left out.")
            continue
        role = a.role
        if role is None:
            note("not-carried", "attributes", f"{a.name!r} has the ARX type {a.type!r}, which eucaim-wizard does "
                 f"not know; it is imported as insensitive.")
            role = "insensitive"
        entry: dict[str, Any] = {"role": role}
        if a.name in names and role in ("quasi-identifier", "sensitive"):
            entry["hierarchy"] = names[a.name]
        if role == "quasi-identifier":
            if a.min_level is not None:
                entry["min_level"] = a.min_level
            if a.max_level is not None:
                entry["max_level"] = a.max_level
            weight = arx.weights.get(a.name, 0.5)
            if not 0.0 <= weight <= 1.0:
                note("not-carried", "weights", f"the weight of {a.name!r} is {weight}, outside 0–1; 0.5 is used.")
                weight = 0.5
            entry["weight"] = weight
        elif a.name in arx.hierarchies and "hierarchy" not in entry:
            note("not-carried", "hierarchies", f"{a.name!r} has a hierarchy in ARX but is {role}: the hierarchy "
                 f"is not used (by ARX either) and is not imported.")
        attributes[a.name] = entry
        by_role.setdefault(role, []).append(a.name)
        if role in ("insensitive", "sensitive"):
            suggested, reason = suggest_role(table, a.name)
            if suggested == "identifier":
                note("warning", "attributes", f"{a.name!r} is {role} in ARX, so it is kept unchanged in every "
                     f"output, but it looks like a direct identifier ({reason.split(';')[0]}); make it "
                     f"`role: identifier` unless it is not one")
    note("carried", "roles", "; ".join(f"{role}: {', '.join(names_)}" for role, names_ in by_role.items()))
    qis = by_role.get("quasi-identifier", [])
    levels = [f"{n} {attributes[n].get('min_level', 0)}–{attributes[n].get('max_level', 'top')}" for n in qis
              if "min_level" in attributes[n] or "max_level" in attributes[n]]
    if levels:
        note("carried", "levels", "generalization level limits: " + ", ".join(levels))
    if qis:
        note("carried", "weights", "attribute weights (metric): " + ", ".join(
            f"{n} {attributes[n]['weight']:g}" for n in qis))
    unused = sorted(set(arx.weights) - set(qis))
    if unused:
        note("not-carried", "weights", f"weights of attributes that are not quasi-identifiers (no effect in "
             f"ARX either): {', '.join(f'{n} {arx.weights[n]:g}' for n in unused)}")
    for name in names:
        if name in attributes and "hierarchy" in attributes[name]:
            h = arx.hierarchies[name]
            note("carried", "hierarchies", f"{name}: {names[name]} ({h.n_values} values, levels 0–{h.n_levels - 1}, "
                 f"from {arx.hierarchy_source[name]})")
    stored_only = sorted(set(facts.get("stored_hierarchies", [])) - set(arx.hierarchies))
    if stored_only:
        note("not-carried", "hierarchies", f"hierarchies kept in input/config.dat for attributes that do not "
             f"use one: {', '.join(stored_only)}")

    # -- data types and other per-attribute settings
    typed = [f"{a.name} {a.datatype}{f' ({a.format})' if a.format else ''}" for a in arx.attributes
             if a.datatype != "String"]
    if typed:
        note("not-carried", "data types", "ARX data types (eucaim-wizard keeps every value as text; they matter in "
             "ARX only for builders, ordered distances and microaggregation): " + ", ".join(typed))
    micro = [a.name for a in arx.attributes if a.microaggregation] + [
        name for name, mode in facts.get("modes", {}).items() if mode and mode != "GENERALIZATION"]
    if micro:
        note("not-carried", "microaggregation", f"microaggregation of {', '.join(dict.fromkeys(micro))} "
             f"(eucaim-wizard generalizes with the hierarchy instead)")
    responses = [a.name for a in arx.attributes if a.response_variable]
    if responses:
        note("not-carried", "response variables", f"response variables for classification analysis: "
             f"{', '.join(responses)}")

    # -- privacy models
    relaxed_risk = re.compile(rf"\({_NUMBER}, {_NUMBER}, {_NUMBER}\)-avg-reidentification-risk")
    privacy = []
    for text in arx.criteria:
        relaxed = relaxed_risk.fullmatch(text)
        parsed = ("average-risk", {"threshold": float(relaxed[1]), "highest_risk": float(relaxed[2]),
                                   "records_at_risk": float(relaxed[3])}) if relaxed else parse_criterion(text)
        if parsed is None:
            note("not-carried", "privacy", f"privacy model {text!r}: eucaim-wizard has no equivalent; it is "
                 f"not applied")
            continue
        key, params = parsed
        if key == "k-map":
            population, significance = _kmap_details(facts, params["k"])
            params = {"k": params["k"], **({"population": population} if population else {}),
                      "estimator": params["estimator"],
                      **({"significance": significance} if significance is not None else {})}
            if not population:
                note("warning", "privacy", f"{text!r}: ARX's population size is only in input/config.dat, which "
                     f"does not give it here; add `population:` to the k-map entry before anonymizing")
        privacy.append({key: params})
        note("carried", "privacy", f"{text!r} -> {key}: {_flow(params)}")
    if not arx.criteria:
        note("warning", "privacy", "the ARX project has no privacy model; add one under `privacy:`")

    # -- suppression, metric
    note("carried", "suppression", f"suppression limit {arx.suppression_limit:g} ({arx.suppression_limit:.1%})")
    blanked = [t for t in arx.suppressed_types if t != "QUASI_IDENTIFYING_ATTRIBUTE"]
    if blanked:
        note("not-carried", "suppression", f"ARX's option to blank also these attribute types in suppressed "
             f"records: {', '.join(blanked)}")
    metric = _metric(arx, note)

    # -- search and other ARX settings
    if arx.practical_monotonicity:
        note("not-carried", "search", "ARX's \"practical monotonicity\" (it assumes the metric is monotonic, which "
             "may skip the optimum); eucaim-wizard's search is exact")
    if facts.get("heuristic") or facts.get("search_type") not in (None, "OPTIMAL") or \
            facts.get("algorithm") not in (None, "OPTIMAL"):
        limits = ", ".join(f"{k} {v}" for k, v in facts.get("heuristic_limits", {}).items() if v is not None)
        note("not-carried", "search", f"ARX's heuristic search ({facts.get('algorithm') or facts.get('search_type')}; "
             f"{limits}); eucaim-wizard always finds the optimum, which may be better than ARX's result")
    if facts.get("transformation_type") not in (None, "GLOBAL"):
        note("not-carried", "search", f"ARX's {facts['transformation_type'].lower()} transformation (local "
             f"recoding); eucaim-wizard applies one global transformation")
    subset = facts.get("subset")
    if subset and subset[0] is not None and subset[1] and subset[0] < subset[1]:
        note("not-carried", "research subset", f"a research subset of {subset[0]:,} of {subset[1]:,} records "
             f"(used by ARX's d-presence / k-map); the whole table is anonymized")
    uses_costs = any("profit" in t.lower() or "stackelberg" in t.lower() for t in arx.criteria) or \
        "payout" in arx.metric_label.lower()
    if uses_costs and facts.get("costs"):
        note("not-carried", "costs", "ARX's cost/benefit settings: " + ", ".join(
            f"{k} {v:g}" for k, v in facts["costs"].items() if isinstance(v, float)))
    builders = {k: v for k, v in facts.get("builders", {}).items() if k in arx.hierarchies}
    if builders:
        note("not-carried", "hierarchy builders", "ARX builder settings (the hierarchies they generated are "
             "imported as tables): " + ", ".join(f"{k} ({_builder(v)})" for k, v in sorted(builders.items())))
    _share_models(arx, metric, note)

    # -- hierarchy remarks and findings
    for name, hierarchy in arx.hierarchies.items():
        if name not in attributes or "hierarchy" not in attributes[name]:
            continue
        for remark in arx.hierarchy_remarks.get(name, []):
            if remark == "CRLF line ends" or remark.startswith("delimiter "):
                continue  # how the copy was written; nothing to act on
            if remark.startswith("header row"):
                remark = remark.split("; pass has_header")[0] + (
                    "; ARX itself treats that row as a value (one more row in the Loss shares), so scores "
                    "may differ from ARX's")
            note("warning", "hierarchies", f"{name}: {remark}")
        for finding in hierarchy.findings():
            message = finding.message if finding.message.startswith(f"{name}:") else f"{name}: {finding.message}"
            note("warning", "hierarchies", f"{finding.severity}: {message}")
        spaced = _space_twins(hierarchy)
        if spaced:
            note("warning", "hierarchies", f"{name}: labels that differ only by spaces are different groups in ARX "
                 f"(and here, to reproduce ARX's result): {'; '.join(spaced)}. Merge them in the hierarchy if "
                 f"that was not meant.")

    # -- ARX's result
    result = arx.result
    if result is not None:
        where = "project.dat" if facts.get("step_levels") else "lattice.xml"
        note("result", "ARX result", f"{result.describe()} (read from {where}, level order from "
             f"{result.order_source})")
        if result.output is not None:
            note("result", "ARX result", "ARX's selected output transformation: " + ", ".join(
                f"{k}={v}" for k, v in result.output.items()))
        if facts.get("stale_result"):
            note("warning", "ARX result", "the saved result was computed with another configuration (output/ "
                 "differs from input/), so it may not match the imported settings")

    project: dict[str, Any] = {"data": data_file, "format": {"delimiter": table.format.delimiter}}
    project["attributes"] = attributes
    project["privacy"] = privacy
    project["suppression_limit"] = arx.suppression_limit
    project["metric"] = metric
    return _Conversion(project, notes)


def _builder(cls: str) -> str:
    return {"HierarchyBuilderRedactionBased": "redaction", "HierarchyBuilderIntervalBased": "intervals",
            "HierarchyBuilderOrderBased": "ordering", "HierarchyBuilderDate": "dates"}.get(cls, cls)


def _kmap_details(facts: dict[str, Any], k: int) -> tuple[int | None, float | None]:
    """(population size, significance level) of ARX's k-map criterion with this k, from config.dat."""
    for criterion in facts.get("criteria_objects", []):
        if _short(criterion.cls) != "KMap" or _unbox(criterion.field("k")) != k:
            continue
        population = criterion.field("populationModel")
        size = _unbox(population.field("populationSize")) if isinstance(population, _JObject) else None
        significance = _unbox(criterion.field("significanceLevel"))
        return (int(size) if isinstance(size, (int, float)) and size > 0 else None,
                significance if isinstance(significance, float) else None)
    return None, None


def _metric(arx: ArxProject, note) -> dict[str, Any]:
    facts = arx.serialized
    cls = facts.get("metric_class")
    if cls is not None and cls in _METRIC_CLASSES:
        name, monotonic = _METRIC_CLASSES[cls]
        gs = facts.get("gs_factor")
        source = "input/config.dat"
    else:
        parsed = _metric_from_label(arx.metric_label)
        if parsed is None:
            note("not-carried", "metric", f"ARX's quality model {arx.metric_label or cls!r} has no equivalent; "
                 f"eucaim-wizard's default, Loss, is used instead")
            return {"loss": {"gs_factor": 0.5}}
        name, monotonic, gs = parsed
        source = "the label in input/config.xml"
    params: dict[str, Any] = {}
    if name in ("loss", "precision", "aecs", "entropy"):
        params["gs_factor"] = 0.5 if gs is None else gs
    aggregate = facts.get("aggregate")
    if name in ("loss", "precision", "height", "entropy"):
        if aggregate in _AGGREGATES:
            params["aggregate"] = _AGGREGATES[aggregate]
        elif aggregate is not None:
            note("not-carried", "metric", f"ARX's aggregate function {aggregate} (eucaim-wizard has geometric-mean, "
                 f"arithmetic-mean, sum and maximum); the default is used")
        elif not facts.get("config_dat"):
            note("warning", "metric", "the aggregate function is only in input/config.dat, which this project file "
                 "lacks; eucaim-wizard's default for this metric is used")
    if monotonic and name in ("precision", "discernibility", "entropy"):
        params["monotonic"] = True
    if gs is None and not facts.get("config_dat") and "gs_factor" in params:
        note("warning", "metric", "the gs-factor is only in input/config.dat, which this project file lacks; 0.5 "
             "(ARX's default) is used")
    metric = {name: params}
    note("carried", "metric", f"{arx.metric_label or cls} -> {_flow(metric)} "
         f"(from {source})")
    return metric


def _share_models(arx: ArxProject, metric: dict[str, Any], note) -> None:
    """Say where ARX scored an attribute from a builder's domain model rather than from rows."""
    if "loss" not in metric:
        return
    facts = arx.serialized
    shares = facts.get("share_models") or []
    order = arx.result.attributes if arx.result is not None else []
    if shares and len(shares) == len(order):  # what ARX's last run used
        special = {name: kind for name, kind in zip(order, shares) if kind and kind != "DomainShareMaterialized"}
    elif facts.get("functional_hierarchies") is not False:  # what ARX would use
        kinds = {"HierarchyBuilderRedactionBased": "DomainShareRedaction",
                 "HierarchyBuilderIntervalBased": "DomainShareInterval"}
        special = {name: kinds[builder] for name, builder in facts.get("builders", {}).items()
                   if builder in kinds and (a := arx.attribute(name)) is not None
                   and a.type == "QUASI_IDENTIFYING_ATTRIBUTE"}
    else:
        special = {}
    for name, kind in sorted(special.items()):
        builder = "redaction" if "Redaction" in kind else "interval" if "Interval" in kind else "generating"
        note("not-carried", "metric", f"ARX scores {name} in the Loss metric from the domain model of its "
             f"{builder} builder ({kind}) instead of from the hierarchy's rows, as eucaim-wizard does: the "
             f"information loss of transformations with {name} below its top level differs from ARX's")


def _space_twins(hierarchy: Hierarchy) -> list[str]:
    twins = []
    for level in range(1, hierarchy.n_levels):
        labels = list(dict.fromkeys(hierarchy.level(level).tolist()))
        groups: dict[str, list[str]] = {}
        for label in labels:
            groups.setdefault(label.strip(), []).append(label)
        twins += [f"level {level}: " + " / ".join(map(repr, g)) for g in groups.values() if len(g) > 1]
    return twins


# --- writing the import -----------------------------------------------------------------
@dataclass
class ArxImport:
    """What :func:`import_arx` wrote, and its report."""

    project_path: Path
    data_path: Path
    hierarchy_paths: dict[str, Path]
    notes: list[ImportNote]
    arx: ArxProject

    @property
    def result(self) -> ArxResult | None:
        """ARX's saved result, if the project file holds one."""
        return self.arx.result

    def report(self) -> str:
        """The report as plain text (also written as comments at the top of the project file)."""
        return _report_text(self.arx, self.notes)


_HEADINGS = {"carried": "Carried over", "not-carried": "Not carried over (ARX settings eucaim-wizard cannot express)",
             "warning": "Check", "result": "ARX's saved result (read from the project file, not recomputed)"}


def _report_text(arx: ArxProject, notes: list[ImportNote]) -> str:
    version = f"ARX {arx.arx_version} " if arx.arx_version else "ARX "
    lines = [f"Imported from {arx.source.name} ({version}project {arx.name!r}) by eucaim-wizard import-arx."]
    for kind, heading in _HEADINGS.items():
        selected = [n for n in notes if n.kind == kind]
        if selected:
            lines.append(f"{heading}:")
            lines += [f"  - {n.topic}: {n.message}" for n in selected]
    return "\n".join(lines)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "attribute"


def _flow(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False, width=2**31 - 1, allow_unicode=True)
    return text.strip().removesuffix("...").strip()


def _project_yaml(project: dict[str, Any], report: str) -> str:
    lines = [f"# {line}" if line else "#" for line in report.splitlines()]
    lines.append("")
    lines.append(f"data: {_flow(project['data'])}")
    lines.append(f"format: {_flow(project['format'])}")
    lines.append("attributes:")
    for name, entry in project["attributes"].items():
        lines.append(f"  {_flow(name)}: {_flow(entry)}")
    if project["privacy"]:
        lines.append("privacy:")
        lines += [f"  - {_flow(key)}: {_flow(params)}" for entry in project["privacy"] for key, params in entry.items()]
    else:
        lines.append("privacy: []")
    lines.append(f"suppression_limit: {_flow(project['suppression_limit'])}")
    lines.append(f"metric: {_flow(project['metric'])}")
    text = "\n".join(lines) + "\n"
    if yaml.safe_load(text) != project:  # the hand-made layout must say exactly the mapping
        raise AssertionError("the project file written does not read back as the imported project")
    return text


def _check_targets(targets: list[Path], inputs: list[Path], force: bool, what: str) -> None:
    from .tables.output import refuse_inputs

    for target in targets:
        refuse_inputs(target, inputs)
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        shown = ", ".join(str(t) for t in existing[:5]) + (" …" if len(existing) > 5 else "")
        raise ProjectError(f"{what} would overwrite existing file(s): {shown}. Choose another output name, or "
                           f"give --force to replace them.")


def _commit(staging: Path, moves: list[tuple[Path, Path]]) -> None:
    """Move every staged file into place (the first one last: the project file)."""
    try:
        for staged, target in moves[1:] + moves[:1]:
            os.replace(staged, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def import_arx(source: str | os.PathLike, output: str | os.PathLike, *, force: bool = False) -> ArxImport:
    """Convert an ARX project file into a eucaim-wizard project file, data and hierarchies.

    Writes ``output`` (the project YAML), ``<stem>_data.csv`` and one
    ``<stem>_hierarchy_<attribute>.csv`` per hierarchy beside it; everything is written to a
    temporary folder first and moved into place at the end, so a failure leaves nothing
    half-written. The report of what was and was not carried over is returned and also
    written as comments at the top of the project file.

    Parameters
    ----------
    source
        The ``.deid`` file saved by ARX.
    output
        The project file to write, e.g. ``project.yaml`` (its folder is created if missing).
    force
        Replace files that already exist (otherwise they are a ProjectError).

    Raises
    ------
    ProjectError
        If the ARX file is damaged or incomplete (the message names the part), or an output
        exists and ``force`` is false.
    TableError
        If ``data/input.csv`` cannot be read as a table.

    Examples
    --------
    >>> result = import_arx("demo.deid", "project.yaml")          # doctest: +SKIP
    >>> print(result.report())                                     # doctest: +SKIP
    """
    from .errors import TableError
    from .tables import TableFormat, read_table, write_table

    source = Path(source)
    output = Path(output)
    if output.is_dir():
        raise ProjectError(f"{output} is a folder; give the project file to write in it, e.g. "
                           f"{output / 'project.yaml'}.")
    arx = read_arx_project(source)
    folder = output.parent
    if folder.exists() and not folder.is_dir():
        raise ProjectError(f"Cannot write {output}: {folder} is a file, not a folder.")
    folder.mkdir(parents=True, exist_ok=True)
    stem = output.stem
    data_name = f"{stem}_data.csv"
    names: dict[str, str] = {}
    for name in arx.hierarchies:
        candidate, n = f"{stem}_hierarchy_{_safe_name(name)}.csv", 2
        while candidate in names.values() or candidate == data_name or candidate == output.name:
            candidate, n = f"{stem}_hierarchy_{_safe_name(name)}_{n}.csv", n + 1
        names[name] = candidate
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".import", dir=folder))
    extracted_path = staging / ".arx-input.csv"  # a name no output file can have
    try:
        try:
            with zipfile.ZipFile(source) as archive, archive.open(arx.data_entry) as stream, \
                    extracted_path.open("wb") as extracted:
                shutil.copyfileobj(stream, extracted, 1 << 20)
        except (zipfile.BadZipFile, EOFError, RuntimeError, zlib.error) as error:
            raise ProjectError(f"{source}: the part {arx.data_entry} cannot be unpacked ({error}); the "
                               f"project file is damaged. Save it again from ARX.") from None
        separator = arx.separator if arx.separator.isascii() and arx.separator not in '\r\n"' else ""
        try:
            table = read_table(extracted_path, kind="csv", delimiter=separator or None)
        except TableError as error:
            message = str(error).replace(str(extracted_path), f"{source}, part {arx.data_entry}")
            raise TableError(message) from None
        conversion = _convert(arx, names, data_name, table)
        used = {name: file for name, file in names.items()
                if "hierarchy" in conversion.project["attributes"].get(name, {})}
        for name in used:
            hierarchy = arx.hierarchies[name]
            if name in table.columns:
                for finding in hierarchy.check_values(list(table.categories(name)), column=name):
                    if finding.severity == "error":
                        conversion.notes.append(ImportNote("warning", "hierarchies", f"{name}: {finding.message}"))
        report = _report_text(arx, conversion.notes)
        targets = [output, folder / data_name] + [folder / f for f in used.values()]
        _check_targets(targets, [source], force, f"Importing {source.name}")
        write_table(table, staging / data_name, TableFormat("csv", delimiter=table.format.delimiter,
                                                            quotechar=table.format.quotechar))
        for name, file in used.items():
            Hierarchy(arx.hierarchies[name].table, name=name).write(staging / file)
        write_text(staging / output.name, _project_yaml(conversion.project, report), inputs=[source])
        extracted_path.unlink()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    moves = [(staging / output.name, output), (staging / data_name, folder / data_name)] + [
        (staging / f, folder / f) for f in used.values()]
    _commit(staging, moves)
    return ArxImport(output, folder / data_name, {n: folder / f for n, f in used.items()}, conversion.notes, arx)


# --- describing a project for ARX -------------------------------------------------------
_ARX_TYPES = {"identifier": "Identifying", "quasi-identifier": "Quasi-identifying",
              "sensitive": "Sensitive", "insensitive": "Insensitive"}
_ARX_MODELS = {
    "k-anonymity": "k-Anonymity", "distinct-l-diversity": "l-Diversity (distinct)",
    "entropy-l-diversity": "l-Diversity (entropy)", "recursive-cl-diversity": "l-Diversity (recursive-(c,l))",
    "t-closeness": "t-Closeness", "delta-disclosure": "δ-Disclosure privacy", "beta-likeness": "β-Likeness",
    "average-risk": "Average re-identification risk", "sample-uniqueness": "Sample uniqueness", "k-map": "k-Map",
}
_ARX_METRICS = {"loss": "Loss", "precision": "Precision", "height": "Height", "discernibility": "Discernibility",
                "aecs": "Average equivalence class size", "entropy": "Non-uniform entropy"}


@dataclass
class ArxExport:
    """What :func:`export_arx` wrote."""

    folder: Path
    data_path: Path
    hierarchy_paths: dict[str, Path]
    description_path: Path


def export_arx(project: Any, output: str | os.PathLike, *, force: bool = False) -> ArxExport:
    """Write what the ARX GUI needs to reproduce a project: data, hierarchies and instructions.

    Writes into the folder ``output`` (created if missing): ``data.csv`` (``;``-separated,
    identifier columns left out: ARX would remove them anyway), ``hierarchy_<attribute>.csv``
    in ARX's format (``;``, no header) for every attribute with a hierarchy, and ``ARX.md``,
    the settings to make in the ARX GUI step by step (types, hierarchies, level limits,
    privacy models, suppression limit, metric, weights). No ``.deid`` is written: ARX loads
    its projects from Java-serialized GUI objects (``input/config.dat``), which cannot be
    produced faithfully without ARX.

    Parameters
    ----------
    project
        A :class:`~eucaim_wizard.project.Project` or the path of a project file.
    output
        The folder to write into.
    force
        Replace files that already exist there.
    """
    from .project import Project, Role, load_project
    from .tables import TableFormat, write_table

    if not isinstance(project, Project):
        project = load_project(project)
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise ProjectError(f"{folder} is a file; give a folder for the ARX files.")
    table = project.load_table()
    with_hierarchy = [n for n, a in project.attributes.items() if a.hierarchy is not None
                      and a.role in (Role.QUASI_IDENTIFIER, Role.SENSITIVE)]
    hierarchies = {name: project.load_hierarchy(name) for name in with_hierarchy}
    files: dict[str, str] = {}
    for name in with_hierarchy:
        candidate, n = f"hierarchy_{_safe_name(name)}.csv", 2
        while candidate in files.values():
            candidate, n = f"hierarchy_{_safe_name(name)}_{n}.csv", n + 1
        files[name] = candidate
    keep = [c for c in table.columns if c not in project.identifiers]
    targets = [folder / "ARX.md", folder / "data.csv"] + [folder / f for f in files.values()]
    inputs = project.input_files
    folder.mkdir(parents=True, exist_ok=True)
    _check_targets(targets, inputs, force, f"Exporting to {folder}")
    staging = Path(tempfile.mkdtemp(prefix=".arx-export.", dir=folder))
    try:
        write_table(table.select(keep), staging / "data.csv", TableFormat("csv", delimiter=";"))
        for name, file in files.items():
            Hierarchy(hierarchies[name].table, name=name).write(staging / file)
        write_text(staging / "ARX.md", _description(project, table, keep, files, hierarchies), inputs=inputs)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _commit(staging, [(staging / t.name, t) for t in targets])
    return ArxExport(folder, folder / "data.csv", {n: folder / f for n, f in files.items()}, folder / "ARX.md")


def _model_text(model: Any) -> str:
    (key, params), = model.to_config().items()
    name = _ARX_MODELS.get(key, key)
    values = ", ".join(f"{k} = {v}" for k, v in params.items())
    return f"{name}: {values}" if values else name


def _description(project, table, keep, files, hierarchies) -> str:
    metric = project.metric
    source = project.source.name if project.source else "a project built in code"
    lines = [
        f"# Configuring this project in ARX", "",
        f"Written by `eucaim-wizard export-arx` from {source}. ARX (arx.deidentifier.org) cannot read",
        "eucaim-wizard projects directly; these files and steps reproduce the configuration in the",
        "ARX GUI (version 3.9), so that both tools can be run on the same configuration.", "",
        "## 1. Data", "",
        f"File > New project, then File > Import data: `data.csv` (CSV, separator `;`, first row holds",
        f"the attribute names; {table.n_rows:,} records, {len(keep)} columns).",
    ]
    if project.identifiers:
        lines.append(f"Identifier columns are left out of `data.csv` (ARX would remove them from its output "
                     f"anyway): {', '.join(project.identifiers)}.")
    lines += ["", "## 2. Attributes", "",
              "In the *Configure transformation* perspective, select each attribute and set its type; for",
              "quasi-identifiers load the hierarchy file (hierarchy editor, *Load*) and set the minimum and",
              "maximum generalization level.", "",
              "| attribute | ARX type | hierarchy file | levels | min | max | weight |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for name in keep:
        attribute = project.attributes.get(name)
        role = attribute.role.value if attribute else "insensitive"
        file = files.get(name, "")
        levels = f"0–{hierarchies[name].n_levels - 1}" if name in hierarchies else ""
        low = high = weight = ""
        if attribute is not None and attribute.role.value == "quasi-identifier" and name in hierarchies:
            low, high = project.level_range(name, hierarchies[name])
            weight = f"{attribute.weight:g}"
        lines.append(f"| {name} | {_ARX_TYPES[role]} | {f'`{file}`' if file else ''} | {levels} | {low} | {high} "
                     f"| {weight} |")
    lines += ["", "## 3. Privacy models", "", "Add each model (*Privacy models*, `+`):", ""]
    lines += [f"- {_model_text(model)}" for model in project.privacy] or ["- (none: add one before anonymizing)"]
    aggregate = metric.aggregate_function
    lines += ["", "## 4. General settings and quality model", "",
              f"- Suppression limit: {project.suppression_limit:.4g} ({project.suppression_limit:.1%} of the records)",
              f"- Quality model: {_ARX_METRICS[metric.name]}" + (" (monotonic variant)" if metric.monotonic else ""),
              f"- Generalization/suppression factor (gs-factor): {metric.gs_factor:g}",
              f"- Aggregate function: {aggregate.replace('-', ' ')}",
              "- Attribute weights: as in the table above (ARX's default is 0.5)",
              "- Search: optimal (not heuristic); transformation: global", "",
              "## 5. Run", "",
              "Click *Anonymize*. ARX's optimum should be the one `eucaim-wizard anonymize` reports, with",
              "the same information loss. ARX scores",
              "hierarchies built with its redaction or interval builders from the builder's domain",
              "model; these files are plain tables, so ARX scores them from their rows, as eucaim-wizard does.", ""]
    return "\n".join(lines)
