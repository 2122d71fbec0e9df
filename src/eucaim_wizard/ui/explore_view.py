"""ARX's "Explore results", computed without Streamlit: the candidates as a frame (for the
scatter of loss against risk, the lattice by height and the table), the filters, and the
selected candidate's figures, equivalence classes and output rows by class."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..anonymizer import Result
    from ..explore import Candidate

#: the statuses the charts colour (ARX's lattice view: anonymous, not anonymous, not checked)
STATUSES = ("anonymous", "not anonymous", "not checked")
COLOURS = ("#2e7d32", "#c62828", "#9e9e9e")
#: how the search knew a candidate (the charts' opacity): checked, or settled without a check
SEARCH = ("checked by the search", "settled by monotonicity or bounds")
#: output rows the data view shows at most
DATA_ROWS = 300
#: what a chart's point says on hover, and every column the charts receive
TOOLTIP = ("levels", "status", "search", "loss", "highest risk", "average risk", "suppressed", "classes")
CHARTED = [*TOOLTIP, "height", "position", "mark"]


def status(candidate: Candidate) -> str:
    """Whether the candidate is anonymous, not anonymous, or not checked (its figures unknown:
    a transformation of a large lattice outside the listing, before it is evaluated)."""
    if candidate.information_loss is None:
        return "not checked"
    return "anonymous" if candidate.anonymous else "not anonymous"


def candidates_frame(candidates: Sequence[Candidate]) -> pd.DataFrame:
    """One row per candidate: its node, levels (text and one column per attribute), height,
    position within its height (for the lattice view), status and figures (see
    :func:`with_marks` for the optimum and the selection)."""
    if not candidates:
        return pd.DataFrame(columns=["node", "levels", "height", "position", "status", "search", "anonymous", "loss",
                                     "highest risk", "average risk", "suppressed", "classes", "smallest class",
                                     "mark"])
    names = list(candidates[0].levels)
    levels = np.array([[c.levels[n] for n in names] for c in candidates], dtype=np.int64)
    frame = pd.DataFrame({
        "node": [c.node for c in candidates],
        "levels": [c.levels_text for c in candidates],
        "height": levels.sum(axis=1),
        "status": [status(c) for c in candidates],
        "search": [SEARCH[0] if c.search == "checked" else SEARCH[1] for c in candidates],
        "anonymous": [c.anonymous for c in candidates],
        "loss": [c.information_loss for c in candidates],
        "highest risk": [c.highest_risk for c in candidates],
        "average risk": [c.average_risk for c in candidates],
        "suppressed": [c.suppressed_records for c in candidates],
        "classes": [c.equivalence_classes for c in candidates],
        "smallest class": [c.min_class_size for c in candidates],
    })
    for i, name in enumerate(names):
        frame[name] = levels[:, i]
    # the lattice view: each height a row, its nodes side by side and centred
    order = frame.sort_values(["height", "node"]).groupby("height").cumcount()
    counts = frame.groupby("height")["node"].transform("count")
    frame["position"] = order - (counts - 1) / 2.0
    frame["mark"] = ""
    return frame


def with_marks(frame: pd.DataFrame, optimum: Mapping[str, int] | None,
               selected: Mapping[str, int] | None) -> pd.DataFrame:
    """``frame`` with its ``mark`` column set: ``optimum`` and ``selected`` (a copy)."""
    marked = frame.copy()
    text = marked["levels"]
    marks = np.full(len(marked), "", dtype=object)
    for levels, mark in ((optimum, "optimum"), (selected, "selected")):
        if levels is not None:
            marks[(text == _text(levels)).to_numpy()] = mark
    marked["mark"] = marks
    return marked


def labels(frame: pd.DataFrame) -> dict[str, str]:
    """The selection list's text of each candidate: its levels, loss, risk and suppressed records."""
    optimum = frame["mark"].to_numpy() == "optimum"
    return {text: f"{text}{' (optimum)' if best else ''} — loss {loss:.4f}, highest risk {risk:.3f}, "
                  f"{int(suppressed):,} suppressed"
            for text, best, loss, risk, suppressed in zip(frame["levels"], optimum, frame["loss"],
                                                          frame["highest risk"], frame["suppressed"])}


def _text(levels: Mapping[str, int] | None) -> str | None:
    return None if levels is None else ",".join(f"{k}={v}" for k, v in levels.items())


def filtered(frame: pd.DataFrame, *, anonymous_only: bool = False, max_loss: float | None = None,
             max_risk: float | None = None, levels: Mapping[str, Sequence[int]] | None = None) -> pd.DataFrame:
    """The candidates that pass the filters, by loss then suppressed records then height
    (the order of :func:`eucaim_wizard.explore.select`); marked rows are always kept."""
    keep = np.ones(len(frame), dtype=bool)
    if anonymous_only:
        keep &= frame["anonymous"].to_numpy(dtype=bool)
    if max_loss is not None:
        keep &= frame["loss"].to_numpy() <= max_loss + 1e-12
    if max_risk is not None:
        keep &= frame["highest risk"].to_numpy() <= max_risk + 1e-12
    for name, allowed in (levels or {}).items():
        keep &= frame[name].isin(list(allowed)).to_numpy()
    keep |= frame["mark"].to_numpy() != ""
    return frame[keep].sort_values(["loss", "suppressed", "height", "node"], kind="stable")


def chart_spec(kind: str) -> dict:
    """The Vega-Lite spec of the scatter of loss against risk (``"scatter"``) or of the lattice
    by height (``"lattice"``): one point per candidate, coloured by status, faded when the
    search did not check it, large for the optimum and the selection (blue ring); a click
    selects the point's ``levels`` (the parameter ``pick``)."""
    if kind == "scatter":
        title = "Information loss against risk"
        x = {"field": "loss", "type": "quantitative", "title": "information loss"}
        y = {"field": "highest risk", "type": "quantitative", "title": "highest risk (prosecutor)"}
    else:
        title = "The lattice by height (sum of the levels)"
        x = {"field": "position", "type": "quantitative", "title": None, "axis": None}
        y = {"field": "height", "type": "ordinal", "sort": "descending", "title": "height"}
    marked = "datum.mark != ''"
    return {
        "title": title, "height": 360, "mark": {"type": "circle"},
        "params": [{"name": "pick", "select": {"type": "point", "fields": ["levels"], "on": "click"}}],
        "encoding": {
            "x": x, "y": y,
            "color": {"field": "status", "type": "nominal", "scale": {"domain": list(STATUSES), "range": list(COLOURS)},
                      "legend": {"orient": "bottom", "title": None}},
            "opacity": {"field": "search", "type": "nominal", "scale": {"domain": list(SEARCH), "range": [0.95, 0.35]},
                        "legend": None},
            "size": {"condition": {"test": marked, "value": 220}, "value": 40},
            "stroke": {"condition": {"test": "datum.mark == 'selected'", "value": "#1565c0"}, "value": "#212121"},
            "strokeWidth": {"condition": {"test": marked, "value": 2.5}, "value": 0},
            "tooltip": [{"field": f, "type": "quantitative" if f in ("loss", "highest risk", "average risk",
                                                                      "suppressed", "classes") else "nominal"}
                        for f in TOOLTIP],
        },
    }


def per_attribute_loss(result: Result, levels: Mapping[str, int]) -> pd.DataFrame:
    """The selected candidate's quality per quasi-identifier (ARX's attribute-level models,
    :func:`eucaim_wizard.utility.quality.quality_of`: 1 is the original, 0 nothing left)."""
    from ..utility.quality import quality_of

    report = quality_of(result, dict(levels))
    frame = pd.DataFrame([q.to_dict() for q in report.attributes])
    return frame.rename(columns=lambda c: c.replace("_", " "))


def _grouped(result: Result, levels: Mapping[str, int]):
    """The output table, its classes (by the codes of the generalized values and whether the
    record is suppressed: the same groups as the labels', without comparing text) and each
    row's class number (1 = the largest kept class; suppressed records last)."""
    node = result.node_of(dict(levels))
    table = result.anonymized_table(dict(levels))
    qis = result.quasi_identifiers
    keys = pd.DataFrame({name: table.codes(name) for name in qis})
    keys["suppressed"] = result.suppressed_records(node)
    group = keys.groupby(qis + ["suppressed"], sort=False).ngroup().to_numpy()
    sizes = np.bincount(group)
    first = np.full(len(sizes), len(group), dtype=np.int64)
    np.minimum.at(first, group, np.arange(len(group)))
    suppressed = keys["suppressed"].to_numpy()[first]
    order = np.lexsort((first, -sizes, suppressed))  # kept first, largest first, then first seen
    number = np.empty(len(sizes), dtype=np.int64)
    number[order] = np.arange(1, len(sizes) + 1)
    classes = pd.DataFrame({"class": np.arange(1, len(sizes) + 1)})
    for name in qis:
        classes[name] = table.categories(name)[table.codes(name)[first[order]]]
    classes["suppressed"] = suppressed[order]
    classes["records"] = sizes[order]
    return table, classes, number[group]


def equivalence_classes(result: Result, levels: Mapping[str, int]) -> pd.DataFrame:
    """The output's equivalence classes: the generalized quasi-identifiers, the number of
    records, and whether the class is suppressed; largest first, suppressed last."""
    return _grouped(result, levels)[1]


def data_by_class(result: Result, levels: Mapping[str, int], rows: int = DATA_ROWS) -> pd.DataFrame:
    """The output's first ``rows`` records grouped by equivalence class (a ``class`` column
    numbered as :func:`equivalence_classes`, records of a class together; suppressed last)."""
    table, classes, row_class = _grouped(result, levels)
    chosen = np.argsort(row_class, kind="stable")[:rows]
    frame = pd.DataFrame({"class": row_class[chosen],
                          "records": classes["records"].to_numpy()[row_class[chosen] - 1]})
    qis = result.quasi_identifiers
    for name in [*qis, *(c for c in table.columns if c not in qis)]:
        frame[name] = table.categories(name)[table.codes(name)[chosen]]
    return frame


def class_colours(classes: pd.Series) -> list[str]:
    """A background per row that alternates from one class to the next (the data view's
    highlighting of equivalence classes)."""
    palette = ("background-color: #e3f2fd", "background-color: #fff8e1")
    out, last, turn = [], None, 1
    for value in classes.tolist():
        if value != last:
            turn, last = 1 - turn, value
        out.append(palette[turn])
    return out
