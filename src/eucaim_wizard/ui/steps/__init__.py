"""The pages of the browser wizard, one module per step, each with ``render(session)``.

A page draws with Streamlit and calls the library (through
:class:`~eucaim_wizard.ui.session.Session` and the ``*_view`` modules beside it, which hold
what can be tested without a browser).  The library's errors are shown by the app
(:mod:`eucaim_wizard.ui.app`) as the one paragraph they are.
"""

from __future__ import annotations

import time
from importlib import import_module
from types import ModuleType

import streamlit as st

from ..session import STEPS, Session

__all__ = ["ProgressBar", "footer", "has_table", "page"]


def page(key: str) -> ModuleType:
    """The module of step ``key``, imported when first shown (the first page is drawn without
    importing the others and what they need: Altair, scikit-learn, ...)."""
    if key not in dict(STEPS):
        raise KeyError(key)
    return import_module(f".{key}", __name__)


class ProgressBar:
    """The library's ``progress(done, total)`` drawn on a Streamlit bar (at most ~10 times a
    second). Every draw is also where Streamlit stops the run when the curator presses Cancel."""

    def __init__(self, label: str):
        self.label = label
        self.bar = st.progress(0.0, text=label)
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        share = done / total if total else 1.0
        self.bar.progress(min(1.0, share), text=f"{self.label}: {done:,} of {total:,}")


def has_table(session: Session, title: str) -> bool:
    """The page's title; and, when no table is open yet, where to open one (False)."""
    st.header(title)
    if session.table is None:
        st.info("Open a table first (step 1, Data).")
        return False
    return True


def footer(session: Session, current: str) -> None:
    """Back / Next buttons under the page."""
    keys = [key for key, _ in STEPS]
    titles = dict(STEPS)
    at = keys.index(current)
    st.divider()
    back, _, forward = st.columns([1, 4, 1])
    if at > 0 and back.button(f"← {titles[keys[at - 1]]}", key="back", width="stretch"):
        st.session_state["goto"] = keys[at - 1]
        st.rerun()
    if at < len(keys) - 1 and forward.button(f"{titles[keys[at + 1]]} →", key="next", type="primary",
                                             width="stretch"):
        st.session_state["goto"] = keys[at + 1]
        st.rerun()
