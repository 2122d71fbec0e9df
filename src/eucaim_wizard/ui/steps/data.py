"""Step 1, Data: upload a table or open a path (table, project file, ARX project, DICOM folder);
the detected format, a preview and each column's distinct and missing counts."""

from __future__ import annotations

import streamlit as st

from ...errors import WizardError
from .. import MAX_UPLOAD_MB
from ..loading import describe_format, open_path, open_upload
from ..session import Session


def render(session: Session) -> None:
    st.header("1. Data")
    st.write("Bring the table to release: one row per record (a patient, a study or a series). "
             "Only de-identified data belongs here; the guard checks it again at every step that writes.")
    upload_tab, path_tab = st.tabs(["Upload a file", "Open a path on this machine"])
    with upload_tab:
        _upload(session)
    with path_tab:
        _path(session)
    if "opened" in st.session_state:
        st.success(st.session_state["opened"])
    if session.table is None:
        st.info("No table yet. Upload one, or open a path: a project file reproduces a release "
                "prepared earlier, in the wizard or with the command line.")
        return
    _show(session)


def _upload(session: Session) -> None:
    st.caption(f"CSV, TSV, XLSX or Parquet, or an ARX project (.deid); at most {MAX_UPLOAD_MB:,} MB "
               f"(`eucaim-wizard ui --max-upload-mb`). The file stays in this session's temporary folder, "
               f"removed when the wizard stops.")
    uploaded = st.file_uploader("Table or ARX project", type=["csv", "tsv", "txt", "xlsx", "parquet", "deid"],
                                key="upload", label_visibility="collapsed")
    if uploaded is None:
        return
    stamp = (uploaded.name, uploaded.size, getattr(uploaded, "file_id", ""))
    if st.session_state.get("uploaded") == stamp:
        return
    st.session_state["uploaded"] = stamp
    _opened(lambda: open_upload(session, uploaded.name, uploaded.getvalue()))


def _path(session: Session) -> None:
    st.caption("A table, a project file (.yaml, with its data and hierarchies beside it), an ARX project (.deid) "
               "or a folder of de-identified DICOM files (one row per series is extracted, with the guard).")
    with st.form("open-path", border=False):
        path = st.text_input("Path", key="path", placeholder="/data/release/project.yaml")
        confirmed = st.checkbox(
            "I confirm the DICOM headers are de-identified", key="dicom-confirmed",
            help="Only for a DICOM folder whose headers the guard finds identified (e.g. PatientIdentityRemoved "
                 "not YES) although they are not; the findings stay in the report.")
        if st.form_submit_button("Open", type="primary"):
            _opened(lambda: open_path(session, path, confirmed=confirmed))


def _opened(action) -> None:
    st.session_state.pop("opened", None)
    try:
        with st.spinner("Reading…"):
            st.session_state["opened"] = action()
    except WizardError as error:
        st.error(str(error))
        return
    st.rerun()  # (the sidebar marks the step complete)


def _show(session: Session) -> None:
    from ..data_view import column_profile, preview  # (pandas: not needed before there is a table)

    table = session.table
    st.subheader("The table")
    left, middle = st.columns(2)
    left.metric("Records", f"{table.n_rows:,}")
    middle.metric("Columns", f"{len(table.columns):,}")
    st.markdown(f"**Format**: {describe_format(session)}" + (f" ({'; '.join(table.notes)})" if table.notes else ""))
    st.caption(f"Source: {session.data_path}")
    st.dataframe(preview(table), hide_index=True, height=240)
    st.subheader("Columns")
    profile = session.cached("profile", lambda: column_profile(table))
    st.dataframe(profile, hide_index=True, column_config={
        "share missing": st.column_config.ProgressColumn("share missing", min_value=0.0, max_value=1.0, format="percent"),
    })
