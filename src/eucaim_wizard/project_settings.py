"""The settings a project is made of, below the project itself: a column's role and settings
(:class:`Role`, :class:`Attribute`: the entries under ``attributes:``) and the options for
reading the data file (:class:`DataFormat`: ``format:``).

Apart from :mod:`.project` because each validates on its own, without the table, the other
columns or the privacy models; :class:`~.project.Project` (which re-exports them, so that
``from eucaim_wizard.project import Attribute, DataFormat, Role`` keeps working) checks how
they fit together.
"""

from __future__ import annotations

import os
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from .errors import HierarchyError
from .hierarchies.builders import BuilderSpec
from .hierarchies.hierarchy import Hierarchy


def _path_or(value: Any, kind: type, message: str) -> Any:
    """A file name (str or path-like, kept as str) or an in-memory ``kind``; else ``message``."""
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    if not isinstance(value, (str, kind)):
        raise ValueError(message)
    return value


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
    hierarchy: str | Hierarchy | BuilderSpec | None = Field(
        default=None, description="ARX hierarchy CSV (path relative to the project file), `preset:NAME`, "
        "a builder spec `{builder: NAME, ...}`, or a Hierarchy"
    )
    hierarchy_header: bool | None = Field(
        default=None, description="whether the hierarchy file's first row is a header (default: detected)")
    min_level: int | None = Field(default=None, ge=0, strict=True, description="lowest generalization level allowed")
    max_level: int | None = Field(default=None, ge=0, strict=True, description="highest generalization level allowed")
    weight: float = Field(default=0.5, ge=0.0, le=1.0, strict=True,
                          description="attribute weight for the information-loss metric")
    pseudonymize: bool = Field(default=False, description="identifier only: keep a keyed hash (HMAC-SHA-256) as a linkage key")
    pseudonym_prefix: str = Field(default="", description="text put before every pseudonym, e.g. `EUCAIM-`")
    secret_env: str | None = Field(default=None, description="environment variable holding the pseudonyms' secret")
    secret_file: str | None = Field(default=None, description="file holding the pseudonyms' secret (relative to the project file)")

    @model_validator(mode="before")
    @classmethod
    def _settings_given(cls, value: Any) -> Any:
        if value is None:  # `age:` with nothing after it
            raise ValueError("give the column's settings, e.g. `{role: insensitive}` or "
                             "`{role: quasi-identifier, hierarchy: FILE.csv}`")
        if isinstance(value, dict) and "secret" in value:  # never echo it back in a message
            raise ValueError("a secret is never written in the project file, which travels with the "
                             "data; name where to read it with `secret_env: VARIABLE` or `secret_file: FILE`")
        return value

    @field_validator("hierarchy", mode="before")
    @classmethod
    def _hierarchy_is_a_file(cls, value: Any) -> Any:
        if value is None or isinstance(value, BuilderSpec):
            return value
        if isinstance(value, dict):  # {builder: intervals, widths: [5, 10]}: checked now, built on the data
            try:
                return BuilderSpec.parse(value)
            except HierarchyError as error:
                raise ValueError(str(error).rstrip(".")) from None
        if isinstance(value, str) and value.startswith("preset:"):
            from .hierarchies.presets import check_preset_name

            return check_preset_name(value)
        return _path_or(value, Hierarchy, "must be the path of an ARX hierarchy CSV file (relative to "
                        "the project file, e.g. `hierarchy: hierarchy_age.csv`), a preset "
                        "(`hierarchy: preset:age`) or a builder (`hierarchy: {builder: intervals, "
                        "widths: [5, 10]}`)")

    @model_validator(mode="after")
    def _consistent(self) -> Attribute:
        if self.role is Role.QUASI_IDENTIFIER and self.hierarchy is None:
            raise ValueError("a quasi-identifier needs a generalization hierarchy: add `hierarchy: "
                             "FILE.csv` (ARX format, path relative to the project file), or give the "
                             "column another role")
        if self.min_level is not None and self.max_level is not None and self.min_level > self.max_level:
            raise ValueError(f"min_level ({self.min_level}) is above max_level ({self.max_level}); "
                             f"min_level must be at most max_level")
        if self.role is not Role.QUASI_IDENTIFIER and (
            self.min_level is not None or self.max_level is not None
        ):
            raise ValueError(f"min_level/max_level only apply to a quasi-identifier, and this "
                             f"column's role is {self.role.value}")
        given = [k for k in ("pseudonym_prefix", "secret_env", "secret_file") if getattr(self, k)]
        if (self.pseudonymize or given) and self.role is not Role.IDENTIFIER:
            keys = ["pseudonymize"] * self.pseudonymize + given
            raise ValueError(f"{', '.join(keys)} only apply to a column of role identifier, and this "
                             f"column's role is {self.role.value}")
        if given and not self.pseudonymize:
            raise ValueError(f"{', '.join(given)} given but not `pseudonymize: true`; add it to keep a "
                             f"pseudonym, or remove them to drop the column")
        if self.pseudonymize and (self.secret_env is None) == (self.secret_file is None):
            raise ValueError("`pseudonymize: true` needs exactly one of `secret_env: VARIABLE` or "
                             "`secret_file: FILE` to say where the secret is read (never the project file)")
        return self


class DataFormat(BaseModel):
    """Options for reading the data file; anything not given is detected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["csv", "xlsx", "parquet"] | None = Field(
        default=None, description="the file type, when its suffix does not tell it")
    delimiter: str | None = None
    encoding: str | None = None
    quotechar: str | None = None
    sheet: str | int | None = None

    @field_validator("delimiter", "quotechar")
    @classmethod
    def _one_character(cls, value: str | None) -> str | None:
        if value is not None and len(value) != 1:
            raise ValueError("must be a single character (write a tab as \"\\t\")")
        return value


class TransformationSettings(BaseModel):
    """``transformation:`` — the candidate to release instead of the optimum, chosen by the
    curator: by its ``levels`` (``{age: 2, sex: 0}`` or the text ``"2,0"`` / ``"age=2,sex=0"``)
    or by its number ``pick`` in the listing ``explore`` shows with ``sort`` and ``all``.
    ``anonymize`` and ``run`` then release it (refused, with the reason, if it is not
    anonymous), and the report compares it with the optimum."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    levels: dict[str, int] | str | None = None
    pick: int | None = Field(default=None, ge=1)
    sort: Literal["loss", "risk", "suppressed"] = "loss"
    all: bool = False

    @model_validator(mode="after")
    def _one_way(self) -> TransformationSettings:
        if self.levels is not None and self.pick is not None:
            raise ValueError("give either levels or pick (a row of the listing), not both")
        if self.levels is None and self.pick is None:
            raise ValueError("give the levels of the candidate to release (levels: {name: level, ...}) or its "
                             "row in the listing of `explore` (pick: N)")
        return self

    def choice(self):
        """The :class:`~eucaim_wizard.explore.Choice` this describes."""
        from .explore import Choice

        return Choice(levels=self.levels, pick=self.pick, sort=self.sort, everything=self.all)


class ReleaseSettings(BaseModel):
    """``release:`` — who releases the data and why: shown on the report's first page with the
    project file's SHA-256, for the data protection officer."""

    model_config = ConfigDict(extra="forbid")

    curator: str | None = None
    rationale: str | None = None
    approved_by: str | None = None
    #: write CSV/TSV cells that begin like a formula (= + - @) as they are, without the
    #: ``'`` prefix that keeps spreadsheets from running them (see ``tables/formulas.py``)
    keep_formulas: StrictBool = False


#: the largest lattice ``strategy: auto`` searches optimally (the optimal search's per-node
#: arrays take about 100 bytes a node); beyond, it runs the best-effort search
OPTIMAL_UP_TO = 5_000_000


class SearchSettings(BaseModel):
    """``search:`` — how the lattice is searched (:mod:`eucaim_wizard.engine.heuristic`).

    ``strategy``: ``optimal`` (exact; lattices up to 5,000,000 transformations), ``best-first``
    (best effort, anytime: any lattice numbered in 64 bits; it says whether its answer is proven
    optimal and how far from optimal it may be) or ``auto`` (the default: optimal up to
    5,000,000, best-first beyond).  ``time_limit`` (seconds, or text such as ``30s``, ``2m``)
    and ``steps`` (checks) stop a best-first search, which then returns the best anonymous
    transformation found so far."""

    model_config = ConfigDict(extra="forbid")

    strategy: Literal["optimal", "best-first", "auto"] = "auto"
    time_limit: float | None = Field(default=30.0, gt=0)
    steps: int | None = Field(default=None, ge=1, strict=True)

    @field_validator("time_limit", mode="before")
    @classmethod
    def _seconds(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip().lower()
            units = {"ms": 0.001, "s": 1, "m": 60, "min": 60, "h": 3600}
            for unit in sorted(units, key=len, reverse=True):
                if text.endswith(unit):
                    number = text[:-len(unit)].strip()
                    try:
                        return float(number) * units[unit]
                    except ValueError:
                        break
            try:
                return float(text)
            except ValueError:
                raise ValueError(f"{value!r} is not a time; write seconds (30), or 30s, 2m, 1h") from None
        return value

    def resolve(self, lattice_size: int) -> str:
        """The strategy that runs on a lattice of this size."""
        if self.strategy == "auto":
            return "optimal" if lattice_size <= OPTIMAL_UP_TO else "best-first"
        return self.strategy

