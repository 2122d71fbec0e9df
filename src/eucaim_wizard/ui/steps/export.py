"""Step 9, Export: the release of the selected candidate (anonymized table in CSV/XLSX/Parquet,
report.pdf, result.json, the hierarchies) and ``project.yaml``, which reproduces it from the
command line (config as code); downloaded, or written into a folder on this machine."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import streamlit as st

from ...errors import WizardError
from ..export_view import DOWNLOADS, hierarchy_files, prepare_release, project_bundle, release_levels
from ..session import Session
from . import ProgressBar


def render(session: Session) -> None:
    st.header("9. Export")
    levels = session.chosen_levels() if session.has_result() else None
    if levels is None:
        st.info("Run the search (step 5) and keep an anonymous candidate (step 6) first.")
        return
    which = "the optimum" if release_levels(session) is None else "the candidate selected in Explore"
    st.write(f"The release applies {which}: **{', '.join(f'{k}={v}' for k, v in levels.items())}**.")
    _release_settings(session)
    options = _options()
    key = session.key(levels=release_levels(session))
    if st.button("Prepare the release files", type="primary", key="prepare"):
        bar = ProgressBar("preparing the release")
        step = st.empty()
        outcome = prepare_release(session, progress=bar, step=lambda name: step.caption(f"Step: {name}…"), **options)
        st.session_state["release"] = (key, outcome)
        session.visited.add("export")
        st.rerun()
    prepared = st.session_state.get("release")
    if prepared is not None and prepared[0] == key:
        _downloads(session, prepared[1])
    elif prepared is not None:
        st.warning("The settings changed since the files were prepared: prepare them again.")
    _to_folder(session, options)


def _release_settings(session: Session) -> None:
    with st.expander("Who releases it and why (on the report's first page)"):
        a, b, c = st.columns(3)
        release = dict(session.release)
        release["curator"] = a.text_input("Curator", value=release.get("curator") or "", key="r-curator")
        release["approved_by"] = b.text_input("Approved by", value=release.get("approved_by") or "", key="r-approved")
        release["rationale"] = c.text_input("Rationale", value=release.get("rationale") or "", key="r-rationale")
        release["keep_formulas"] = st.checkbox(
            "Keep cells that begin like a spreadsheet formula as they are", value=bool(release.get("keep_formulas")),
            key="r-formulas", help="By default such CSV cells get a leading ' so that a spreadsheet never runs them.")
        if release != session.release:
            session.release = release


def _options() -> dict:
    a, b, c = st.columns(3)
    return {"drop_suppressed": a.checkbox("Leave suppressed records out (instead of *)", key="x-drop"),
            "classification": b.checkbox("Classification utility in the report", value=True, key="x-class"),
            "folds": int(c.number_input("Cross-validation folds", 2, 20, 10, key="x-folds"))}


def _downloads(session: Session, outcome) -> None:
    st.success(f"The release files are ready ({len(outcome.files)} files); the privacy guarantees were checked "
               f"again on the written table.")
    columns = st.columns(4)
    shown = 0
    for key, label in DOWNLOADS:
        path = outcome.files.get(key)
        if path is None:
            continue
        column = columns[shown % 4]
        column.download_button(f"{label}: {path.name}", data=lambda p=path: p.read_bytes(), file_name=path.name,
                               key=f"dl-{key}", on_click="ignore", width="stretch")
        shown += 1
    hierarchies = hierarchy_files(outcome)
    columns[shown % 4].download_button("Hierarchies (ARX CSV, zip)", data=lambda: _zip(hierarchies),
                                       file_name="hierarchies.zip", key="dl-hierarchies", on_click="ignore",
                                       width="stretch")
    st.subheader("project.yaml: the same release from the command line")
    st.write("Config as code: this file names the table, the roles, the hierarchies, the privacy models and the "
             "chosen candidate. `eucaim-wizard run project.yaml -o release` gives the same anonymized table, "
             "byte for byte" + (f", with {session.data_path.name} beside it." if session.data_path else "."))
    project_path = outcome.files.get("project")
    left, right = st.columns(2)
    if project_path is not None:
        left.download_button("project.yaml", data=lambda: project_path.read_bytes(), file_name="project.yaml",
                             key="dl-project", on_click="ignore", type="primary", width="stretch")
        right.download_button("project.yaml with its hierarchy files (zip)", data=lambda: project_bundle(session, outcome),
                              file_name="project.zip", key="dl-bundle", on_click="ignore", width="stretch")
        with st.expander("Show project.yaml"):
            st.code(project_path.read_text(encoding="utf-8"), language="yaml")


def _zip(files: dict[str, Path]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files.values():
            archive.write(path, path.name)
    return buffer.getvalue()


def _to_folder(session: Session, options: dict) -> None:
    with st.expander("Write the release into a folder on this machine"):
        st.caption("The same files, written all at once (or not at all) into the folder; an input file is never "
                   "overwritten.")
        with st.form("to-folder", border=False):
            folder = st.text_input("Folder", key="x-folder", placeholder="/data/releases/2026-12")
            if st.form_submit_button("Write"):
                if not folder.strip():
                    st.error("Give the folder to write the release into.")
                    return
                try:
                    outcome = prepare_release(session, Path(folder).expanduser(), parquet=False,
                                              progress=ProgressBar("writing the release"), **options)
                except WizardError as error:
                    st.error(str(error))
                    return
                st.success(f"Wrote {len(outcome.files)} files into {outcome.output}.")
