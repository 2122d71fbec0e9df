"""Reading an ARX project file (``.deid``, a zip archive): its XML parts, the serialized
configuration and, after a run, ARX's result."""

from __future__ import annotations

import math
import os
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ..errors import ProjectError, WizardError
from ..hierarchies.hierarchy import Hierarchy, parse_hierarchy_text
from .java import _JArray, _java_list, _java_map, _java_objects, _JObject, _short, _unbox
from .model import ArxAttribute, ArxNode, ArxProject, ArxResult


# --- reading the zip --------------------------------------------------------------------
#: the most a part of the project (XML, serialized objects, a hierarchy) may inflate to; ARX's
#: own parts are kilobytes to a few megabytes
MAX_PART_BYTES = 256 << 20
#: the most a part may inflate relative to its compressed size, past 1 MB (text compresses
#: about 10:1; a zip bomb by 1000:1 or more)
MAX_RATIO = 200


def bounded_blocks(archive: zipfile.ZipFile, part: str, limit: int, floor: int = 1 << 20):
    """The inflated blocks of ``part``, stopped with one paragraph as soon as they pass
    ``limit`` bytes or :data:`MAX_RATIO` times the compressed size (past ``floor``): a zip
    bomb (a 3 GB ``definition.xml`` from a few kilobytes) is refused while it is read."""
    info = archive.getinfo(part)
    limit = min(limit, max(floor, MAX_RATIO * max(info.compress_size, 1)))
    size = 0
    with archive.open(info) as stream:
        while block := stream.read(1 << 20):
            size += len(block)
            if size > limit:
                raise ProjectError(f"{archive.filename}: the part {part} inflates to more than {limit >> 20:,} MB "
                                   f"from {info.compress_size:,} compressed bytes, which no ARX project holds; "
                                   f"it is refused as a zip bomb. Use a project file saved by ARX.")
            yield block


def _read_part(archive: zipfile.ZipFile, part: str) -> bytes:
    """The bytes of ``part``, at most :data:`MAX_PART_BYTES` (:func:`bounded_blocks`)."""
    return b"".join(bounded_blocks(archive, part, MAX_PART_BYTES))


def _xml(archive: zipfile.ZipFile, part: str, source: Path, required: bool = True) -> ElementTree.Element | None:
    try:
        raw = _read_part(archive, part)
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
    try:  # (expat refuses entity expansion past its amplification limit: a ParseError too)
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
    from ..tables.common import special_file

    kind = special_file(source)
    if kind is not None and kind != "a folder":
        raise ProjectError(f"{source} is {kind}, not an ARX project file; give the .deid file saved by ARX.")
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
        return _read_part(archive, part)
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
