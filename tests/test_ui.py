"""The browser wizard without a browser: the session, the loading of step 1, the views of the
Data, Roles, Privacy, Run, Explore and Export pages, each page through Streamlit's AppTest, and
the launcher's settings."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("streamlit")

from streamlit.testing.v1 import AppTest  # noqa: E402

from eucaim_wizard.errors import WizardError  # noqa: E402
from eucaim_wizard.ui import server_options, streamlit_arguments  # noqa: E402
from eucaim_wizard.ui.loading import open_path, open_upload  # noqa: E402
from eucaim_wizard.ui.session import Session  # noqa: E402
from eucaim_wizard.ui.status import step_done  # noqa: E402
from ui_pages import open_page  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
IMAGING = ROOT / "examples" / "imaging"


@pytest.fixture
def session(tmp_path):
    made = Session.new(tmp_path)
    yield made
    made.close()


@pytest.fixture(scope="module")
def searched(tmp_path_factory):
    """The shipped imaging project, opened and searched once for the module."""
    made = Session.new(tmp_path_factory.mktemp("ui"))
    open_path(made, IMAGING / "project.yaml")
    made.result()
    made.candidates()
    return made


def _app(session: Session, step: str) -> AppTest:
    return open_page(session, step)


def _infeasible(session: Session) -> None:
    """The imaging project with every quasi-identifier kept as it is and no suppression."""
    open_path(session, IMAGING / "project.yaml")
    for name in session.quasi_identifiers:
        session.attributes[name]["max_level"] = 0
    session.suppression_limit = 0.0


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [m.value for m in at.caption] + [m.value for m in at.success]
    parts += [m.value for m in at.info] + [m.value for m in at.warning] + [m.value for m in at.error]
    return "\n".join(str(p) for p in parts)


# -- the session and step 1 -----------------------------------------------------------------

def test_a_table_opens_with_every_column_suggested(session):
    said = open_path(session, IMAGING / "imaging_metadata.csv")
    assert "5,000 rows, 33 columns" in said and "comma-separated" in said
    assert list(session.attributes) == session.table.columns
    assert session.attributes["PatientID"]["role"] == "identifier"
    assert session.attributes["PatientSex"] == {"role": "quasi-identifier", "hierarchy": "preset:sex"}
    assert "DICOM keyword PatientSex" in session.reasons["PatientSex"]
    assert step_done(session, "data") and step_done(session, "roles") and not step_done(session, "run")


def test_a_project_opens_with_its_settings_and_its_choice(session, tmp_path):
    folder = tmp_path / "project"
    folder.mkdir()
    for name in ("imaging_metadata.csv", "hierarchy_InstitutionName.csv"):
        (folder / name).write_bytes((IMAGING / name).read_bytes())
    text = (IMAGING / "project.yaml").read_text(encoding="utf-8")
    text = text.replace("InstitutionName: {role: identifier}         # the site",
                        "InstitutionName: {role: quasi-identifier, hierarchy: hierarchy_InstitutionName.csv}")
    text += "transformation: {levels: {PatientSex: 1}}\n"
    (folder / "project.yaml").write_text(text, encoding="utf-8")
    open_path(session, folder / "project.yaml")
    assert session.privacy == [{"k-anonymity": {"k": 10}}] and session.suppression_limit == 0.05
    assert session.selected == {"PatientSex": 1}
    # the hierarchy file is copied into the session's folder and named relative to it
    assert session.attributes["InstitutionName"]["hierarchy"] == "hierarchy_InstitutionName.csv"
    assert (session.workdir / "hierarchy_InstitutionName.csv").read_bytes() == (
        folder / "hierarchy_InstitutionName.csv").read_bytes()
    assert "hierarchy: hierarchy_InstitutionName.csv" in session.project_text()


def test_an_arx_project_opens_with_its_data_beside_the_project(session):
    deid = ROOT.parent / "shared" / "seed-pack" / "examples" / "synth_data_for_demo_project.deid"
    if not deid.exists():
        pytest.skip(f"{deid} is not here (../shared beside the checkout)")
    said = open_path(session, deid)
    assert "converted the ARX project" in said and "Carried over" in said
    assert session.privacy == [{"k-anonymity": {"k": 27}}] and session.suppression_limit == 0.174
    assert session.data_derived and session.data_path.parent == session.workdir
    assert f"data: {session.data_path.name}" in session.project_text()
    assert session.result().optimum is not None


def test_a_dicom_folder_is_extracted_with_the_guard(session):
    said = open_path(session, ROOT / "examples" / "dicom")
    assert said.startswith("extracted from the DICOM files under") and "6 rows" in said
    assert session.data_derived and session.attributes["PatientID"]["role"] == "identifier"


def test_bad_input_is_one_paragraph(session, tmp_path):
    with pytest.raises(WizardError, match="does not exist"):
        open_path(session, tmp_path / "nothing.csv")
    with pytest.raises(WizardError, match="give its path instead"):
        open_upload(session, "project.yaml", b"data: x.csv\n")
    with pytest.raises(WizardError) as caught:
        open_upload(session, "broken.xlsx", b"not a workbook")
    assert "\n" not in str(caught.value).strip() and "broken.xlsx" in str(caught.value)


def test_an_upload_is_kept_under_a_safe_name_in_the_session_folder(session):
    open_upload(session, "../../evil name;rm.csv", b"age,sex\n34,F\n35,M\n")
    assert session.data_path.parent == session.workdir
    assert session.data_path.name == "evil_name_rm.csv"
    assert "data: evil_name_rm.csv" in session.project_text()
    # never under a name of the files the session writes beside it
    open_upload(session, "hierarchy_age.csv", b"age,sex\n34,F\n35,M\n")
    assert session.data_path.name == "data_hierarchy_age.csv"


def test_the_project_file_reproduces_the_settings(session):
    from eucaim_wizard.project import load_project

    open_path(session, IMAGING / "imaging_metadata.csv")
    session.privacy = [{"k-anonymity": {"k": 5}}, {"distinct-l-diversity": {"attribute": "Modality", "l": 2}}]
    session.attributes["Modality"] = {"role": "sensitive"}
    session.attributes["PatientAge"]["max_level"] = 3
    project = load_project(session.write_project(levels={"PatientSex": 1}))
    assert [m.to_config() for m in project.privacy][0] == {"k-anonymity": {"k": 5}}
    assert project.attributes["PatientAge"].max_level == 3
    assert project.transformation.levels == {"PatientSex": 1}
    assert project.data_path == (IMAGING / "imaging_metadata.csv").resolve()


def test_the_session_folder_is_removed(tmp_path):
    made = Session.new(tmp_path)
    folder = made.workdir
    assert folder.is_dir() and folder.parent == tmp_path.resolve()
    del made
    import gc

    gc.collect()
    assert not folder.exists()


def test_computations_are_cached_by_what_they_depend_on(session):
    open_path(session, IMAGING / "project.yaml")
    calls = []
    session.cached("x", lambda: calls.append(1))
    session.cached("x", lambda: calls.append(1))
    assert calls == [1]
    session.suppression_limit = 0.1
    session.cached("x", lambda: calls.append(1))
    assert calls == [1, 1]


# -- the views --------------------------------------------------------------------------------

def test_the_column_profile_counts_distinct_and_missing(session):
    from eucaim_wizard.tables import Table
    from eucaim_wizard.ui.data_view import column_profile

    table = Table.from_columns({"a": ["1", "", " ", "2"], "b": ["x", "x", "x", "y"]})
    profile = column_profile(table).set_index("column")
    assert profile.loc["a", "distinct"] == 4 and profile.loc["a", "missing"] == 2
    assert profile.loc["a", "share missing"] == 0.5 and profile.loc["b", "most frequent share"] == 0.75


def test_the_roles_table_round_trips_and_fills_in_a_suggested_preset(session):
    from eucaim_wizard.ui.data_view import apply_roles, roles_frame

    open_path(session, IMAGING / "imaging_metadata.csv")
    frame = roles_frame(session, {})
    assert apply_roles(session, frame) == []  # (unchanged)
    frame.loc[frame["column"] == "PatientSize", "role"] = "quasi-identifier"
    frame.loc[frame["column"] == "PatientSize", "hierarchy"] = None
    assert apply_roles(session, frame) == ["PatientSize"]
    assert session.attributes["PatientSize"]["hierarchy"] == "preset:height-m"


def test_every_privacy_model_has_a_form_with_defaults_that_validate():
    from eucaim_wizard.privacy import MODELS
    from eucaim_wizard.ui.privacy_view import MODEL_HELP, check_models, default_model, parameters

    assert set(MODEL_HELP) == set(MODELS)
    for key in MODELS:
        assert parameters(key)
        entry = default_model(key, ["diagnosis"])
        assert check_models([entry]) is None, (key, entry)
    assert default_model("k-anonymity", []) == {"k-anonymity": {"k": 10}}
    assert "entry 1 (k-anonymity)" in check_models([{"k-anonymity": {"k": 0}}])


def test_the_run_sentences_name_the_optimum_and_the_advice(searched, session):
    from eucaim_wizard.ui.run_view import result_sentences, setup_sentences

    assert "6,912 transformations" in "\n".join(setup_sentences(searched))
    lines, advice = result_sentences(searched, searched.result())
    assert lines[0].startswith("The optimal anonymous transformation generalizes PatientSex at level 0")
    assert advice is None
    _infeasible(session)
    lines, advice = result_sentences(session, session.result())
    assert lines[0].startswith("No transformation satisfies") and "smaller than k=10" in advice


def test_the_candidates_frame_marks_the_optimum_and_the_selection(searched):
    from eucaim_wizard.explore import select
    from eucaim_wizard.ui.explore_view import candidates_frame, filtered, labels, with_marks

    result = searched.result()
    candidates = searched.candidates()
    optimum = dict(result.optimum.levels)
    other = select(candidates, anonymous_only=True)[1]
    frame = with_marks(candidates_frame(candidates), optimum, dict(other.levels))
    said = labels(frame)
    assert said[frame.loc[frame["mark"] == "optimum", "levels"].iloc[0]].endswith(
        f"(optimum) — loss {result.optimum.information_loss:.4f}, highest risk 0.100, 240 suppressed")
    assert len(frame) == result.lattice_size == 6912
    assert frame.loc[frame["mark"] == "optimum", "levels"].tolist() == [result.optimum and ",".join(
        f"{k}={v}" for k, v in optimum.items())]
    assert frame.loc[frame["mark"] == "selected", "node"].tolist() == [other.node]
    assert set(frame["status"]) <= {"anonymous", "not anonymous"}
    # each height is one row of the lattice view, centred
    for _, nodes in frame.groupby("height"):
        assert abs(nodes["position"].mean()) < 1e-9
    shown = filtered(frame, anonymous_only=True, max_loss=other.information_loss, levels={"PatientSex": [0]})
    assert shown["anonymous"].all() or set(shown.loc[~shown["anonymous"], "mark"]) <= {"optimum", "selected"}
    assert (shown.loc[shown["mark"] == "", "PatientSex"] == 0).all()
    # the order of `explore`'s listing
    assert shown.loc[shown["mark"] == "", "levels"].tolist() == [
        c.levels_text for c in select(candidates, anonymous_only=True, max_loss=other.information_loss,
                                      levels={"PatientSex": 0}) if c.node not in (other.node, result.outcome.optimum)]


def test_the_equivalence_classes_and_the_data_by_class(searched):
    from eucaim_wizard.ui.explore_view import class_colours, data_by_class, equivalence_classes

    result = searched.result()
    levels = dict(result.optimum.levels)
    classes = equivalence_classes(result, levels)
    kept = classes[~classes["suppressed"]]
    assert len(kept) == result.optimum.equivalence_classes
    assert int(kept["records"].min()) == result.optimum.min_class_size
    assert int(classes["records"].sum()) == result.n_records
    assert int(classes.loc[classes["suppressed"], "records"].sum()) == result.optimum.suppressed_records
    data = data_by_class(result, levels, rows=300)
    assert len(data) == 300 and data["class"].is_monotonic_increasing
    assert "PatientID" not in data.columns  # identifiers removed, as in the export
    colours = class_colours(data["class"])
    changes = (data["class"].diff().fillna(0) != 0).to_numpy()
    assert all((colours[i] != colours[i - 1]) == changes[i] for i in range(1, len(colours)))


# -- the pages (AppTest) -----------------------------------------------------------------------

def test_the_data_page_opens_a_path_and_shows_the_profile(session):
    at = _app(session, "data")
    assert "No table yet" in _texts(at)
    at.text_input(key="path").input(str(IMAGING / "imaging_metadata.csv"))
    at.get("form_submit_button")[0].click()
    at.run()
    assert not at.exception
    assert "5,000 rows, 33 columns" in _texts(at)
    assert session.table is not None and len(at.dataframe) == 2


def test_the_data_page_shows_a_bad_path_as_one_paragraph(session, tmp_path):
    at = _app(session, "data")
    at.text_input(key="path").input(str(tmp_path / "missing.csv"))
    at.get("form_submit_button")[0].click()
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] and "does not exist" in at.error[0].value


def test_the_roles_page_edits_one_column(session):
    open_path(session, IMAGING / "imaging_metadata.csv")
    at = _app(session, "roles")
    assert "2,488,320 transformations to search" in _texts(at)
    at.selectbox(key="role-column").set_value("PatientWeight")
    at.run()
    at.radio(key="role-radio").set_value("identifier")
    at.get("form_submit_button")[0].click()
    at.run()
    assert not at.exception
    assert session.attributes["PatientWeight"]["role"] == "identifier"
    assert "transformations to search" in _texts(at)


def test_the_privacy_page_adds_edits_and_removes_models(session):
    open_path(session, IMAGING / "project.yaml")
    session.attributes["Modality"] = {"role": "sensitive"}
    at = _app(session, "privacy")
    at.selectbox(key="add-model").set_value("t-closeness")
    at.button(key="add-model-button").click()
    at.run()
    assert session.privacy[-1] == {"t-closeness": {"attribute": "Modality", "t": 0.2, "distance": "equal"}}
    at.number_input(key="0-k-anonymity-k").set_value(5)
    at.run()
    assert session.privacy[0] == {"k-anonymity": {"k": 5}}
    at.button(key="remove-1-t-closeness").click()
    at.run()
    assert session.privacy == [{"k-anonymity": {"k": 5}}]
    at.slider(key="suppression").set_value(0.1)
    at.run()
    assert session.suppression_limit == 0.1 and not at.exception


def test_the_run_page_searches_and_says_the_result(session):
    open_path(session, IMAGING / "project.yaml")
    at = _app(session, "run")
    assert "6,912 transformations in the search space" in _texts(at)
    at.button(key="run-search").click()
    at.run()
    assert not at.exception and session.has_result()
    assert at.success[0].value.startswith("The optimal anonymous transformation generalizes")
    assert "Suppressed records: 240 of 5,000 (4.8%)" in _texts(at)


def test_the_run_page_shows_the_advice_of_an_infeasible_setup(session):
    _infeasible(session)
    at = _app(session, "run")
    at.button(key="run-search").click()
    at.run()
    assert at.error[0].value.startswith("No transformation satisfies")
    assert "What would make it feasible" in _texts(at)


def test_the_explore_page_selects_a_candidate(searched):
    from eucaim_wizard.explore import select

    at = _app(searched, "explore")
    other = select(searched.candidates(), anonymous_only=True)[1]
    try:
        at.selectbox(key="release-candidate").set_value(other.levels_text)
        at.run()
        assert not at.exception
        assert searched.selected == dict(other.levels)
        assert "selected instead of the optimum" in "\n".join(h.value for h in at.subheader)
        assert step_done(searched, "explore")
    finally:
        searched.selected = None


def test_the_explore_page_refuses_a_candidate_that_is_not_anonymous(searched):
    at = _app(searched, "explore")
    for name, value in zip(searched.result().quasi_identifiers, (0, 0, 0, 0, 0, 0)):
        at.number_input(key=f"demand-{name}").set_value(value)
    at.button(key="demand-evaluate").click()
    at.run()
    assert "not anonymous" in _texts(at)
    assert searched.selected is None


def test_the_export_page_prepares_the_release_of_the_selected_candidate(searched):
    """The page's button writes the release of the candidate selected in Explore (not the
    optimum): the table in three formats, the project file naming the candidate, a bundle
    with it, and result.json about that candidate."""
    import json

    from eucaim_wizard.explore import select
    from eucaim_wizard.ui.export_view import project_bundle, release_levels

    other = select(searched.candidates(), anonymous_only=True)[1]
    searched.selected = dict(other.levels)
    try:
        assert release_levels(searched) == dict(other.levels)
        at = _app(searched, "export")
        at.checkbox(key="x-class").uncheck()
        at.button(key="prepare").click()
        at.run()
        assert not at.exception
        assert "The release files are ready" in _texts(at)
        assert "export" in searched.visited
        outcome = at.session_state["release"][1]
        assert outcome.files["table"].parent == searched.workdir / "release"
        assert outcome.files["parquet"].exists() and outcome.files["xlsx"].exists()
        saved = json.loads(outcome.files["result"].read_text())
        assert saved["applied"]["levels"] == dict(other.levels) and not saved["applied"]["optimum"]
        with zipfile.ZipFile(io.BytesIO(project_bundle(searched, outcome))) as archive:
            assert sorted(archive.namelist()) == ["README.txt", "project.yaml"]
            text = archive.read("project.yaml").decode()
        assert text == outcome.files["project"].read_text()
        assert "transformation:\n  levels:\n" + "".join(f"    {k}: {v}\n" for k, v in other.levels.items()) in text
    finally:
        searched.selected = None


def test_a_page_before_its_step_says_what_comes_first(session):
    for step in ("roles", "hierarchies", "privacy", "run", "explore", "risk", "utility", "export"):
        at = _app(session, step)
        assert not at.exception, step


# -- the launcher ------------------------------------------------------------------------------

def test_the_server_settings_keep_everything_on_this_machine():
    options = server_options(8600)
    assert options["server.address"] == "127.0.0.1" and options["server.port"] == "8600"
    assert options["browser.gatherUsageStats"] == "false"
    assert options["server.enableXsrfProtection"] == "true"
    assert options["server.maxUploadSize"] == "1024"
    assert options["client.showErrorDetails"] == "none"
    line = streamlit_arguments(8600, upload_mb=50)
    assert line[0] == "run" and line[1].endswith("app.py") and "--server.maxUploadSize=50" in line


def test_ui_refuses_a_missing_target(tmp_path):
    from typer.testing import CliRunner

    from eucaim_wizard.cli import app

    outcome = CliRunner().invoke(app, ["ui", "--no-browser", str(tmp_path / "missing.csv")])
    assert outcome.exit_code == 2 and "does not exist" in outcome.output


def test_the_launcher_stops_its_server_and_removes_the_temporary_folder(tmp_path):
    """``eucaim-wizard ui`` terminated (as a service manager or the e2e tests do): the Streamlit
    server it runs stops, the command exits 0, and the sessions' folder is gone."""
    import os
    import signal
    import subprocess
    import sys
    import time

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = dict(os.environ, TMPDIR=str(tmp_path), PYTHONUNBUFFERED="1")
    launcher = subprocess.Popen([sys.executable, "-m", "eucaim_wizard", "ui", "--no-browser", "--port", str(port)],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = ""
        deadline = time.monotonic() + 60
        while "served at" not in line and time.monotonic() < deadline and launcher.poll() is None:
            line = launcher.stdout.readline()
        assert "served at http://127.0.0.1:" in line
        folders = list(tmp_path.glob("eucaim-wizard-ui-*"))
        assert len(folders) == 1
        launcher.send_signal(signal.SIGTERM)
        assert launcher.wait(20) == 0
        assert not folders[0].exists()
        with socket.socket() as probe:  # (nothing serves the port any more)
            assert probe.connect_ex(("127.0.0.1", port)) != 0
    finally:
        if launcher.poll() is None:
            launcher.kill()


def test_the_charts_select_a_candidate_by_its_levels(searched):
    """A click on a point of either chart selects the candidate by its ``levels`` (the page
    reads the parameter ``pick``); every field the specs read is a column the page sends."""
    from eucaim_wizard.ui.explore_view import CHARTED, candidates_frame, chart_spec

    frame = candidates_frame(searched.candidates())
    for kind in ("scatter", "lattice"):
        spec = chart_spec(kind)
        assert spec["params"] == [{"name": "pick", "select": {"type": "point", "fields": ["levels"], "on": "click"}}]
        fields = {e["field"] for e in spec["encoding"].values() if isinstance(e, dict) and "field" in e}
        fields |= {t["field"] for t in spec["encoding"]["tooltip"]}
        assert fields <= set(CHARTED) <= set(frame.columns)
    assert chart_spec("lattice")["encoding"]["y"]["field"] == "height"


def test_a_project_beyond_the_optimal_search_runs_best_first_in_the_wizard(session, tmp_path):
    """The project's ``search:`` is kept (and written back); the Run page says what a best-first
    search proves."""
    from test_heuristic import _write_wide

    _write_wide(tmp_path)
    text = (tmp_path / "project.yaml").read_text() + "search: {strategy: best-first, steps: 150}\n"
    (tmp_path / "project.yaml").write_text(text)
    open_path(session, tmp_path / "project.yaml")
    assert "search:\n  strategy: best-first\n  steps: 150\n" in session.project_text()
    at = _app(session, "run")
    assert "59,719,680,000,000 transformations in the search space" in _texts(at)
    at.button(key="run-search").click()
    at.run()
    assert not at.exception
    assert at.success[0].value.startswith("The best anonymous transformation found generalizes")
    assert "it stopped at the step limit (150 checks); its answer is the best found, not proven optimal" in _texts(at)
