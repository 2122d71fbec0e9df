"""The project: which table, which role each column plays, hierarchies, privacy and limits.

A project is written as YAML (paths relative to the file) and validated with pydantic::

    data: adult.csv                # CSV/TSV/XLSX/Parquet
    format: {delimiter: ";"}       # optional: kind, delimiter, encoding, quotechar, sheet
    attributes:
      age:  {role: quasi-identifier, hierarchy: adult_hierarchy_age.csv, min_level: 0, max_level: 4}
      sex:  {role: quasi-identifier, hierarchy: adult_hierarchy_sex.csv}
      occupation: {role: sensitive}
    privacy:
      - k-anonymity: {k: 5}
    suppression_limit: 0.05
    metric: loss

The same :class:`Project` can be built in code, with :class:`~eucaim_wizard.hierarchies.hierarchy.Hierarchy`
objects and a :class:`~eucaim_wizard.tables.Table` in place of file names.  A column's
settings (:class:`Attribute`, :class:`Role`) and the data file's (:class:`DataFormat`) are
:mod:`.project_settings`'s, imported here.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import (BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator,
                      model_validator)

from .hierarchies.builders import BuilderSpec
from .errors import Finding, ProjectError, WizardError
from .hierarchies.hierarchy import Hierarchy, read_hierarchy
from .metrics import MetricConfig, parse_metric
from .privacy import PrivacyModel, parse_privacy_models
from .project_settings import (Attribute, DataFormat, ReleaseSettings, Role, SearchSettings,  # (re-exported)
                               TransformationSettings, _path_or)
from .tables import Table, read_table
from .tables.common import existing_file, special_file


class Project(BaseModel):
    """A validated project: data, roles, hierarchies, privacy models and limits.

    Parameters
    ----------
    data
        The table, as a path (relative to ``base_dir``) or an in-memory
        :class:`~eucaim_wizard.tables.Table`.
    attributes
        Column name → :class:`Attribute`. Columns of the data not listed are insensitive.
    privacy
        The privacy models that must all hold, e.g. ``[KAnonymity(k=5)]``; in YAML a list
        of one-key mappings such as ``- k-anonymity: {k: 5}``.
    suppression_limit
        The largest share of records (0–1) that may be suppressed.
    metric
        The information-loss model the search minimises (default: ARX's Loss).
    search
        How the lattice is searched: optimal, best-first (best effort, with limits) or auto
        (:class:`~eucaim_wizard.project_settings.SearchSettings`).
    transformation
        The candidate the curator releases instead of the optimum
        (:class:`~eucaim_wizard.project_settings.TransformationSettings`), if any.
    release
        Who releases the data and why (:class:`~eucaim_wizard.project_settings.ReleaseSettings`).
    base_dir
        Where relative paths are resolved (the project file's folder).

    Examples
    --------
    >>> from eucaim_wizard import Project, Hierarchy, Table
    >>> from eucaim_wizard.privacy import KAnonymity
    >>> table = Table.from_columns({"age": ["34", "35", "36", "37"], "sex": ["F", "F", "M", "M"]})
    >>> age = Hierarchy([["34", "30-39", "*"], ["35", "30-39", "*"], ["36", "30-39", "*"], ["37", "30-39", "*"]])
    >>> sex = Hierarchy([["F", "*"], ["M", "*"]])
    >>> project = Project(data=table, attributes={"age": {"role": "quasi-identifier", "hierarchy": age},
    ...                                           "sex": {"role": "quasi-identifier", "hierarchy": sex}},
    ...                   privacy=[KAnonymity(k=2)])
    >>> project.quasi_identifiers
    ['age', 'sex']
    """

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)

    data: str | Table
    format: DataFormat = Field(default_factory=DataFormat)
    attributes: dict[str, Attribute] = Field(default_factory=dict)
    privacy: list[PrivacyModel] = Field(default_factory=list)
    suppression_limit: float = Field(default=0.0, ge=0.0, le=1.0, strict=True)
    assume_monotonicity: bool = Field(
        default=False, description="treat every privacy model as monotonic (ARX's practical "
        "monotonicity): faster with non-monotonic models, but the optimum may be missed")
    metric: MetricConfig = Field(default_factory=lambda: parse_metric("loss"))
    transformation: TransformationSettings | None = None
    release: ReleaseSettings | None = None
    search: SearchSettings = Field(default_factory=SearchSettings)
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    source: Path | None = Field(default=None, exclude=True)
    # hierarchies read from files, per attribute: (path, size, mtime) -> Hierarchy or the error
    _hierarchies: dict[str, tuple[tuple, Hierarchy | WizardError]] = PrivateAttr(default_factory=dict)

    def __init__(self, /, **data: Any) -> None:
        # A project built in code fails like a project file: one ProjectError paragraph.
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise _InvalidProject(error) from None

    @field_validator("data", mode="before")
    @classmethod
    def _data_is_a_file(cls, value: Any) -> Any:
        return _path_or(value, Table, "must be the path of the table (CSV, TSV, XLSX or Parquet), "
                        "relative to the project file, e.g. `data: patients.csv`")

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes_by_name(cls, value: Any) -> Any:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise ValueError("must map column names to their settings, e.g. `age: {role: "
                             "quasi-identifier, hierarchy: hierarchy_age.csv}` on its own line")
        for key in value:
            if isinstance(key, bool):
                raise ValueError(f"a column name was read by YAML as {str(key).lower()}, not as text "
                                 f"(YAML reads unquoted yes/no/on/off that way); put the name in quotes, "
                                 f"e.g. \"no\": {{role: insensitive}}")
            if not isinstance(key, str):
                raise ValueError(f"the column name {key!r} was read by YAML as a number, not as text; "
                                 f"put it in quotes, e.g. \"{key}\": {{role: insensitive}}")
        return value

    @field_validator("privacy", mode="before")
    @classmethod
    def _parse_privacy(cls, value: Any) -> Any:
        return parse_privacy_models(value)

    @field_validator("metric", mode="before")
    @classmethod
    def _parse_metric(cls, value: Any) -> Any:
        return parse_metric(value)

    @model_validator(mode="after")
    def _models_fit_the_roles(self) -> Project:
        for model in self.privacy:
            name = model.sensitive_attribute
            if name is None:
                continue
            attribute = self.attributes.get(name)
            if attribute is None or attribute.role is not Role.SENSITIVE:
                role = "not listed under `attributes`" if attribute is None else f"has role {attribute.role.value}"
                raise ValueError(f"the privacy model {model} protects {name!r}, which {role}; give it "
                                 f"`{name}: {{role: sensitive}}` (a model protects a sensitive attribute)")
            if getattr(model, "distance", None) == "hierarchical" and attribute.hierarchy is None:
                raise ValueError(f"hierarchical t-closeness on {name!r} measures distances in its "
                                 f"hierarchy: add `hierarchy: FILE.csv` to {name!r}, or use "
                                 f"`distance: equal` or `ordered`")
        return self

    # -- convenience views -------------------------------------------------------------
    def with_role(self, role: Role) -> list[str]:
        """Names of the attributes with ``role``, in project order."""
        return [name for name, attribute in self.attributes.items() if attribute.role is role]

    @property
    def quasi_identifiers(self) -> list[str]:
        return self.with_role(Role.QUASI_IDENTIFIER)

    @property
    def identifiers(self) -> list[str]:
        return self.with_role(Role.IDENTIFIER)

    @property
    def sensitive(self) -> list[str]:
        return self.with_role(Role.SENSITIVE)

    def resolve(self, relative: str | Path) -> Path:
        """A path of the project, resolved against the project file's folder."""
        path = Path(relative).expanduser()
        return path if path.is_absolute() else (self.base_dir / path)

    @property
    def input_files(self) -> list[Path]:
        """The files this project reads: the data table, the project file and every hierarchy
        file (outputs are never written over them, see :mod:`eucaim_wizard.tables.output`)."""
        files = [path for path in (self.data_path, self.source) if path is not None]
        for attribute in self.attributes.values():
            hierarchy = attribute.hierarchy
            if isinstance(hierarchy, str) and not hierarchy.startswith("preset:"):
                files.append(self.resolve(hierarchy))
        return files

    @property
    def data_path(self) -> Path | None:
        """The data file, or ``None`` when the table was given in memory."""
        if isinstance(self.data, Table):
            return self.data.path
        return self.resolve(self.data)

    # -- loading -----------------------------------------------------------------------
    def load_table(self) -> Table:
        """Read the data table (or return the in-memory one)."""
        if isinstance(self.data, Table):
            return self.data
        path = self.resolve(self.data)
        try:
            os.stat(path)
        except FileNotFoundError:
            folder = "the project file's folder" if self.source else "the project's base_dir"
            raise ProjectError(
                f"{self.source or 'project'}: the data file {path} (from `data: {self.data}`) does not "
                f"exist; relative paths start at {folder}, {self.base_dir}.") from None
        except OSError:
            existing_file(path)  # (a name too long, a folder it may not read: said in one paragraph)
        fmt = self.format
        return read_table(path, kind=fmt.kind, delimiter=fmt.delimiter, encoding=fmt.encoding,
                          quotechar=fmt.quotechar, sheet=fmt.sheet)

    def load_hierarchy(self, name: str) -> Hierarchy:
        """The hierarchy of quasi-identifier ``name``, read from its file if needed.

        A file is read once per project (and again only if it changes on disk), so that
        validating and then anonymizing a project does not parse each file twice; the
        :attr:`~eucaim_wizard.hierarchies.hierarchy.Hierarchy.notes` of the reading stay available.

        Raises
        ------
        ProjectError
            If ``name`` is not an attribute with a hierarchy.
        HierarchyError
            If the file cannot be read (missing, empty, ragged rows, ...).
        """
        attribute = self.attributes.get(name)
        if attribute is None or attribute.hierarchy is None:
            raise ProjectError(f"{name!r} is not an attribute with a hierarchy; the quasi-identifiers "
                               f"of the project are: {', '.join(self.quasi_identifiers) or '(none)'}.")
        if isinstance(attribute.hierarchy, Hierarchy):
            return attribute.hierarchy
        if isinstance(attribute.hierarchy, BuilderSpec) or attribute.hierarchy.startswith("preset:"):
            from .hierarchies.presets import hierarchy_for_attribute  # built from the column's values, kept here

            return hierarchy_for_attribute(self, name)
        path = self.resolve(attribute.hierarchy)
        try:
            stat = path.stat()
            key: tuple = (path, stat.st_size, stat.st_mtime_ns)
        except OSError:
            key = ()  # unreadable: never cached, read_hierarchy says why
        cached = self._hierarchies.get(name)
        if key and cached is not None and cached[0] == key:
            if isinstance(cached[1], WizardError):
                raise cached[1]
            return cached[1]
        try:
            hierarchy = read_hierarchy(path, name=name, has_header=attribute.hierarchy_header)
        except WizardError as error:
            if key:
                self._hierarchies[name] = (key, error)
            raise
        if key:
            self._hierarchies[name] = (key, hierarchy)
        return hierarchy

    def check_against(self, table: Table) -> list[Finding]:
        """Findings about this project on ``table``: columns, hierarchies, level ranges, models.

        Returns every finding (errors, warnings, notes) instead of stopping at the first, so
        that ``eucaim-wizard validate`` can show them all in one table.  Codes:
        ``unknown-column`` (error), ``unlisted-columns`` (info), ``no-records`` (error),
        ``hierarchy-unreadable`` / ``ragged-rows`` (error), the findings of
        :meth:`Hierarchy.findings` and :meth:`Hierarchy.check_values`, ``bad-level-range``
        (error), ``no-quasi-identifiers`` (warning), ``no-privacy-model`` (error).
        """
        findings: list[Finding] = []
        where = str(self.source or "project")
        missing = [name for name in self.attributes if name not in table.columns]
        if missing:
            findings.append(Finding(
                "error", "unknown-column",
                f"attribute(s) {', '.join(map(repr, missing))} under `attributes:` are not columns of "
                f"the data; the data has: {', '.join(table.columns)}. Fix the names (they are "
                f"case-sensitive) or remove the entries.", where=where, values=tuple(missing)))
        unlisted = [c for c in table.columns if c not in self.attributes]
        if unlisted:
            findings.append(Finding(
                "info", "unlisted-columns",
                f"{len(unlisted)} column(s) not listed under `attributes:` are treated as "
                f"insensitive: {', '.join(unlisted[:10])}{' …' if len(unlisted) > 10 else ''}",
                where=where, values=tuple(unlisted[:10])))
        if table.n_rows == 0:
            findings.append(Finding("error", "no-records", "the data has a header but no records; "
                                    "export the table again with its rows.", where=where))
        for name in self.quasi_identifiers:
            if name in table.columns:
                findings.extend(self._hierarchy_findings(name, table))
        if not self.quasi_identifiers:
            findings.append(Finding(
                "warning", "no-quasi-identifiers",
                "no attribute is a quasi-identifier: nothing will be generalized. Mark the attributes "
                "an attacker may know as `role: quasi-identifier` with a `hierarchy:`.", where=where))
        if not self.privacy:
            findings.append(Finding(
                "error", "no-privacy-model",
                "no privacy model under `privacy:`, so there is nothing to anonymize for; add one, "
                "e.g. `privacy: [{k-anonymity: {k: 10}}]`.", where=where))
        return findings

    def _hierarchy_findings(self, name: str, table: Table) -> list[Finding]:
        try:
            hierarchy = self.load_hierarchy(name)
        except WizardError as error:
            code = error.findings[0].code if error.findings else "hierarchy-unreadable"
            return [Finding("error", code, str(error), where=name)]
        found = hierarchy.findings()
        if hierarchy.name is None:  # built in code without a name: say which attribute it is for
            found = [dataclasses.replace(f, where=name) for f in found]
        counts = np.bincount(table.codes(name), minlength=len(table.categories(name)))
        found += hierarchy.check_values(list(table.categories(name)), counts.tolist(), column=name)
        if self.quotes_hidden(name, hierarchy, table):  # (the data's own values may still be named)
            found = [f if f.code == "missing-values" else hide_quotes(f, keep=name) for f in found]
        top = hierarchy.n_levels - 1
        attribute = self.attributes[name]
        for key in ("min_level", "max_level"):
            level = getattr(attribute, key)
            if level is not None and level > top:
                found.append(Finding(
                    "error", "bad-level-range",
                    f"attributes.{name}.{key} is {level} but its hierarchy has levels 0–{top}; "
                    f"use a value between 0 and {top}.", where=name))
        return found

    def quotes_hidden(self, name: str, hierarchy: Hierarchy, table: Table) -> bool:
        """Whether findings about ``name``'s hierarchy must not quote its content: a file that
        shares no value with the column is not this column's hierarchy (``/etc/passwd`` named
        by mistake, or by someone probing), and is never echoed, wherever it lies."""
        given = self.attributes[name].hierarchy
        if not isinstance(given, str) or given.startswith("preset:"):
            return False
        return not set(map(str, hierarchy.values().tolist())) & set(map(str, table.categories(name).tolist()))

    def level_range(self, name: str, hierarchy: Hierarchy) -> tuple[int, int]:
        """The (min, max) generalization levels allowed for quasi-identifier ``name``.

        ``min_level`` defaults to 0 (the original values), ``max_level`` to the hierarchy's
        top level.

        Raises
        ------
        ProjectError
            If a given level is above the hierarchy's top level.
        """
        attribute = self.attributes[name]
        top = hierarchy.n_levels - 1
        for key in ("min_level", "max_level"):
            level = getattr(attribute, key)
            if level is not None and level > top:
                raise ProjectError(f"attributes.{name}.{key} is {level} but its hierarchy has levels "
                                   f"0–{top}; set it between 0 and {top}.")
        low = 0 if attribute.min_level is None else attribute.min_level
        high = top if attribute.max_level is None else attribute.max_level
        return low, high

class _InvalidProject(ProjectError):
    """A project that pydantic rejects; the message is rebuilt naming the file when there is one."""

    def __init__(self, error: ValidationError):
        super().__init__(_explain(error, None))
        self.validation_error = error


class _DuplicateKey(yaml.constructor.ConstructorError):
    pass


class _UniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """PyYAML's safe loader, refusing a key given twice in one mapping (PyYAML keeps the last
    silently, so a column listed twice would lose its first settings without a word).

    On libyaml's parser where PyYAML has it (much faster than the pure-Python one); the
    constructor is PyYAML's either way.
    """

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            self.flatten_mapping(node)
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.get(key)
                except TypeError:  # an unhashable key: let PyYAML report it
                    continue
                if first is not None:
                    raise _DuplicateKey(
                        None, None, f"the key {key!r} is given twice (first at line {first})",
                        key_node.start_mark)
                seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def load_project(path: str | Path) -> Project:
    """Read and validate a project file (YAML).

    Raises
    ------
    ProjectError
        With one paragraph naming the file and the offending key (or line, for YAML syntax).
    """
    path = Path(path)
    kind = special_file(path)
    if kind is not None and kind != "a folder":
        raise ProjectError(f"{path} is {kind}, not a project file; give the path of the project file (YAML).")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(f"project file {path} does not exist; create one with `eucaim-wizard init DATA`.") from None
    except IsADirectoryError:
        raise ProjectError(f"{path} is a folder; give the project file (YAML) inside it.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProjectError(f"project file {path} cannot be read ({error}); save it as UTF-8 text.") from None
    try:
        raw = yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        advice = ("keep one of them" if isinstance(error, _DuplicateKey) else
                  "check the indentation and quoting there (values with ':' or '#' need quotes)")
        raise ProjectError(f"project file {path} is not valid YAML{at}: {problem}; {advice}.") from None
    if not isinstance(raw, dict):
        raise ProjectError(
            f"project file {path} must be a YAML mapping with at least `data:` and `attributes:`; "
            f"create one with `eucaim-wizard init DATA`."
        )
    return project_from_dict(raw, base_dir=path.resolve().parent, source=path)


def project_from_dict(raw: dict[str, Any], *, base_dir: Path | None = None, source: Path | None = None) -> Project:
    """Validate a project given as a mapping (the parsed YAML); paths are relative to ``base_dir``."""
    where = str(source) if source else "project"
    internal = [key for key in raw if key in ("base_dir", "source") or not isinstance(key, str)]
    if internal:
        raise ProjectError(f"{where} is not a valid project: unknown key `{internal[0]}` at the top level; "
                           f"known keys: {', '.join(_KNOWN_KEYS[()])}.")
    try:
        return Project.model_validate({**raw, "base_dir": base_dir or Path.cwd(), "source": source})
    except _InvalidProject as error:  # raised by Project.__init__, which model_validate calls
        raise ProjectError(_explain(error.validation_error, where)) from None
    except ValidationError as error:
        raise ProjectError(_explain(error, where)) from None


_KNOWN_KEYS = {
    (): sorted(Project.model_fields.keys() - {"base_dir", "source"}),
    ("attributes", "*"): sorted(Attribute.model_fields),
    ("format",): sorted(DataFormat.model_fields),
    ("metric",): sorted(MetricConfig.model_fields.keys() - {"name"}),
}


def _explain(error: ValidationError, where: str | None) -> str:
    """Turn pydantic's report into one paragraph a curator can act on, naming every key."""
    parts = []
    for item in error.errors():
        loc = tuple(str(p) for p in item["loc"])
        key = ".".join(loc) or "(top level)"
        if item["type"] == "extra_forbidden":
            parent = loc[:-1]
            pattern = ("attributes", "*") if len(parent) == 2 and parent[0] == "attributes" else parent
            known = _KNOWN_KEYS.get(pattern)
            hint = f"; known keys here: {', '.join(known)}" if known else ""
            at = f"at {key}" if parent else "at the top level"
            parts.append(f"unknown key `{loc[-1]}` {at}{hint}")
        elif item["type"] == "missing":
            parts.append(f"`{key}` is required")
        else:
            message = item["msg"].removeprefix("Value error, ")
            value = item.get("input")
            plain = not isinstance(value, (dict, list)) and value is not None and repr(value) not in message
            parts.append(f"`{key}`: {message}" + (f" (got {value!r})" if plain else ""))
    if where is None:
        return "the project is not valid: " + "; ".join(parts) + "."
    return (f"{where} is not a valid project: " + "; ".join(parts)
            + ". Fix the file and run `eucaim-wizard validate` again.")


def hide_text(text: str, keep: str = "") -> str:
    """``text`` with every quoted value replaced by ``'…'`` (``keep``, the column's name, stays)."""
    import re

    def hidden(match: re.Match) -> str:
        return match.group(0) if match.group(0)[1:-1] == keep else "'…'"

    return re.sub(r"'[^'\n]*'|\"[^\"\n]*\"", hidden, text)


def hide_quotes(finding: Finding, keep: str = "", why: str = "the file's content is not shown") -> Finding:
    """``finding`` without the values it quotes (:func:`hide_text`), saying ``why``."""
    return dataclasses.replace(finding, message=hide_text(finding.message, keep) + f" ({why})", values=())

