"""What the Hierarchies page shows, computed without Streamlit: a quasi-identifier's hierarchy
fitted to its column, the table of its values, the records in every group at every level, the
icicle chart of the tree, and the data values the hierarchy misses or does not recognise
(changing the hierarchy is :mod:`.hierarchy_edit`'s).

A hierarchy is obtained as the project obtains it (:meth:`~eucaim_wizard.project.Project.load_hierarchy`):
a preset fitted to the column's values (:meth:`~eucaim_wizard.hierarchies.presets.Preset.apply`),
a builder applied to them (:func:`~eucaim_wizard.hierarchies.builders.build`), or an ARX CSV
file read from the session's folder.  It is built from the table already in memory, and kept
per attribute by what it depends on (:func:`remember`), so that editing a weight or another
column does not build it again.

The icicle chart (a cartesian sunburst [1]_) draws one band per level, the root on top, and one
rectangle per group whose width is its share of the records, so that a group too small to
release shows as a sliver under its parent.

References
----------
.. [1] J. B. Kruskal, J. M. Landwehr, "Icicle plots: better displays for hierarchical
   clustering", *The American Statistician* 37(2):162-168, 1983.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import Finding, HierarchyError
from ..hierarchies.builders import UNKNOWN, BuilderSpec
from ..hierarchies.hierarchy import Hierarchy, read_hierarchy
from ..hierarchies.presets import PRESET_PREFIX, load_library

if TYPE_CHECKING:
    import altair as alt

    from ..tables import Table
    from .session import Session

#: the leaf table shows at most this many data values (the most frequent, problems first)
MAX_TABLE_ROWS = 500
#: a level with more groups than this is left out of the chart (its rectangles would be slivers)
MAX_CHART_GROUPS = 1500
#: the label of data values that have no row in the hierarchy (in the table and the chart)
NOT_IN_HIERARCHY = "(not in the hierarchy)"
EMPTY = "(empty)"
#: the branches' colours: soft, and none red or orange (those mark problems)
_COLORS = ("#8dd3c7", "#bebada", "#80b1d3", "#b3de69", "#fccde5", "#bc80bd", "#ccebc5", "#a6cee3",
           "#b2df8a", "#cab2d6", "#9ecae1", "#d9d9a0")
_ROOT_COLOR, _MISSING_COLOR, _UNKNOWN_COLOR = "#d9d9d9", "#d62728", "#ff7f0e"


# -- the hierarchy of an attribute, fitted to its column -----------------------------------------
def column_values(table: Table, name: str) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of column ``name`` and the number of records of each."""
    categories = table.categories(name)
    counts = np.bincount(table.codes(name), minlength=len(categories)).astype(np.int64)
    return categories, counts


def source_kind(given: Any) -> str | None:
    """``"preset"``, ``"builder"`` or ``"file"`` for an attribute's ``hierarchy:`` (None if unset)."""
    if isinstance(given, dict):
        return "builder"
    if isinstance(given, str) and given:
        return "preset" if given.startswith(PRESET_PREFIX) else "file"
    return None


def describe_source(given: Any) -> str:
    """An attribute's ``hierarchy:`` in words.

    Examples
    --------
    >>> describe_source("preset:age-dicom"), describe_source("hierarchy_site.csv")
    ('preset age-dicom', 'file hierarchy_site.csv')
    >>> describe_source({"builder": "intervals", "widths": [5, 10]})
    'builder intervals (widths [5, 10])'
    """
    kind = source_kind(given)
    if kind == "preset":
        return f"preset {given.removeprefix(PRESET_PREFIX)}"
    if kind == "builder":
        options = ", ".join(f"{k} {v}" for k, v in given.items() if k != "builder")
        return f"builder {given.get('builder')}" + (f" ({options})" if options else "")
    return f"file {given}" if kind == "file" else "no hierarchy yet"


@dataclass(frozen=True)
class HierarchyView:
    """A hierarchy beside the column it generalizes.

    Attributes
    ----------
    name
        The attribute (column).
    given
        Its ``hierarchy:`` setting (``preset:NAME``, a builder spec or a file name).
    hierarchy
        The hierarchy the project uses (for a preset or builder: fitted to the column).
    values, counts
        The column's distinct values and their records.
    rows
        Per value, its row in the hierarchy (-1: the hierarchy misses it).
    unknown
        The values a preset or builder could not read, put in its ``Unknown`` branch.
    hidden
        A file that shares no value with the column: not this column's hierarchy, and its
        content is not shown (as :meth:`~eucaim_wizard.project.Project.quotes_hidden`).
    notes
        What reading or building it noted (a header skipped, values in the Unknown branch).

    What is derived from it (the groups, the sorted values, the checks) is computed once per
    view (:meth:`derived`), and the view is kept per data and setting (:func:`attribute_view`),
    so that redrawing the page computes nothing again.
    """

    name: str
    given: Any
    hierarchy: Hierarchy
    values: np.ndarray
    counts: np.ndarray
    rows: np.ndarray
    unknown: tuple[str, ...] = ()
    hidden: bool = False
    notes: tuple[str, ...] = ()
    _derived: dict = field(default_factory=dict, repr=False, compare=False)

    def derived(self, key: str, compute):
        """``compute()``, remembered under ``key`` for this view (it never changes)."""
        if key not in self._derived:
            self._derived[key] = compute()
        return self._derived[key]

    @property
    def top(self) -> int:
        return self.hierarchy.n_levels - 1

    @property
    def n_records(self) -> int:
        return int(self.counts.sum())

    @property
    def missing(self) -> list[str]:
        """The data values without a row (ARX stops on them)."""
        return self.derived("missing", lambda: [str(v) for v in self.values[(self.rows < 0) & (self.counts > 0)]])

    @property
    def missing_records(self) -> int:
        return int(self.counts[self.rows < 0].sum())

    @property
    def unread(self) -> np.ndarray:
        """Per distinct value, whether it is in the Unknown branch (not recognised)."""
        return self.derived("unread", lambda: np.isin(self.values, list(self.unknown)) if self.unknown
                            else np.zeros(len(self.values), dtype=bool))

    @property
    def unknown_records(self) -> int:
        return int(self.counts[self.unread].sum())

    def chains(self) -> tuple[np.ndarray, np.ndarray]:
        """The labels of every value present in the data at every level (a value the hierarchy
        misses gets :data:`NOT_IN_HIERARCHY` above level 0), and its records."""
        present = self.counts > 0
        rows, values = self.rows[present], self.values[present]
        labels = np.empty((len(rows), self.hierarchy.n_levels), dtype=object)
        known = rows >= 0
        labels[known] = self.hierarchy.table[rows[known]]
        labels[~known, 0] = values[~known]
        labels[~known, 1:] = NOT_IN_HIERARCHY
        return labels, self.counts[present]

    def findings(self, entry: dict[str, Any] | None = None) -> list[Finding]:
        """The library's checks of the hierarchy and of its coverage of the column (as
        :meth:`~eucaim_wizard.project.Project.check_against` makes them), and of the levels of
        ``entry`` (the attribute's settings)."""
        found = list(self.derived("coverage", self._coverage))
        for key in ("min_level", "max_level"):
            level = (entry or {}).get(key)
            if level is not None and int(level) > self.top:
                found.append(Finding("error", "bad-level-range", f"{key} is {level} but the hierarchy has levels "
                                     f"0–{self.top}; set it between 0 and {self.top}.", where=self.name))
        return found

    def _coverage(self) -> list[Finding]:
        from ..project import hide_quotes

        found = self.hierarchy.findings()
        found += self.hierarchy.check_values([str(v) for v in self.values], self.counts.tolist(), column=self.name)
        if self.hidden:
            found = [f if f.code == "missing-values" else hide_quotes(f, keep=self.name) for f in found]
        return found


def build_view(name: str, given: Any, table: Table, workdir: Path, *,
               has_header: bool | None = None) -> HierarchyView:
    """The hierarchy of attribute ``name`` set to ``given``, fitted to its column of ``table``
    (a file name is read from ``workdir``).

    Raises
    ------
    WizardError
        If there is no hierarchy, the preset or builder is wrong, or the file cannot be read.
    """
    values, counts = column_values(table, name)
    distinct = [str(v) for v in values]
    kind, unknown = source_kind(given), ()
    if kind is None:
        raise HierarchyError(f"{name!r} has no hierarchy yet; choose a preset, upload an ARX hierarchy file "
                             f"or build one below.")
    if kind == "file":
        path = Path(given) if Path(given).is_absolute() else Path(workdir) / given
        hierarchy = read_hierarchy(path, name=name, has_header=has_header)
    else:
        if kind == "preset":
            result = load_library().get(given).apply(distinct, column=name)
        else:
            result = BuilderSpec.parse(given).build(distinct, name=name)
        hierarchy, unknown = result.hierarchy, result.unknown
        hierarchy.notes.extend(n for n in result.notes() if n not in hierarchy.notes)
    index = hierarchy.index_of()
    rows = np.fromiter((index.get(v, -1) for v in distinct), dtype=np.int64, count=len(distinct))
    hidden = kind == "file" and bool(len(distinct)) and bool((rows < 0).all())
    return HierarchyView(name, given, hierarchy, values, counts, rows, tuple(unknown), hidden,
                         tuple(hierarchy.notes))


def remember(session: Session, what: str, depends: tuple, compute):
    """``compute()`` once per ``what``, data and ``depends`` (:meth:`Session.remember`).  Unlike
    :meth:`Session.cached`, the key is not the whole project file: a hierarchy depends on its
    own setting and the data only, so editing a weight does not rebuild it.  A
    :class:`WizardError` is remembered too, and raised again."""
    return session.remember(f"hierarchies:{what}", depends, compute, errors=True)


def _file_stamp(session: Session, given: Any) -> tuple:
    if source_kind(given) != "file":
        return ()
    path = Path(given) if Path(given).is_absolute() else session.workdir / given
    try:
        stat = path.stat()
    except OSError:
        return ("missing",)
    return (stat.st_size, stat.st_mtime_ns)


def attribute_view(session: Session, name: str, given: Any = None) -> HierarchyView:
    """The view of quasi-identifier ``name`` with its hierarchy (or ``given`` instead: a preview)."""
    entry = session.attributes[name]
    given = entry.get("hierarchy") if given is None else given
    header = entry.get("hierarchy_header")
    assert session.table is not None
    return remember(session, "view", (name, repr(given), header, _file_stamp(session, given)),
                    lambda: build_view(name, given, session.table, session.workdir, has_header=header))


# -- what the page shows ---------------------------------------------------------------------------
def natural_key(label: str) -> tuple:
    """Sort labels as a curator reads them: ``<40``, ``40-44``, ``45-49``, ``90+``, then ``Unknown``,
    ``Missing`` and values outside the hierarchy.

    Examples
    --------
    >>> sorted(["90+", "Unknown", "10-14", "<5", "5-9"], key=natural_key)
    ['<5', '5-9', '10-14', '90+', 'Unknown']
    """
    if label == NOT_IN_HIERARCHY:
        return (4,)
    if label in (UNKNOWN, "Missing", ""):
        return (3, label)
    head = 0 if label[:1] in "<≤" else 2 if label[:1] in ">≥" else 1
    parts = re.split(r"(\d+(?:\.\d+)?)", label)
    return (head, tuple((0, float(p), "") if i % 2 else (1, 0.0, p.casefold()) for i, p in enumerate(parts)))


def _ranks(labels: np.ndarray) -> np.ndarray:
    """The natural rank of every label (equal labels, equal ranks)."""
    distinct, inverse = np.unique(labels.astype(str), return_inverse=True)
    order = sorted(range(len(distinct)), key=lambda i: natural_key(distinct[i]))
    rank = np.empty(len(distinct), dtype=np.int64)
    rank[order] = np.arange(len(distinct))
    return rank[inverse.ravel()]


def spans(view: HierarchyView) -> pd.DataFrame:
    """One row per group at every level, in the order of the tree (siblings in natural order):
    ``level, group, x0, x1`` (its records as a span of all records), ``records, values``
    (distinct data values in it), ``status`` and ``branch`` (its ancestor just below the root)."""
    return view.derived("spans", lambda: _spans(view))


def _spans(view: HierarchyView) -> pd.DataFrame:
    labels, counts = view.chains()
    columns = ["level", "group", "x0", "x1", "records", "values", "status", "branch"]
    if not len(labels):
        return pd.DataFrame(columns=columns)
    order = np.lexsort([_ranks(labels[:, j]) for j in range(labels.shape[1])])
    labels, counts = labels[order], counts[order]
    unread = view.unread[view.counts > 0][order]
    edges = np.concatenate([[0], np.cumsum(counts)])
    under_root = labels[:, max(labels.shape[1] - 2, 0)]
    frames = []
    for j in range(labels.shape[1]):
        differs = (labels[1:, j:] != labels[:-1, j:]).any(axis=1)
        starts = np.concatenate([[0], np.flatnonzero(differs) + 1])
        ends = np.append(starts[1:], len(labels))
        group = labels[starts, j]
        status = np.where(labels[starts, -1] == NOT_IN_HIERARCHY, "not in the hierarchy",
                          np.where(np.add.reduceat(unread.astype(int), starts) > 0, "holds values not recognised", ""))
        frames.append(pd.DataFrame({"level": j, "group": group, "x0": edges[starts], "x1": edges[ends],
                                    "records": edges[ends] - edges[starts], "values": ends - starts,
                                    "status": status, "branch": under_root[starts]}))
    return pd.concat(frames, ignore_index=True)[columns]


def group_counts(view: HierarchyView) -> pd.DataFrame:
    """Records per group at each level: ``level, group, records, share, values, status``
    (level 0 first, the groups in the order of the tree)."""
    return view.derived("groups", lambda: _group_counts(view))


def _group_counts(view: HierarchyView) -> pd.DataFrame:
    table = (spans(view).groupby(["level", "group"], sort=False)
             .agg(records=("records", "sum"), values=("values", "sum"), status=("status", "first")).reset_index())
    table["share"] = table["records"] / max(view.n_records, 1)
    table["group"] = table["group"].map(lambda g: g if g != "" else EMPTY)
    return table[["level", "group", "records", "share", "values", "status"]]


def leaf_frame(view: HierarchyView, *, search: str = "", limit: int = MAX_TABLE_ROWS) -> tuple[pd.DataFrame, str]:
    """The hierarchy as a table, for the values in the data: ``value, records, level 1 …`` and a
    ``note``; the values it misses and those in the Unknown branch first, then by records.
    Returns the table (at most ``limit`` rows, those containing ``search``) and a note on what
    is left out."""
    frame = view.derived("leaves", lambda: _leaves(view))
    total, search = len(frame), search.strip()
    if search:
        frame = frame[frame["value"].str.contains(search, case=False, regex=False)]
    said = f"{total:,} value(s) in the data" + (f", {len(frame):,} containing {search!r}" if search else "")
    if len(frame) > limit:
        said += f"; the {limit:,} most frequent shown (search to find the others)"
    unused = view.hierarchy.n_values - int((view.rows >= 0).sum())
    if unused > 0 and not view.hidden:
        said += f"; the hierarchy also has {unused:,} row(s) for values not in the data (kept in the download)"
    return frame.head(limit).reset_index(drop=True), said + "."


def _leaves(view: HierarchyView) -> pd.DataFrame:
    labels, counts = view.chains()
    outside = labels[:, -1] == NOT_IN_HIERARCHY
    labels[outside, 1:] = "—"
    notes = np.where(outside, "not in the hierarchy: add it, or use a fix above", "")
    notes = np.where(view.unread[view.counts > 0], "not recognised: in the Unknown branch", notes)
    frame = pd.DataFrame({"value": labels[:, 0], "records": counts})
    for j in range(1, labels.shape[1]):
        frame[f"level {j}"] = "…" if view.hidden else labels[:, j]
    frame["note"] = notes
    frame["_problem"] = notes != ""
    frame = frame.sort_values(["_problem", "records", "value"], ascending=[False, False, True], kind="stable")
    frame["value"] = frame["value"].map(lambda v: v if v != "" else EMPTY)
    return frame.drop(columns="_problem").reset_index(drop=True)


def icicle_frame(view: HierarchyView, max_groups: int = MAX_CHART_GROUPS) -> tuple[pd.DataFrame, str]:
    """The rectangles of the icicle chart: :func:`spans` with ``share``, ``color``, ``label`` (the
    group's name where it fits) and ``ink`` (the label's colour), leaving out the levels of more
    than ``max_groups`` groups (said in the returned note)."""
    return view.derived(f"icicle {max_groups}", lambda: _icicle_frame(view, max_groups))


def _icicle_frame(view: HierarchyView, max_groups: int) -> tuple[pd.DataFrame, str]:
    frame = spans(view)
    sizes = frame.groupby("level")["group"].size()
    crowded = [int(j) for j, n in sizes.items() if n > max_groups]
    frame = frame[~frame["level"].isin(crowded)].copy()
    total = max(view.n_records, 1)
    frame["share"] = frame["records"] / total
    palette = {b: _COLORS[i % len(_COLORS)] for i, b in enumerate(dict.fromkeys(frame["branch"]))}
    frame["color"] = [
        _MISSING_COLOR if s == "not in the hierarchy" else _ROOT_COLOR if lv == view.top and lv > 0 else
        _UNKNOWN_COLOR if s else palette[b]
        for s, lv, b in zip(frame["status"], frame["level"], frame["branch"])]
    frame["ink"] = np.where(frame["color"] == _MISSING_COLOR, "#ffffff", "#1f1f1f")
    frame["group"] = frame["group"].map(lambda g: g if g != "" else EMPTY)
    room = (frame["share"] * 110).astype(int)  # characters that fit, on a chart about 900 px wide
    frame["label"] = [g if len(g) <= r else g[:r - 1] + "…" if r >= 4 else "" for g, r in zip(frame["group"], room)]
    note = ""
    if crowded:
        note = (f"level(s) {', '.join(map(str, crowded))} hold more than {max_groups:,} groups and are left out of "
                f"the chart; their counts are in the table of groups.")
    return frame.reset_index(drop=True), note


def icicle_chart(frame: pd.DataFrame, top: int) -> alt.LayerChart:
    """The icicle chart (Altair) of :func:`icicle_frame`: one band per level, the root on top."""
    import altair as alt

    levels = list(range(top, -1, -1))
    y = alt.Y("level:O", sort=levels, scale=alt.Scale(domain=levels, paddingInner=0.08),
              title="level (0 = the values)")
    base = alt.Chart(frame).encode(
        x=alt.X("x0:Q", title="records", axis=alt.Axis(format=",d"), scale=alt.Scale(domain=[0, frame["x1"].max()])),
        x2="x1:Q", y=y)
    rects = base.mark_rect(stroke="white", strokeWidth=0.6).encode(
        color=alt.Color("color:N", scale=None),
        tooltip=[alt.Tooltip("group:N"), alt.Tooltip("level:O"), alt.Tooltip("records:Q", format=","),
                 alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("values:Q", title="distinct values"),
                 alt.Tooltip("status:N")])
    text = base.transform_calculate(mid="(datum.x0 + datum.x1) / 2").mark_text(
        fontSize=11, clip=True).encode(x="mid:Q", text="label:N", color=alt.Color("ink:N", scale=None))
    return (rects + text).properties(height=max(44 * (top + 1), 120))
