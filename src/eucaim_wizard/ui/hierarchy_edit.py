"""Changing a quasi-identifier's hierarchy in the wizard, without Streamlit: the fixes proposed
when it misses or does not recognise data values (a better preset, the file fitted to the data
or repaired), applying a preset, an uploaded ARX CSV file or a builder, the levels and the
weight, and the builders' forms (each option a field, read back into a builder spec).

Whatever is applied is written into the session's attribute settings (``hierarchy:``,
``min_level``, ``max_level``, ``weight``), which the project file is made of; a hierarchy file
goes into the session's folder as :func:`~eucaim_wizard.release.hierarchy_file_name`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import HierarchyError, WizardError
from ..hierarchies.builders import BuilderSpec
from ..hierarchies.hierarchy import Hierarchy
from ..hierarchies.presets import PRESET_PREFIX, extend, load_library
from ..hierarchies.repair import repair
from ..release import hierarchy_file_name
from ..roles import suggest
from .hierarchy_view import HierarchyView, attribute_view, natural_key, source_kind

if TYPE_CHECKING:
    from ..tables import Table
    from .session import Session


# -- problems and their fixes ----------------------------------------------------------------------
@dataclass(frozen=True)
class Fix:
    """A change that makes the hierarchy cover the data: a new ``hierarchy:`` setting, and for a
    repaired or fitted file the hierarchy to write under :func:`hierarchy_file_name`."""

    title: str
    explanation: str
    given: Any
    hierarchy: Hierarchy | None = None
    left_unknown: int = 0  #: records still in an Unknown branch after the fix


def candidate_presets(table: Table, name: str, current: Any = None) -> list[str]:
    """The presets that may fit column ``name``: the suggested one (:func:`eucaim_wizard.roles.suggest`),
    then those whose typical columns include the name; never ``current``."""
    compact = re.sub(r"[^0-9a-z]", "", name.lower())
    names = [suggest(table, name).preset]
    names += [p.name for p in load_library() if compact in {re.sub(r"[^0-9a-z]", "", c.lower()) for c in p.columns}]
    return [f"{PRESET_PREFIX}{n}" for n in dict.fromkeys(n for n in names if n) if f"{PRESET_PREFIX}{n}" != current]


def preset_fixes(session: Session, name: str, problem_records: int, current: Any = None) -> list[Fix]:
    """The candidate presets that leave fewer records unrecognised than ``problem_records`` (and
    recognise some), best first; each is fitted to the column once per data."""
    fixes = []
    for given in candidate_presets(session.table, name, current):
        try:
            view = attribute_view(session, name, given)
        except WizardError:
            continue
        if view.unknown_records < min(problem_records, view.n_records):
            preset = load_library().get(given)
            left = f"; {view.unknown_records:,} record(s) stay in its Unknown branch" if view.unknown_records else ""
            fixes.append(Fix(f"Use {given}", f"{preset.title}: covers the column{left}.", given,
                             left_unknown=view.unknown_records))
    return sorted(fixes, key=lambda fix: fix.left_unknown)


def proposed_fixes(session: Session, name: str, view: HierarchyView | None) -> list[Fix]:
    """What to do about values the hierarchy misses or does not recognise, or a file that is not
    a tree: a better preset, the file fitted to the data, or the file repaired."""
    current = session.attributes[name].get("hierarchy")
    if view is None:  # (it does not load at all)
        return preset_fixes(session, name, session.table.n_rows + 1, current)
    problem = view.missing_records + view.unknown_records
    errors = [f for f in view.hierarchy.findings() if f.severity == "error"]
    fixes = preset_fixes(session, name, problem or view.n_records + 1, current) if problem or errors else []
    if source_kind(current) == "file" and not view.hidden:
        if view.missing_records:
            fixes.append(_fitted(view))
        repaired, changes = repair(view.hierarchy) if errors else (None, [])
        if changes:
            fixes.append(Fix("Repair the file", "; ".join(changes[:3]) + ("; …" if len(changes) > 3 else ""),
                             hierarchy_file_name(name), repaired))
    return fixes


def _fitted(view: HierarchyView) -> Fix:
    """The file fitted to the column (:func:`~eucaim_wizard.hierarchies.presets.extend`)."""
    fitted = extend(view.hierarchy, [str(v) for v in view.values], name=view.name, source="fitted")
    missing = set(view.missing)
    unread = [v for v in fitted.unknown if v in missing]
    records = int(view.counts[np.isin(view.values, unread)].sum()) if unread else 0
    said = []
    if len(missing) > len(unread):
        said.append(f"{len(missing) - len(unread):,} value(s) it misses take the row of the value they match "
                    f"when case, accents and spaces are ignored")
    if unread:
        said.append(f"{len(unread):,} value(s) ({records:,} record(s)) go to an Unknown branch, generalized together "
                    f"at every level: check that this is what they mean, or add their rows to the file")
    return Fix("Fit the file to the data", "; ".join(said) + ". The file then has one row per value of the column.",
               hierarchy_file_name(view.name), fitted.hierarchy, left_unknown=records)


def apply_hierarchy(session: Session, name: str, given: Any, *, hierarchy: Hierarchy | None = None,
                    top: int | None = None) -> None:
    """Set attribute ``name``'s ``hierarchy:`` to ``given`` (writing ``hierarchy`` as the ARX CSV
    file ``given`` in the session's folder first, if given); levels above ``top`` are lowered."""
    entry = session.attributes[name]
    if hierarchy is not None:
        (session.workdir / given).write_text(hierarchy.to_csv_text(), encoding="utf-8")
        # (the project file names the same file: what was computed from the old content is stale)
        session.cache.clear()
    entry["hierarchy"] = given
    entry.pop("hierarchy_header", None)
    if top is not None:
        for key in ("min_level", "max_level"):
            if entry.get(key) is not None and int(entry[key]) > top:
                entry[key] = top
        if entry.get("max_level") is not None and int(entry["max_level"]) == top:
            entry.pop("max_level")


def read_upload(session: Session, name: str, content: bytes) -> str:
    """Keep an uploaded hierarchy CSV in the session's folder (beside the one in use, until it
    is applied) and return its file name (:func:`~.hierarchy_view.attribute_view` reads it)."""
    target = session.workdir / f"upload_{hierarchy_file_name(name)}"
    if not target.exists() or target.read_bytes() != content:  # (the page asks again at every rerun)
        target.write_bytes(content)
    return target.name


def use_upload(session: Session, name: str, uploaded: str, top: int) -> None:
    """Apply an uploaded file (:func:`read_upload`): it becomes :func:`hierarchy_file_name`."""
    final = hierarchy_file_name(name)
    (session.workdir / uploaded).replace(session.workdir / final)
    session.cache.clear()
    apply_hierarchy(session, name, final, top=top)


# -- levels and weight --------------------------------------------------------------------------------
def level_settings(entry: dict[str, Any], top: int) -> tuple[int, int, float]:
    """The (lowest level, highest level, weight) of an attribute, within ``0 … top``."""
    high = top if entry.get("max_level") is None else min(int(entry["max_level"]), top)
    low = min(int(entry.get("min_level") or 0), high)
    weight = 0.5 if entry.get("weight") is None else float(entry["weight"])
    return low, high, weight


def set_level_settings(entry: dict[str, Any], low: int, high: int, weight: float, top: int) -> bool:
    """Write the levels and weight into ``entry`` (defaults left out: level 0, the top level,
    weight 0.5); True if anything changed."""
    before = dict(entry)
    for key, value, default in (("min_level", int(low), 0), ("max_level", int(high), top),
                                ("weight", round(float(weight), 4), 0.5)):
        if value == default:
            entry.pop(key, None)
        else:
            entry[key] = value
    return entry != before


# -- builders --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Option:
    """One field of a builder's form: the option's name, label, kind (``list`` of numbers,
    ``words`` (a list of texts), ``number``, ``choice``, ``text`` or ``yaml``) and help."""

    name: str
    label: str
    kind: str
    help: str = ""
    choices: tuple[str, ...] = ()
    nested: bool = False  #: a list whose items may be lists (per level)


_WIDTHS = Option("widths", "Band width per level", "list", "each a multiple of the one before, e.g. 5, 10, 20")
_TOP = Option("top", "Top coding from", "number", "values from the band holding it upwards become one group, "
              "e.g. 90 gives 90+; empty: none")
_BOTTOM = Option("bottom", "Bottom coding below", "number", "values below the band holding it become one group; "
                 "empty: none")
_STYLE = Option("style", "Labels", "choice", "dicom: 202305**; iso: 2023-05; auto: iso when every value is",
                ("auto", "dicom", "iso"))
BUILDER_TITLES = {
    "intervals": "Intervals: numbers into bands", "dicom-age": "DICOM ages (045Y) to years and bands",
    "dates": "Dates: month, year, N-year spans", "times": "Times of day: minute, hour, part of the day",
    "masking": "Masking: hide more characters at each level", "ordered": "Ordered scale: merge neighbours",
    "mapping": "Mapping: value → group tables", "field-strength": "Magnetic field strength",
    "icdo3-morphology": "ICD-O-3 morphology",
}
BUILDER_FORMS: dict[str, tuple[Option, ...]] = {
    "intervals": (_WIDTHS, _TOP, _BOTTOM, Option(
        "edges", "Cut points per level (instead of widths)", "list",
        "each level's a subset of the one before, e.g. [18.5, 25, 30], [30]", nested=True)),
    "dicom-age": (_WIDTHS, _TOP, _BOTTOM),
    "dates": (Option("levels", "Levels above the date", "words", "coarser and coarser: month, year, N-year "
                     "(5-year), decade"), _STYLE),
    "times": (Option("levels", "Levels above the time", "words", "minute, hour, day-part"), _STYLE),
    "masking": (Option("steps", "Characters masked at each level", "list", "increasing, e.g. 2, 4; empty: one "
                       "more per level"),
                Option("direction", "Mask from the", "choice", "", ("right", "left")),
                Option("pad", "Pad shorter values with", "text", "e.g. 0, so that all values mask alike; empty: no")),
    "ordered": (Option("order", "The scale, lowest first", "words", "every value, e.g. 0, I, II, III, IV"),
                Option("levels", "Group sizes per level", "list", "e.g. 2, 4 (pairs, then fours) or [3, 2] "
                       "(explicit sizes)", nested=True)),
    "mapping": (Option("levels", "One table per level (YAML)", "yaml", "level 1 maps each value to its "
                       "group, level 2 each group to a larger one"),),
    "field-strength": (Option("edges", "Band edges (tesla)", "list", "e.g. 1, 2, 4"),
                       Option("tolerance", "Tolerance to the nominal field", "number", "e.g. 0.05 (5 %)")),
    "icdo3-morphology": (),
}
_FALLBACK = {("intervals", "widths"): [5, 10, 20], ("dicom-age", "widths"): [5, 10, 20], ("ordered", "levels"): [2]}


def _signature_default(kind: str, option: str) -> Any:
    """The default of a builder function's option (tuples as lists; None if it has none)."""
    import inspect

    from ..hierarchies.builders import BUILDERS

    parameter = inspect.signature(BUILDERS[kind]).parameters.get(option)
    default = None if parameter is None or parameter.default is inspect.Parameter.empty else parameter.default
    return list(default) if isinstance(default, tuple) else default


def _default(kind: str, option: str, values: list[str]) -> Any:
    """What a new builder's form starts with: the builder's default, or a start from the data."""
    if kind == "ordered" and option == "order":
        return sorted(values, key=natural_key)[:200]
    if kind == "mapping":
        return [{value: value for value in sorted(values, key=natural_key)[:60]}]
    return _FALLBACK.get((kind, option), _signature_default(kind, option))


def option_text(option: Option, value: Any) -> str:
    """A builder option's value as the form shows it (``[5, 10]`` → ``5, 10``)."""
    import yaml

    if value is None:
        return ""
    if option.kind == "yaml":
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, default_flow_style=False)
    if isinstance(value, (list, tuple)):
        return yaml.safe_dump(list(value), default_flow_style=True, allow_unicode=True, width=10**6).strip()[1:-1]
    return str(value)


def parse_option(option: Option, text: str) -> Any:
    """The value of a form field (None: left empty, the builder's default)."""
    import yaml

    text = (text or "").strip()
    if not text:
        return None
    try:
        if option.kind in ("list", "words"):
            loader = yaml.BaseLoader if option.kind == "words" else yaml.SafeLoader
            value = yaml.load(f"[{text}]", Loader=loader)
            # "[5, 10]" typed whole means the list, unless the option is a list of lists (edges per level)
            return value[0] if len(value) == 1 and isinstance(value[0], list) and not option.nested else value
        if option.kind == "number":
            value = yaml.safe_load(text)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError("not a number")
            return value
        return yaml.safe_load(text) if option.kind == "yaml" else text
    except (yaml.YAMLError, ValueError) as error:
        problem = str(error).splitlines()[0]
        raise HierarchyError(f"{option.label}: cannot read {text[:60]!r} ({problem}); "
                             f"{option.help or 'check it'}.") from None


def form_texts(kind: str, given: Any, values: list[str]) -> dict[str, str]:
    """The form of builder ``kind`` filled in from ``given`` (a builder spec of the same kind, as
    a dict or a :class:`BuilderSpec`), else with the builder's defaults."""
    spec = given.to_dict() if isinstance(given, BuilderSpec) else given
    same = isinstance(spec, dict) and spec.get("builder") == kind
    return {o.name: option_text(o, spec.get(o.name) if same and o.name in spec else _default(kind, o.name, values))
            for o in BUILDER_FORMS[kind]}


def spec_from_form(kind: str, texts: dict[str, str], given: Any = None) -> dict[str, Any]:
    """The builder spec (as a project file writes it) of a filled-in form; options of ``given``
    that the form does not show (``units``, ``valid``, …) are kept.

    Raises
    ------
    HierarchyError
        If a field cannot be read or the builder rejects the options.
    """
    spec = given.to_dict() if isinstance(given, BuilderSpec) else given
    same = isinstance(spec, dict) and spec.get("builder") == kind
    kept = {k: v for k, v in spec.items() if k != "builder"} if same else {}
    out: dict[str, Any] = {"builder": kind}
    out.update({k: v for k, v in kept.items() if k not in {o.name for o in BUILDER_FORMS[kind]}})
    for option in BUILDER_FORMS[kind]:
        value = parse_option(option, texts.get(option.name, ""))
        # (an option left at the builder's default is not written, unless the spec had it)
        if value is not None and (option.name in kept or value != _signature_default(kind, option.name)):
            out[option.name] = value
    BuilderSpec.parse(out)
    return out


def preset_builder(given: Any) -> dict[str, Any] | None:
    """The builder spec behind ``given`` (a builder spec, or a builder preset): where a builder's
    form starts from."""
    if source_kind(given) == "builder":
        return dict(given)
    if source_kind(given) == "preset":
        preset = load_library().get(given)
        return preset.builder.to_dict() if preset.builder is not None else None
    return None
