"""The report's charts: matplotlib figures rendered to PNG bytes in memory.

Every chart is drawn on its own :class:`matplotlib.figure.Figure` (no pyplot, no global
state) with DejaVu Sans, matplotlib's own font, which the PDF embeds too.  Rendering is
deterministic: the same figure gives the same bytes (no timestamp, no software version in
the PNG).  Long labels are shortened with an ellipsis and the layout is constrained, so no
label is cut at the edge of a chart.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..utility.statistics import is_code, as_number

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: width of a chart that spans the text column of an A4 page, in inches
FULL_WIDTH = 6.7
#: resolution of the PNG embedded in the PDF
DPI = 200
#: colours: the original data, the anonymized data, suppressed records
ORIGINAL, ANONYMIZED, SUPPRESSED_COLOUR = "#9bb3d4", "#1f4e8c", "#c0392b"
_MAX_TICKS = 28  # tick labels along an axis with many bars
_MAX_LABEL = 18  # characters of a tick label
_MAX_BARS = 60  # bars of one panel; more values are merged


def png(figure: Figure) -> bytes:
    """The figure as PNG bytes (deterministic: no metadata that changes between runs)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def short(label: str, limit: int = _MAX_LABEL) -> str:
    """``label`` cut to ``limit`` characters with an ellipsis; the empty value shown as such."""
    if label == "":
        return "(empty)"
    return label if len(label) <= limit else label[: limit - 1] + "…"


def distinct_short(labels: list[str], limit: int = _MAX_LABEL) -> list[str]:
    """Each label :func:`short`, but never two the same where the labels differ: those that
    would collide keep their start and their end (``Siemens Mag…Prisma``), and any left the
    same are numbered.

    >>> distinct_short(["Siemens Magnetom Prisma", "Siemens Magnetom Vida", "GE"], 18)
    ['Siemens Mag…Prisma', 'Siemens Magne…Vida', 'GE']
    """
    shown = [short(label, limit) for label in labels]
    counts: dict[str, int] = {}
    for label in shown:
        counts[label] = counts.get(label, 0) + 1
    for i, label in enumerate(labels):
        if counts[shown[i]] > 1 and len(label) > limit:
            tail = label.split()[-1] if label.split() and len(label.split()[-1]) < limit // 2 else label[-(limit // 2):]
            shown[i] = label[: limit - 1 - len(tail)] + "…" + tail
    seen: dict[str, int] = {}
    for i, label in enumerate(shown):
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            shown[i] = f"{label} ({seen[label]})"
    return shown


def candidates_chart(exploration, candidates, released=None) -> Figure:
    """Risk against information loss of the anonymous candidates, the Pareto front, the
    optimum and the ``released`` levels when the curator chose others
    (:func:`eucaim_wizard.explore.pareto_chart`, sized for the page)."""
    from ..explore import pareto_chart

    figure = pareto_chart(exploration, everything=candidates, released=released,
                          title="Anonymous candidates: highest risk against information loss")
    figure.set_size_inches(FULL_WIDTH, 3.6)
    axes = figure.axes[0]
    # the title goes above the figure, the legend between it and the plot, where no point hides behind it
    figure.suptitle(axes.get_title(), fontsize=10)
    axes.set_title("")
    if axes.get_legend() is not None:
        handles, labels = axes.get_legend_handles_labels()
        axes.get_legend().remove()
        axes.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8,
                    frameon=False)
    axes.xaxis.label.set_fontsize(9)
    axes.yaxis.label.set_fontsize(9)
    axes.tick_params(labelsize=8)
    return figure


def band_label(low: float, high: float) -> str:
    """``(0.2, 0.25]``: a risk band as an interval."""
    return f"({low:g}, {high:g}]"


def risk_distribution_chart(before: Sequence[dict], after: Sequence[dict]) -> Figure:
    """Share of records per risk band, input against output (bands holding no record in
    either table are left out); ``before``/``after`` are the ``distribution`` lists of
    ``risk.json``."""
    from matplotlib.figure import Figure

    shown = [i for i, (b, a) in enumerate(zip(before, after)) if b["records"] > 0 or a["records"] > 0]
    figure = Figure(figsize=(FULL_WIDTH, 3.2), layout="constrained")
    axes = figure.add_subplot()
    x = list(range(len(shown)))
    width = 0.4
    axes.bar([i - width / 2 for i in x], [100 * before[i]["records"] for i in shown], width,
             color=ORIGINAL, label="input")
    axes.bar([i + width / 2 for i in x], [100 * after[i]["records"] for i in shown], width,
             color=ANONYMIZED, label="anonymized output")
    axes.set_xticks(x, [band_label(before[i]["from"], before[i]["to"]) for i in shown],
                    rotation=45 if len(shown) > 6 else 0, ha="right" if len(shown) > 6 else "center",
                    fontsize=8)
    axes.set_xlabel("re-identification risk of a record (prosecutor), by band", fontsize=9)
    axes.set_ylabel("records (%)", fontsize=9)
    axes.tick_params(axis="y", labelsize=8)
    axes.set_ylim(0, 105)
    axes.grid(True, axis="y", linewidth=0.3, alpha=0.6)
    axes.legend(fontsize=8, frameon=False, loc="upper left")
    axes.set_title("Records per band of risk, before and after", fontsize=10)
    return figure


def binned(pairs: Sequence[tuple[str, int]], most: int = _MAX_BARS) -> tuple[list[tuple[str, int]], str | None]:
    """``pairs`` merged into at most ``most`` bars of consecutive values (the empty value and
    ``*`` keep a bar of their own), each labelled by its first value; and the chart title that says so (None
    when nothing was merged).  A thousand bars one pixel wide show nothing; fifty show the shape."""
    if len(pairs) <= most:
        return list(pairs), None
    empty = [(v, c) for v, c in pairs if v in ("", "*")]  # (and '*', drawn red when it is suppression)
    values = [(v, c) for v, c in pairs if v not in ("", "*")]
    numbers = [as_number(v) for v, _ in values]
    if values and all(x is not None for x in numbers) and not is_code("", [v for v, _ in values]):
        return _equal_width(values, numbers, most - len(empty)) + empty, \
            f"input: {len(pairs):,} values, in bars of equal width"
    size = -(-len(values) // (most - len(empty)))
    bars = [(values[i][0], sum(c for _, c in values[i:i + size])) for i in range(0, len(values), size)]
    title = f"input: {len(pairs):,} values, {size} consecutive values per bar"
    return bars + empty, title


def _equal_width(values: Sequence[tuple[str, int]], numbers: Sequence[float], bars: int) -> list[tuple[str, int]]:
    """Numbers counted in ``bars`` bins of equal width between the smallest and the largest
    (a histogram: bins by the count of distinct values would stretch dense ranges), each
    labelled ``low–high``."""
    low, high = min(numbers), max(numbers)
    width = (high - low) / bars or 1.0
    counts = [0] * bars
    for (_, count), x in zip(values, numbers):
        counts[min(int((x - low) / width), bars - 1)] += count
    return [(f"{low + i * width:.4g}–{low + (i + 1) * width:.4g}", c) for i, c in enumerate(counts)]


def distribution_chart(attribute: str, original: Sequence[tuple[str, int]], anonymized: Sequence[tuple[str, int]],
                       level: int, *, star_is_suppression: bool = True, titles: tuple[str | None, str | None] = (None, None),
                       ) -> Figure:
    """One quasi-identifier: records per value in the input (left) and in the output (right).

    ``original`` and ``anonymized`` are ``(value, records)`` pairs in the order to draw (the
    order of the hierarchy); the suppressed value ``*`` is drawn in red when it is not also a
    generalized value of the hierarchy at ``level`` (``star_is_suppression``).  With many values,
    only some tick labels are written (every bar is still drawn).  ``titles``: the panels'
    titles when the pairs were merged into bars already (:func:`binned`'s).
    """
    from matplotlib.figure import Figure

    original, grouped = binned(original)
    anonymized, merged = binned(anonymized)
    grouped, merged = titles[0] or grouped, titles[1] or merged
    figure = Figure(figsize=(FULL_WIDTH, 2.5), layout="constrained")
    # each panel gets room in proportion to its bars, but never less than 35 % of the width
    share = min(max(len(original) / (len(original) + len(anonymized)), 0.35), 0.65)
    left, right = figure.subplots(1, 2, width_ratios=[share, 1 - share])
    total = sum(c for _, c in original) or 1
    for axes, pairs, colour, title in (
            (left, original, ORIGINAL, grouped or f"input: {len(original):,} value{'s' if len(original) != 1 else ''}"),
            (right, anonymized, ANONYMIZED, merged.replace("input:", f"output (level {level}):") if merged else
             f"output (level {level}): {len(anonymized):,} value{'s' if len(anonymized) != 1 else ''}")):
        x = list(range(len(pairs)))
        colours = [SUPPRESSED_COLOUR if value == "*" and axes is right and star_is_suppression else colour for value, _ in pairs]
        axes.bar(x, [100 * c / total for _, c in pairs], 0.8, color=colours)
        step = max(1, -(-len(pairs) // _MAX_TICKS))
        ticks = x[::step]
        labels = distinct_short([pairs[i][0] for i in ticks])
        # upright when the labels fit side by side (about 6 characters per bar at this size)
        upright = sum(len(label) + 1 for label in labels) <= 6 * len(ticks) and len(ticks) <= 8
        axes.set_xticks(ticks, labels, rotation=0 if upright else 90, fontsize=7)
        axes.tick_params(axis="y", labelsize=7)
        axes.set_title(title, fontsize=8)
        axes.set_xlim(-0.6, max(len(pairs), 1) - 0.4)
        axes.grid(True, axis="y", linewidth=0.3, alpha=0.6)
    left.set_ylabel("records (%)", fontsize=8)
    figure.suptitle(attribute, fontsize=9, fontweight="bold")
    return figure


def report_charts(report: dict, exploration=None, candidates=None) -> dict[str, bytes]:
    """Every chart of the report as PNG bytes, by name: ``candidates`` (when the exploration
    is given), ``risk_distribution`` and ``distribution:ATTRIBUTE`` for each quasi-identifier."""
    charts: dict[str, bytes] = {}
    if exploration is not None:
        search = report.get("search", {})
        released = search["optimum"]["levels"] if search.get("least_loss") else None
        charts["candidates"] = png(candidates_chart(exploration, candidates, released))
    distribution = report["risk"]["distribution"]
    charts["risk_distribution"] = png(risk_distribution_chart(distribution["before"], distribution["after"]))
    for item in report["utility"]["distributions"]:
        charts[f"distribution:{item['attribute']}"] = png(distribution_chart(
            item["attribute"], item["original"], item["anonymized"], item["level"],
            star_is_suppression=item["star_is_suppression"],
            titles=(item.get("original_note"), item.get("anonymized_note"))))
    return charts


__all__ = ["report_charts", "png", "candidates_chart", "risk_distribution_chart", "distribution_chart", "band_label", "short",
           "FULL_WIDTH", "DPI"]
