"""The browser wizard's state, kept apart from Streamlit: what the curator chose, step by step,
and what the library computed from it (cached by what it depends on).

A :class:`Session` holds the table, the settings of every column (the entries of a project
file's ``attributes:``, as plain dicts), the privacy models, the limits and the chosen
candidate. :meth:`Session.project_text` writes them as a project file, and every computation
(search, listing, risk, utility, export) runs on the project loaded back from that text, so
that the ``project.yaml`` the curator downloads reproduces the release from the command line
(``eucaim-wizard run project.yaml``) byte for byte.

Everything the session writes goes into its own temporary folder (``workdir``): the uploaded
files, the project file, the hierarchies and the outputs offered for download.  Nothing is
written anywhere else unless the curator exports into a folder.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..errors import ProjectError, WizardError

if TYPE_CHECKING:
    from ..anonymizer import Result
    from ..explore import Candidate
    from ..project import Project
    from ..tables import Table

Progress = Callable[[int, int], None]

#: the steps of the wizard, in order: (key, title)
STEPS: tuple[tuple[str, str], ...] = (
    ("data", "Data"), ("roles", "Roles"), ("hierarchies", "Hierarchies"), ("privacy", "Privacy"),
    ("run", "Run"), ("explore", "Explore"), ("risk", "Risk"), ("utility", "Utility"), ("export", "Export"),
)
ROLES = ("identifier", "quasi-identifier", "sensitive", "insensitive")
#: a lattice up to this size is listed whole in Explore; a larger one around the optimum
EVERYTHING_UP_TO = 20_000


#: what the session writes into its folder (an upload is never saved under these names)
_OWN_NAMES = frozenset({"project.yaml", "release", "parquet"})
_OWN_PREFIXES = ("arx_import", "dicom_metadata", "hierarchy_", "upload_hierarchy_")


def _safe_name(name: str) -> str:
    """A file name for an upload: its last part, without characters a shell or a YAML file
    would misread."""
    base = Path(name.replace("\\", "/")).name.strip() or "data.csv"
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in base)
    return cleaned.lstrip(".") or "data.csv"


@dataclass
class Session:
    """One curator's work in the wizard (see the module's docstring)."""

    workdir: Path
    data_path: Path | None = None
    data_note: str = ""
    #: the table was made by the wizard (from an ARX project or DICOM files), not given as a file:
    #: the project bundle carries it
    data_derived: bool = False
    format: dict[str, Any] = field(default_factory=dict)
    table: Table | None = None
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    privacy: list[dict[str, Any]] = field(default_factory=lambda: [{"k-anonymity": {"k": 10}}])
    suppression_limit: float = 0.05
    metric: Any = "loss"
    population: str = "EU-27"
    threshold: float = 0.2
    confirmed_deidentified: bool = False
    release: dict[str, Any] = field(default_factory=dict)
    #: the project file's ``search:`` (strategy and limits), as given; empty: the default
    search: dict[str, Any] = field(default_factory=dict)
    selected: dict[str, int] | None = None
    #: the steps the curator has opened (Risk and Utility are complete once seen)
    visited: set[str] = field(default_factory=set)
    #: results of the library, by what they were computed from (see :meth:`cached`)
    cache: dict[tuple, Any] = field(default_factory=dict)

    # -- the session's folder ------------------------------------------------------------
    @classmethod
    def new(cls, root: str | Path | None = None) -> Session:
        """A session with a new temporary folder (under ``root``), removed when the session
        is garbage-collected or the process exits."""
        workdir = Path(tempfile.mkdtemp(prefix="eucaim-ui-", dir=root)).resolve()
        session = cls(workdir=workdir)
        weakref.finalize(session, shutil.rmtree, str(workdir), True)
        return session

    def close(self) -> None:
        """Remove the session's temporary folder now."""
        shutil.rmtree(self.workdir, ignore_errors=True)

    # -- data ------------------------------------------------------------------------------
    def save_upload(self, name: str, content: bytes) -> Path:
        """Keep an uploaded file in the session's folder (under a safe name, never one of the
        files the session writes there) and return its path."""
        safe = _safe_name(name)
        if safe in _OWN_NAMES or safe.startswith(_OWN_PREFIXES):
            safe = f"data_{safe}"
        path = self.workdir / safe
        path.write_bytes(content)
        return path

    def set_table(self, table: Table, path: Path, note: str, *, fmt: dict[str, Any] | None = None) -> None:
        """Use ``table`` (read from ``path``): every later step starts again from it."""
        self.table, self.data_path, self.data_note, self.data_derived = table, path, note, False
        self.format = dict(fmt or table_format(table))
        self.attributes, self.reasons, self.selected = {}, {}, None
        self.cache.clear()

    # -- the project -----------------------------------------------------------------------
    @property
    def quasi_identifiers(self) -> list[str]:
        return [name for name, entry in self.attributes.items() if entry.get("role") == "quasi-identifier"]

    def project_dict(self, *, levels: dict[str, int] | None = None) -> dict[str, Any]:
        """The project file's content, as YAML would load it; ``levels`` adds
        ``transformation: {levels: …}`` (the candidate released instead of the optimum)."""
        if self.data_path is None:
            raise ProjectError("no table yet: open or upload one in step 1, Data")
        data = self.data_path.name if self.data_path.parent == self.workdir else str(self.data_path)
        raw: dict[str, Any] = {"data": data}
        if self.format:
            raw["format"] = dict(self.format)
        raw["attributes"] = {name: _clean_attribute(entry) for name, entry in self.attributes.items()}
        raw["privacy"] = [dict(model) for model in self.privacy]
        raw["suppression_limit"] = float(self.suppression_limit)
        raw["metric"] = self.metric
        if self.search:
            raw["search"] = dict(self.search)
        if levels:
            raw["transformation"] = {"levels": {str(k): int(v) for k, v in levels.items()}}
        release = {k: v for k, v in self.release.items() if v not in (None, "", False)}
        if release:
            raw["release"] = release
        return raw

    def project_text(self, *, levels: dict[str, int] | None = None) -> str:
        """The project file (YAML) of the session's settings."""
        head = ("# eucaim-wizard project, written by the browser wizard (`eucaim-wizard ui`).\n"
                "# Reproduce the release from the command line: eucaim-wizard run project.yaml -o OUTDIR\n")
        if self.data_path is not None and self.data_path.parent == self.workdir:
            head += f"# Put this file beside {self.data_path.name} and the hierarchy files it names.\n"
        body = yaml.safe_dump(self.project_dict(levels=levels), sort_keys=False, allow_unicode=True, width=100)
        return head + body

    def key(self, *, levels: dict[str, int] | None = None) -> str:
        """What every computation depends on: the project file's text, and the data file and
        hierarchy files as they are now (size and time of change)."""
        digest = hashlib.sha256(self.project_text(levels=levels).encode("utf-8"))
        files = [self.workdir / entry["hierarchy"] for entry in self.attributes.values()  # (a file rewritten
                 if isinstance(entry.get("hierarchy"), str) and not entry["hierarchy"].startswith("preset:")]  # in place)
        digest.update(repr([self.data_stamp(), *(_stamp(path) for path in files)]).encode())
        return digest.hexdigest()

    def data_stamp(self) -> tuple:
        """The data file as it is now: its path, size and time of change."""
        return _stamp(self.data_path) if self.data_path is not None else ()

    def write_project(self, *, levels: dict[str, int] | None = None) -> Path:
        """The project file in the session's folder (written only when its text changed)."""
        path = self.workdir / "project.yaml"
        text = self.project_text(levels=levels)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        return path

    def project(self, *, levels: dict[str, int] | None = None) -> Project:
        """The project of the session's settings, loaded from the file it writes (so that it
        is exactly what ``eucaim-wizard run project.yaml`` would load); one per settings, so
        that its hierarchies (presets fitted to the data) are built once."""
        from ..project import load_project

        return self.cached("project", lambda: load_project(self.write_project(levels=levels)), levels=levels)

    def remember(self, what: str, depends: tuple, compute: Callable[[], Any], *, errors: bool = False) -> Any:
        """``compute()`` once per ``what``, data file and ``depends`` (cleared with the table);
        with ``errors``, a :class:`~eucaim_wizard.errors.WizardError` it raises is remembered
        and raised again."""
        key = (what, self.data_stamp(), depends)
        if key not in self.cache:
            try:
                self.cache[key] = compute()
            except WizardError as error:
                if not errors:
                    raise
                self.cache[key] = error
        if isinstance(self.cache[key], WizardError):
            raise self.cache[key]
        return self.cache[key]

    def cached(self, what: str, compute: Callable[[], Any], *, levels: dict[str, int] | None = None,
               extra: tuple = ()) -> Any:
        """``compute()`` once per ``what``, project and data (and ``extra``)."""
        return self.remember(what, (self.key(levels=levels), extra), compute)

    def peek(self, what: str, *, levels: dict[str, int] | None = None, extra: tuple = ()) -> Any:
        """What :meth:`cached` computed for these arguments, or None (never computes)."""
        return self.cache.get((what, self.data_stamp(), (self.key(levels=levels), extra)))

    # -- results ---------------------------------------------------------------------------
    def result(self, progress: Progress | None = None) -> Result:
        """The optimal search on the session's settings (cached)."""
        from ..anonymizer import anonymize

        def search() -> Result:
            project = self.project()
            return anonymize(project, table=self.table, progress=progress)

        return self.cached("result", search)

    def has_result(self) -> bool:
        try:
            return self.peek("result") is not None
        except ProjectError:
            return False

    def candidates(self, progress: Progress | None = None) -> list[Candidate]:
        """The candidates Explore lists: every transformation of a lattice up to
        :data:`EVERYTHING_UP_TO`, else those the search checked and the optimum's nearest."""
        from ..explore import listed_candidates

        result = self.result()
        return self.cached("candidates", lambda: listed_candidates(
            result, everything=result.lattice_size <= EVERYTHING_UP_TO, progress=progress))

    def chosen_levels(self) -> dict[str, int] | None:
        """The levels to release: the selected candidate's, else the optimum's (None: no result
        or no anonymous transformation)."""
        if not self.has_result():
            return None
        result = self.result()
        if self.selected is not None and set(self.selected) == set(result.quasi_identifiers):
            return dict(self.selected)
        return None if result.optimum is None else dict(result.optimum.levels)


def _stamp(path: Path) -> tuple:
    """``path``, its size and time of change (``missing`` where it is not there)."""
    try:
        stat = path.stat()
    except OSError:
        return (str(path), "missing")
    return (str(path), stat.st_size, stat.st_mtime_ns)


def table_format(table: Table) -> dict[str, Any]:
    """The ``format:`` entry that reads the table again as it was read."""
    fmt = table.format
    if fmt.kind == "csv":
        out: dict[str, Any] = {"delimiter": fmt.delimiter, "encoding": fmt.encoding}
        if fmt.quotechar != '"':
            out["quotechar"] = fmt.quotechar
        return out
    if fmt.kind == "xlsx" and fmt.sheet is not None:
        return {"sheet": fmt.sheet}
    return {}


def _clean_attribute(entry: dict[str, Any]) -> dict[str, Any]:
    """An attribute's settings as a project file writes them: only what applies to its role."""
    role = entry.get("role", "insensitive")
    out: dict[str, Any] = {"role": role}
    if role == "quasi-identifier":
        out["hierarchy"] = entry.get("hierarchy")
        for key in ("min_level", "max_level"):
            if entry.get(key) is not None:
                out[key] = int(entry[key])
        if entry.get("weight") is not None and float(entry["weight"]) != 0.5:
            out["weight"] = float(entry["weight"])
    if role == "identifier" and entry.get("pseudonymize"):
        for key in ("pseudonymize", "pseudonym_prefix", "secret_env", "secret_file"):
            if entry.get(key):
                out[key] = entry[key]
    return out


def warm_up() -> None:
    """Load the engine's compiled kernels (numba, from its cache on disk: about a second) on a
    tiny project, so that the curator's first search and listing do not wait for them. The app
    runs it in a background thread while the Data page is shown."""
    from ..anonymizer import anonymize
    from ..explore import listed_candidates
    from ..hierarchies.hierarchy import Hierarchy
    from ..privacy import KAnonymity
    from ..project import Project
    from ..tables import Table

    ages = [str(20 + i % 40) for i in range(200)]
    sexes = ["F" if i % 3 else "M" for i in range(200)]
    age = Hierarchy([[a, f"{int(a) // 10 * 10}s", "*"] for a in sorted(set(ages))])
    sex = Hierarchy([["F", "*"], ["M", "*"]])
    project = Project(data=Table.from_columns({"age": ages, "sex": sexes}), privacy=[KAnonymity(k=5)],
                      attributes={"age": {"role": "quasi-identifier", "hierarchy": age},
                                  "sex": {"role": "quasi-identifier", "hierarchy": sex}},
                      suppression_limit=0.05)
    listed_candidates(anonymize(project), everything=True)

