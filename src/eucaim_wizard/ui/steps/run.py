"""Step 5, Run: the optimal search with a real progress bar (the engine's progress callback),
cancel, and the result in words; an infeasible setup shows the library's advice."""

from __future__ import annotations

import time

import streamlit as st

from ..run_view import result_sentences, setup_sentences
from ..session import Session
from . import ProgressBar, has_table


def render(session: Session) -> None:
    if not has_table(session, "5. Run"):
        return
    for line in setup_sentences(session):
        st.markdown(f"- {line}")
    if st.session_state.pop("running", False) and not session.has_result():
        st.warning("The search was cancelled; nothing was kept. Run it again when ready.")
    if not session.has_result():
        left, right = st.columns([1, 1])
        start = left.button("Run the search", type="primary", key="run-search", width="stretch")
        right.button("Cancel", key="cancel-search", width="stretch",
                     help="Stops a running search (the page stops at the next progress update).")
        if not start:
            return
        st.session_state["running"] = True
        started = time.perf_counter()
        session.result(progress=ProgressBar("transformations evaluated"))
        session.candidates(progress=ProgressBar("candidates evaluated for Explore"))
        st.session_state["run-seconds"] = time.perf_counter() - started
        st.session_state.pop("running", None)
        st.rerun()
    _show(session)


def _show(session: Session) -> None:
    result = session.result()
    seconds = st.session_state.get("run-seconds")
    sentences, advice = result_sentences(session, result)
    if result.anonymous:
        st.success(sentences[0])
    else:
        st.error(sentences[0])
    for line in sentences[1:]:
        st.markdown(f"- {line}")
    if advice:
        st.info(f"What would make it feasible: {advice}.")
    if seconds is not None:
        st.caption(f"Search and listing took {seconds:.2f} s on this machine.")
    if st.button("Run again", key="rerun-search"):
        session.cache.clear()
        st.rerun()
