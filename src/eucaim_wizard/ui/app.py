"""The browser wizard's Streamlit script: the sidebar of steps and the page of the current one.

Started by ``eucaim-wizard ui`` (:func:`eucaim_wizard.ui.launch`), which passes what to open
first (``EUCAIM_UI_OPEN``) and the folder for the sessions' temporary files
(``EUCAIM_UI_TMP``).  Each step is a module of :mod:`eucaim_wizard.ui.steps` with a
``render(session)``; the state lives in a :class:`~eucaim_wizard.ui.session.Session` kept in
Streamlit's session state, so it survives moving between steps.
"""

from __future__ import annotations

import logging
import os
import threading

import streamlit as st

from eucaim_wizard.errors import WizardError
from eucaim_wizard.ui import steps
from eucaim_wizard.ui.loading import open_path
from eucaim_wizard.ui.session import STEPS, Session, warm_up
from eucaim_wizard.ui.status import step_done

log = logging.getLogger("eucaim_wizard.ui")


def _session() -> Session:
    session = st.session_state.get("session")
    if session is None:
        session = Session.new(os.environ.get("EUCAIM_UI_TMP") or None)
        st.session_state["session"] = session
        st.session_state["warm-up"] = True
        first = os.environ.get("EUCAIM_UI_OPEN")
        if first:
            try:
                st.session_state["opened"] = open_path(session, first)
            except WizardError as error:
                st.session_state["open_error"] = str(error)
    return session


def _warm_up() -> None:
    try:
        warm_up()
    except Exception:  # (a head start only: the search loads the kernels itself otherwise)
        log.debug("warm-up failed", exc_info=True)


def _sidebar(session: Session) -> str:
    """One button per step, marked when the step is complete; returns the current step.

    (Buttons, not a radio: a radio whose labels change when a step becomes complete loses its
    selection in the browser.)"""
    keys = [key for key, _ in STEPS]
    titles = dict(STEPS)
    if st.session_state.get("goto") in keys:  # (a "Next" button, or a page that moves on)
        st.session_state["step"] = st.session_state.pop("goto")
    current = st.session_state.get("step") if st.session_state.get("step") in keys else keys[0]
    st.sidebar.title("EUCAIM Wizard")
    st.sidebar.caption("Statistical de-identification of tabular health data, step by step. "
                       "Everything runs on this machine.")
    for number, key in enumerate(keys, start=1):
        mark = ":green[:material/check_circle:]" if step_done(session, key) else ":gray[:material/pending:]"
        if st.sidebar.button(f"{mark} {number}. {titles[key]}", key=f"nav-{key}", width="stretch",
                             type="primary" if key == current else "tertiary"):
            st.session_state["step"] = key
            st.rerun()
    st.session_state["step"] = current
    return current


def main() -> None:
    st.set_page_config(page_title="EUCAIM Wizard", layout="wide",
                       initial_sidebar_state="expanded")
    session = _session()
    current = _sidebar(session)
    if "open_error" in st.session_state:
        st.error(st.session_state.pop("open_error"))
    try:
        steps.page(current).render(session)
    except WizardError as error:
        st.error(str(error))
    except Exception as error:  # never a traceback in the page: one paragraph, the details in the log
        log.exception("unexpected error in step %s", current)
        st.error(f"Something went wrong in this step ({type(error).__name__}: {error}). The details are in "
                 f"the terminal that started `eucaim-wizard ui`; please report them with the steps that led here.")
    steps.footer(session, current)
    if st.session_state.pop("warm-up", False):
        # the engine's compiled kernels, loaded once the first page is drawn, while the curator
        # opens the data (the next sessions of this server find them loaded)
        threading.Thread(target=_warm_up, name="eucaim-warm-up", daemon=True).start()


if __name__ == "__main__":  # (Streamlit runs the script as __main__; the doctests only import it)
    main()
