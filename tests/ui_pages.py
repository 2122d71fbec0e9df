"""Opening a page of the browser wizard headless (Streamlit's AppTest), for the page tests."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "src" / "eucaim_wizard" / "ui" / "app.py")


def open_page(session, step: str, *, errors: bool = True) -> AppTest:
    """The page of ``step`` drawn for ``session``: no exception (and, unless ``errors``, no
    error paragraph either)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["session"] = session
    at.session_state["step"] = step
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    if not errors:
        assert not at.error, [e.value for e in at.error]
    return at
