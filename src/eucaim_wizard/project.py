"""The project: which table, which role each column plays, hierarchies, privacy and limits.

A project is written as YAML (paths relative to the file) and validated with pydantic::

    data: adult.csv                # CSV/TSV/XLSX/Parquet
    format: {delimiter: ";"}       # optional: delimiter, encoding, quotechar, sheet
    attributes:
      age:  {role: quasi-identifier, hierarchy: adult_hierarchy_age.csv, min_level: 0, max_level: 4}
      sex:  {role: quasi-identifier, hierarchy: adult_hierarchy_sex.csv}
      occupation: {role: sensitive}
    privacy:
      - k-anonymity: {k: 5}
    suppression_limit: 0.05
    metric: loss

The same :class:`Project` can be built in code, with :class:`~eucaim_wizard.hierarchy.Hierarchy`
objects and a :class:`~eucaim_wizard.table.Table` in place of file names.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .errors import Finding, ProjectError, WizardError
from .hierarchy import Hierarchy, read_hierarchy
from .metrics import MetricConfig, parse_metric
from .privacy import PrivacyModel, parse_privacy_models
from .table import Table, TableFormat, read_table


class Role(str, Enum):
    """What a column is to an attacker (the four roles of ARX)."""

    IDENTIFIER = "identifier"  #: names a person directly; removed from every output
    QUASI_IDENTIFIER = "quasi-identifier"  #: known to an attacker; generalized by a hierarchy
    SENSITIVE = "sensitive"  #: to be protected (l-diversity, t-closeness, ...); kept as is
    INSENSITIVE = "insensitive"  #: kept as is, not considered by the privacy models


class Attribute(BaseModel):
    """The configuration of one column."""

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True, frozen=True)

    role: Role = Role.INSENSITIVE
    hierarchy: str | Hierarchy | None = Field(
        default=None, description="ARX hierarchy CSV (path relative to the project file), or a Hierarchy"
    )
    min_level: int | None = Field(default=None, ge=0, description="lowest generalization level allowed")
    max_level: int | None = Field(default=None, ge=0, description="highest generalization level allowed")
    weight: float = Field(default=0.5, ge=0.0, le=1.0, description="attribute weight for the information-loss metric")

    @model_validator(mode="after")
    def _levels_in_order(self) -> Attribute:
        if self.min_level is not None and self.max_level is not None and self.min_level > self.max_level:
            raise ValueError(f"min_level ({self.min_level}) is above max_level ({self.max_level})")
        if self.role is not Role.QUASI_IDENTIFIER and (
            self.min_level is not None or self.max_level is not None
        ):
            raise ValueError("min_level/max_level only apply to a quasi-identifier")
        return self


class DataFormat(BaseModel):
    """Options for reading the data file; anything not given is detected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    delimiter: str | None = None
    encoding: str | None = None
    quotechar: str | None = None
    sheet: str | int | None = None

    @field_validator("delimiter", "quotechar")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is not None and len(value) != 1:
            raise ValueError(f"must be a single character, got {value!r} (write a tab as \"\\t\")")
        return value


class Project(BaseModel):
    """A validated project: data, roles, hierarchies, privacy models and limits.

    Parameters
    ----------
    data
        The table, as a path (relative to ``base_dir``) or an in-memory
        :class:`~eucaim_wizard.table.Table`.
    attributes
        Column name → :class:`Attribute`. Columns of the data not listed are insensitive.
    privacy
        The privacy models that must all hold, e.g. ``[KAnonymity(k=5)]``; in YAML a list
        of one-key mappings such as ``- k-anonymity: {k: 5}``.
    suppression_limit
        The largest share of records (0–1) that may be suppressed.
    metric
        The information-loss model the search minimises (default: ARX's Loss).
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
    suppression_limit: float = Field(default=0.0, ge=0.0, le=1.0)
    metric: MetricConfig = Field(default_factory=lambda: parse_metric("loss"))
    base_dir: Path = Field(default_factory=Path.cwd, exclude=True)
    source: Path | None = Field(default=None, exclude=True)

    @field_validator("privacy", mode="before")
    @classmethod
    def _parse_privacy(cls, value: Any) -> Any:
        return parse_privacy_models(value)

    @field_validator("metric", mode="before")
    @classmethod
    def _parse_metric(cls, value: Any) -> Any:
        return parse_metric(value)

    @model_validator(mode="after")
    def _needs_a_model(self) -> Project:
        for name, attribute in self.attributes.items():
            if attribute.role is Role.QUASI_IDENTIFIER and attribute.hierarchy is None:
                raise ValueError(
                    f"attribute {name!r} is a quasi-identifier but has no hierarchy: give "
                    f"`hierarchy: FILE.csv` (ARX format) or make it insensitive"
                )
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
        fmt = self.format
        return read_table(
            self.resolve(self.data),
            delimiter=fmt.delimiter,
            encoding=fmt.encoding,
            quotechar=fmt.quotechar,
            sheet=fmt.sheet,
        )

    def load_hierarchy(self, name: str) -> Hierarchy:
        """The hierarchy of quasi-identifier ``name``, read from its file if needed."""
        spec = self.attributes[name].hierarchy
        if isinstance(spec, Hierarchy):
            return spec
        if spec is None:
            raise ProjectError(f"attribute {name!r} has no hierarchy")
        return read_hierarchy(self.resolve(spec), name=name)

    def check_against(self, table: Table) -> list[Finding]:
        """Findings about this project on ``table``: unknown columns, level ranges, hierarchies.

        Returns every finding (errors, warnings, notes) instead of stopping at the first, so
        that ``eucaim-wizard validate`` can show them all in one table.
        """
        findings: list[Finding] = []
        where = str(self.source or "project")
        missing = [name for name in self.attributes if name not in table.columns]
        if missing:
            findings.append(
                Finding(
                    "error",
                    "unknown-column",
                    f"attribute(s) {', '.join(map(repr, missing))} are not columns of the data; "
                    f"the data has: {', '.join(table.columns)}. Fix the names under `attributes:`.",
                    where=where,
                    values=tuple(missing),
                )
            )
        unlisted = [c for c in table.columns if c not in self.attributes]
        if unlisted:
            findings.append(
                Finding(
                    "info",
                    "unlisted-columns",
                    f"{len(unlisted)} column(s) not listed under `attributes:` are treated as "
                    f"insensitive: {', '.join(unlisted[:10])}{' …' if len(unlisted) > 10 else ''}",
                    where=where,
                    values=tuple(unlisted[:10]),
                )
            )
        for name in self.quasi_identifiers:
            if name not in table.columns:
                continue
            try:
                hierarchy = self.load_hierarchy(name)
            except WizardError as error:
                findings.extend(error.findings or [Finding("error", "hierarchy-unreadable", str(error), where=name)])
                continue
            findings.extend(hierarchy.findings())
            categories = table.categories(name)
            counts = _counts(table, name)
            findings.extend(hierarchy.check_values(list(categories), list(counts), column=name))
            findings.extend(self._level_findings(name, hierarchy))
        if not self.quasi_identifiers:
            findings.append(
                Finding("warning", "no-quasi-identifiers",
                        "no attribute is a quasi-identifier: nothing will be generalized. "
                        "Mark the attributes an attacker may know as `role: quasi-identifier`.",
                        where=where)
            )
        return findings

    def _level_findings(self, name: str, hierarchy: Hierarchy) -> list[Finding]:
        attribute = self.attributes[name]
        top = hierarchy.n_levels - 1
        problems = []
        for key in ("min_level", "max_level"):
            level = getattr(attribute, key)
            if level is not None and level > top:
                problems.append(
                    Finding(
                        "error",
                        "bad-level-range",
                        f"attributes.{name}.{key} is {level} but its hierarchy has levels 0–{top}; "
                        f"use a value between 0 and {top}.",
                        where=name,
                    )
                )
        return problems

    def level_range(self, name: str, hierarchy: Hierarchy) -> tuple[int, int]:
        """The (min, max) generalization levels allowed for quasi-identifier ``name``."""
        attribute = self.attributes[name]
        top = hierarchy.n_levels - 1
        low = 0 if attribute.min_level is None else attribute.min_level
        high = top if attribute.max_level is None else attribute.max_level
        if not 0 <= low <= high <= top:
            raise ProjectError(
                f"attributes.{name}: level range {low}–{high} does not fit its hierarchy "
                f"(levels 0–{top}); set min_level/max_level between 0 and {top}."
            )
        return low, high

    def table_format(self, table: Table) -> TableFormat:
        """The format outputs are written in: the input's own."""
        return table.format


def _counts(table: Table, name: str):
    import numpy as np

    return np.bincount(table.codes(name), minlength=len(table.categories(name)))


def load_project(path: str | Path) -> Project:
    """Read and validate a project file (YAML).

    Raises
    ------
    ProjectError
        With one paragraph naming the file and the offending key.
    """
    import yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProjectError(f"project file {path} does not exist; create one with `eucaim-wizard init DATA`.") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ProjectError(f"project file {path} cannot be read ({error}); save it as UTF-8 text.") from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise ProjectError(
            f"project file {path} is not valid YAML{at}: {problem}. Check the indentation and "
            f"quoting there (values with ':' or '#' need quotes)."
        ) from None
    if not isinstance(raw, dict):
        raise ProjectError(
            f"project file {path} must be a YAML mapping with at least `data:` and `attributes:`; "
            f"create one with `eucaim-wizard init DATA`."
        )
    return project_from_dict(raw, base_dir=path.resolve().parent, source=path)


def project_from_dict(raw: dict[str, Any], *, base_dir: Path | None = None, source: Path | None = None) -> Project:
    """Validate a project given as a mapping (the parsed YAML)."""
    where = str(source) if source else "project"
    try:
        return Project(**raw, base_dir=base_dir or Path.cwd(), source=source)
    except ValidationError as error:
        raise ProjectError(_explain(error, where)) from None
    except TypeError as error:  # e.g. a key that collides with a keyword argument
        raise ProjectError(f"{where}: {error}") from None


_KNOWN_KEYS = {
    (): sorted(Project.model_fields.keys() - {"base_dir", "source"}),
    ("attributes", "*"): sorted(Attribute.model_fields),
    ("format",): sorted(DataFormat.model_fields),
}


def _explain(error: ValidationError, where: str) -> str:
    """Turn pydantic's report into one paragraph a curator can act on."""
    parts = []
    for item in error.errors():
        loc = tuple(str(p) for p in item["loc"])
        key = ".".join(loc) or "(top level)"
        if item["type"] == "extra_forbidden":
            parent = loc[:-1]
            pattern = ("attributes", "*") if len(parent) == 2 and parent[0] == "attributes" else parent
            known = _KNOWN_KEYS.get(pattern)
            hint = f"; known keys here: {', '.join(known)}" if known else ""
            parts.append(f"unknown key `{loc[-1]}` at {key}{hint}")
        elif item["type"] == "missing":
            parts.append(f"`{key}` is required")
        else:
            message = item["msg"].removeprefix("Value error, ")
            value = item.get("input")
            shown = "" if isinstance(value, (dict, list)) or value is None else f" (got {value!r})"
            parts.append(f"`{key}`: {message}{shown}")
    return f"{where} is not a valid project: " + "; ".join(parts) + ". Fix the file and run `eucaim-wizard validate` again."
