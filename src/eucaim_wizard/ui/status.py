"""Whether each step of the wizard is complete (the marks in the sidebar), without Streamlit."""

from __future__ import annotations

from ..errors import WizardError
from .session import Session


def _hierarchies_ready(session: Session) -> bool:
    """Every quasi-identifier has a hierarchy that loads and covers the data."""
    qis = session.quasi_identifiers
    if not qis:
        return False
    try:
        project = session.project()
    except WizardError:
        return False
    table = session.table
    return table is not None and not any(f.severity == "error" for f in project.check_against(table))


def step_done(session: Session, key: str) -> bool:
    """Whether step ``key`` (of :data:`~eucaim_wizard.ui.session.STEPS`) is complete."""
    if session.table is None:
        return False
    if key == "data":
        return True
    if key == "roles":
        return bool(session.quasi_identifiers) and all(
            session.attributes[q].get("hierarchy") for q in session.quasi_identifiers)
    if key == "hierarchies":
        return session.cached("hierarchies ready", lambda: _hierarchies_ready(session))
    if key == "privacy":
        return bool(session.privacy)
    if not session.has_result():
        return False
    if key == "run":
        return True
    if key == "explore":
        return session.chosen_levels() is not None
    return key in session.visited
