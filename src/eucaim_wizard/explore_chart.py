"""The chart of risk against information loss (the anonymous candidates, their Pareto front,
the optimum and a chosen candidate), and writing it as PNG or SVG.

Apart from :mod:`.explore` (which re-exports both functions) because only the chart needs
matplotlib: listing and choosing candidates never import it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ProjectError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from .explore import Candidate, Exploration


def pareto_chart(exploration: Exploration, *, everything: Sequence[Candidate] | None = None,
                 title: str | None = None, released: Mapping[str, int] | None = None) -> Figure:
    """A chart of risk against information loss: the anonymous candidates and their Pareto front.

    Built on a :class:`matplotlib.figure.Figure` (no pyplot, no global state), so that a
    report can draw it into its own page; :func:`save_figure` writes it as PNG or SVG.

    Parameters
    ----------
    exploration
        Gives the front, the risk kind and the optimum.
    everything
        The candidates drawn as points (default: the exploration's selected candidates).
    released
        The levels released instead of the optimum, marked on their own.
    """
    from matplotlib.figure import Figure

    points = [c for c in (everything if everything is not None else exploration.candidates) if c.anonymous]
    figure = Figure(figsize=(7.0, 4.5), dpi=100, layout="constrained")
    axes = figure.add_subplot()
    kind = exploration.risk
    if points:
        axes.scatter([c.information_loss for c in points], [c.risk(kind) for c in points], s=10,
                     color="#b8c4d6", label=f"anonymous candidates ({len(points):,})", zorder=1)
    front = exploration.pareto
    if front:
        # the least risk reachable with at most a given loss: a staircase, drawn by rising loss
        line = sorted(front, key=lambda c: c.information_loss)
        axes.step([c.information_loss for c in line], [c.risk(kind) for c in line], where="post",
                  color="#1f4e8c", linewidth=1.2, zorder=2)
        axes.scatter([c.information_loss for c in front], [c.risk(kind) for c in front], s=28,
                     color="#1f4e8c", label=f"Pareto front ({len(front)})", zorder=3)
    optimum = [c for c in front + points if exploration.optimum is not None and c.levels == exploration.optimum]
    if optimum:
        axes.scatter([optimum[0].information_loss], [optimum[0].risk(kind)], s=90, facecolors="none",
                     edgecolors="#c0392b", linewidths=1.5, label="optimum (least loss)", zorder=4)
    chosen = [c for c in front + points if released is not None and c.levels == dict(released)]
    if chosen:
        axes.scatter([chosen[0].information_loss], [chosen[0].risk(kind)], s=90, marker="s", facecolors="none",
                     edgecolors="#1e8449", linewidths=1.5, label="released (chosen)", zorder=5)
    axes.set_xlabel("information loss")
    axes.set_ylabel(f"{kind} re-identification risk (prosecutor)")
    axes.set_title(title or "Risk against information loss")
    axes.grid(True, linewidth=0.3, alpha=0.6)
    if points or front:
        axes.legend(loc="upper right", fontsize="small", frameon=False)
    return figure


def save_figure(figure: Figure, path: str | Path, *, protect: Iterable[str | Path | None] = ()) -> Path:
    """Write ``figure`` atomically as PNG or SVG (by the suffix of ``path``), never over an input."""
    from .tables.output import atomic_output

    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        raise ProjectError(f"cannot write a chart to {path}: use a .png or .svg file name")
    metadata = {"Date": None} if kind == "svg" else {"Software": "eucaim-wizard"}
    with atomic_output(path, inputs=protect) as out:
        figure.savefig(out, format=kind, metadata=metadata)
    return path


__all__ = ["pareto_chart", "save_figure"]
