"""The Run page's sentences, without Streamlit: the setup before the search, the result after."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import WizardError
from .data_view import lattice_size
from .privacy_view import describe
from .session import Session

if TYPE_CHECKING:
    from ..anonymizer import Result


def setup_sentences(session: Session) -> list[str]:
    """What the search will do, in words."""
    qis = session.quasi_identifiers
    size = lattice_size(session)
    models = ", ".join(describe(m) for m in session.privacy) or "no privacy model yet (step 4)"
    lines = [f"{len(qis)} quasi-identifier{'s' if len(qis) != 1 else ''}: {', '.join(qis) or 'none yet (step 2)'}",
             f"privacy models: {models}",
             f"suppression limit {session.suppression_limit:.0%}; metric {_metric(session)}"]
    if size is not None:
        lines.append(f"{size:,} transformations in the search space (the lattice)")
    return lines


def _metric(session: Session) -> str:
    metric = session.metric
    return metric if isinstance(metric, str) else ", ".join(f"{k} {v}" for k, v in metric.items())


def result_sentences(session: Session, result: Result) -> tuple[list[str], str | None]:
    """The result in words (the first sentence is the headline) and, when no transformation
    is anonymous, the library's advice (:func:`eucaim_wizard.release.infeasible_advice`)."""
    from ..release import infeasible_advice

    searched = (f"{result.checked:,} of {result.lattice_size:,} transformations were checked; the others were "
                f"settled by monotonicity or bounds")
    optimum = result.optimum
    if optimum is None:
        try:
            advice = infeasible_advice(result)
        except (WizardError, ValueError, IndexError):
            advice = "allow higher generalization levels or more suppression"
        return [f"No transformation satisfies the privacy models within the suppression limit "
                f"({session.suppression_limit:.0%}).", searched], advice
    levels = ", ".join(f"{q} at level {v}" for q, v in optimum.levels.items())
    n = result.n_records
    suppressed = optimum.suppressed_records or 0
    lines = [f"The optimal anonymous transformation generalizes {levels}.",
             f"Information loss ({result.metric_label}): {optimum.information_loss:.4g}",
             f"Suppressed records: {suppressed:,} of {n:,} ({suppressed / n:.1%})",
             f"Equivalence classes: {optimum.equivalence_classes:,}; the smallest holds "
             f"{optimum.min_class_size:,} records", searched]
    summary = result.search_summary()
    if summary["strategy"] != "optimal":
        lines[0] = lines[0].replace("The optimal anonymous transformation", "The best anonymous transformation found")
        lines.append("A best-first search ran (the lattice is larger than an optimal search holds): " + (
            "it finished, and its answer is proven optimal" if summary["proven_optimal"] else
            f"it stopped at {summary['stopped']}; its answer is the best found, not proven optimal"
            + (f" (a better one could lower the loss by at most {summary['gap']:.4g})" if summary["gap"] is not None
               else "")))
    chosen = session.chosen_levels()
    if chosen is not None and chosen != dict(optimum.levels):
        lines.append("Selected for release in Explore instead: " + ", ".join(f"{q}={v}" for q, v in chosen.items()))
    return lines, None
