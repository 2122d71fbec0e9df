"""Step 3 of the browser wizard, Hierarchies: the view of a quasi-identifier's hierarchy beside its
column (table, icicle chart, records per group, values it misses and their fixes), the builder
forms with their preview, and the page itself (Streamlit's AppTest, no browser)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("streamlit")  # (the wizard's optional dependencies: pandas and altair come with it)

from streamlit.testing.v1 import AppTest  # noqa: E402

from eucaim_wizard.errors import HierarchyError, WizardError  # noqa: E402
from eucaim_wizard.tables import Table  # noqa: E402
from eucaim_wizard.ui import hierarchy_edit as edit  # noqa: E402
from eucaim_wizard.ui import hierarchy_view as view_  # noqa: E402
from eucaim_wizard.ui.loading import open_path  # noqa: E402
from eucaim_wizard.ui.session import Session  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "imaging" / "project.yaml"
APP = REPO / "src" / "eucaim_wizard" / "ui" / "app.py"


def _session(columns: dict[str, list[str]], attributes: dict[str, dict], files: dict[str, str] = ()) -> Session:
    """A session on a small table (kept in its folder as data.csv) with these settings."""
    session = Session.new()
    path = session.workdir / "data.csv"
    path.write_text(",".join(columns) + "\n", encoding="utf-8")
    session.set_table(Table.from_columns(columns), path, "synthetic")
    session.attributes = {name: dict(entry) for name, entry in attributes.items()}
    for name, text in dict(files).items():
        (session.workdir / name).write_text(text, encoding="utf-8")
    return session


@pytest.fixture
def small() -> Session:
    """Ages with one unreadable value (preset age), sexes with two values the file misses."""
    session = _session(
        {"age": ["34", "35", "abc", "67", "67", "", "41", "93"], "sex": ["F", "M", "MALE", "x", "F", "F", "M", "F"]},
        {"age": {"role": "quasi-identifier", "hierarchy": "preset:age"},
         "sex": {"role": "quasi-identifier", "hierarchy": "sex.csv"}},
        {"sex.csv": "F;Female;*\nM;Male;*\n"})
    yield session
    session.close()


@pytest.fixture(scope="module")
def imaging() -> Session:
    session = Session.new()
    open_path(session, EXAMPLE)
    yield session
    session.close()


# -- the hierarchy beside its column ---------------------------------------------------------------
def test_a_preset_is_fitted_to_the_column_and_unreadable_values_go_to_its_unknown_branch(small):
    view = view_.attribute_view(small, "age")
    assert view.unknown == ("abc",) and view.unknown_records == 1
    assert view.missing == [] and view.n_records == 8
    assert view.hierarchy.n_values == 7  # one row per distinct value of the column


def test_values_a_file_misses_are_found_as_the_library_finds_them(small):
    view = view_.attribute_view(small, "sex")
    assert view.missing == ["MALE", "x"] and view.missing_records == 2
    missing = [f for f in view.findings(small.attributes["sex"]) if f.code == "missing-values"]
    assert len(missing) == 1 and missing[0].severity == "error" and missing[0].records == 2


def test_a_level_above_the_top_of_the_hierarchy_is_an_error(small):
    small.attributes["sex"]["max_level"] = 5
    codes = [f.code for f in view_.attribute_view(small, "sex").findings(small.attributes["sex"])]
    assert "bad-level-range" in codes


def test_no_hierarchy_is_an_error_that_says_what_to_do(small):
    small.attributes["sex"] = {"role": "quasi-identifier"}
    with pytest.raises(WizardError, match="choose a preset"):
        view_.attribute_view(small, "sex")


def test_the_groups_of_every_level_hold_all_records(small):
    counts = view_.group_counts(view_.attribute_view(small, "age"))
    by_level = counts.groupby("level")
    assert (by_level["records"].sum() == 8).all()
    assert np.allclose(by_level["share"].sum(), 1.0)
    assert counts[counts["level"] == 4]["group"].tolist() == ["*"]


def test_siblings_are_in_the_order_a_curator_reads_them():
    session = _session({"n": ["3", "12", "7", "25", "-4"]},
                       {"n": {"role": "quasi-identifier",
                              "hierarchy": {"builder": "intervals", "widths": [5, 10], "bottom": 0}}})
    level1 = view_.group_counts(view_.attribute_view(session, "n"))
    assert level1[level1["level"] == 1]["group"].tolist() == ["<0", "0-4", "5-9", "10-14", "25-29"]
    session.close()


def test_the_icicle_tiles_every_level_and_nests_each_group_in_its_parent(small):
    view = view_.attribute_view(small, "sex")
    frame, note = view_.icicle_frame(view)
    assert note == ""
    for level, rects in frame.groupby("level"):
        assert rects["x0"].iloc[0] == 0 and rects["x1"].iloc[-1] == view.n_records
        assert (rects["x0"].to_numpy()[1:] == rects["x1"].to_numpy()[:-1]).all()
        if level < view.top:
            parents = frame[frame["level"] == level + 1]
            for x0, x1 in zip(rects["x0"], rects["x1"]):
                assert ((parents["x0"] <= x0) & (parents["x1"] >= x1)).any()


def test_the_icicle_marks_values_outside_the_hierarchy_and_leaves_out_crowded_levels(small):
    view = view_.attribute_view(small, "sex")
    frame, _ = view_.icicle_frame(view)
    outside = frame[frame["group"] == view_.NOT_IN_HIERARCHY]
    assert len(outside) == 2 and set(outside["status"]) == {"not in the hierarchy"}
    crowded, note = view_.icicle_frame(view, max_groups=3)
    assert 0 not in set(crowded["level"]) and "level(s) 0" in note


def test_the_icicle_chart_has_a_tooltip_with_group_level_and_records(small):
    view = view_.attribute_view(small, "age")
    spec = view_.icicle_chart(view_.icicle_frame(view)[0], view.top).to_dict()
    tooltip = [t["field"] for t in spec["layer"][0]["encoding"]["tooltip"]]
    assert {"group", "level", "records"} <= set(tooltip)


def test_the_values_table_shows_problems_first_and_says_what_it_leaves_out(small):
    table, note = view_.leaf_frame(view_.attribute_view(small, "sex"), limit=3)
    assert table["value"].tolist()[:2] == ["MALE", "x"] and len(table) == 3
    assert list(table.columns) == ["value", "records", "level 1", "level 2", "note"]
    assert "4 value(s)" in note and "3 most frequent" in note
    found, note = view_.leaf_frame(view_.attribute_view(small, "sex"), search="mal")
    assert found["value"].tolist() == ["MALE"] and "containing 'mal'" in note


def test_a_file_that_shares_no_value_with_the_column_is_not_shown(small):
    (small.workdir / "other.csv").write_text("root:x:0;a;*\nbin:x:1;a;*\n", encoding="utf-8")
    small.attributes["sex"]["hierarchy"] = "other.csv"
    view = view_.attribute_view(small, "sex")
    assert view.hidden
    table, _ = view_.leaf_frame(view)
    assert set(table["level 1"]) == {"…"}
    assert not any("root" in f.message for f in view.findings())
    assert not [fix for fix in edit.proposed_fixes(small, "sex", view) if fix.hierarchy is not None]


def test_a_hierarchy_is_built_once_and_not_again_when_a_weight_changes(small):
    first = view_.attribute_view(small, "age")
    small.attributes["age"]["weight"] = 0.9
    small.attributes["sex"]["min_level"] = 1
    assert view_.attribute_view(small, "age") is first


def test_a_new_content_of_the_same_file_is_read_again(small):
    before = view_.attribute_view(small, "sex")
    path = small.workdir / "sex.csv"
    path.write_text("F;Female;*\nM;Male;*\nMALE;Male;*\nx;Other;*\n", encoding="utf-8")
    after = view_.attribute_view(small, "sex")
    assert before.missing and not after.missing


# -- fixes ---------------------------------------------------------------------------------------
def test_the_matching_preset_is_proposed_for_values_a_file_misses_and_applied(small):
    fixes = edit.proposed_fixes(small, "sex", view_.attribute_view(small, "sex"))
    assert fixes[0].given == "preset:sex" and fixes[0].left_unknown < 2
    edit.apply_hierarchy(small, "sex", fixes[0].given, top=2)
    assert small.attributes["sex"]["hierarchy"] == "preset:sex"
    assert not view_.attribute_view(small, "sex").missing


def test_fitting_the_file_to_the_data_writes_it_in_the_session_folder(small):
    fixes = edit.proposed_fixes(small, "sex", view_.attribute_view(small, "sex"))
    fitted = next(fix for fix in fixes if fix.title == "Fit the file to the data")
    assert "2 value(s) (2 record(s)) go to an Unknown branch" in fitted.explanation
    edit.apply_hierarchy(small, "sex", fitted.given, hierarchy=fitted.hierarchy, top=fitted.hierarchy.n_levels - 1)
    assert small.attributes["sex"]["hierarchy"] == "hierarchy_sex.csv"
    assert (small.workdir / "hierarchy_sex.csv").is_file()
    assert view_.attribute_view(small, "sex").missing == []


def test_a_file_that_is_not_a_tree_gets_a_repair_proposed(small):
    (small.workdir / "sex.csv").write_text("F;Female;any;*\nM;Male;any;*\nMALE;Male;other;*\nx;X;other;*\n",
                                           encoding="utf-8")
    view = view_.attribute_view(small, "sex")
    assert any(f.code == "not-a-tree" for f in view.findings())
    repair = next(fix for fix in edit.proposed_fixes(small, "sex", view) if fix.title == "Repair the file")
    assert not [f for f in repair.hierarchy.findings() if f.severity == "error"]


def test_a_preset_that_leaves_fewer_values_unrecognised_is_proposed():
    bands = {"builder": "intervals", "widths": [10]}
    session = _session({"PatientAge": ["045Y", "067Y", "006M", "045Y"]},
                       {"PatientAge": {"role": "quasi-identifier", "hierarchy": bands}})
    view = view_.attribute_view(session, "PatientAge")
    fixes = edit.proposed_fixes(session, "PatientAge", view)
    assert view.unknown_records == 4  # (a DICOM age is no number)
    assert [fix.given for fix in fixes] == ["preset:age-dicom", "preset:age"]  # (age reads 045Y, not 006M)
    assert [fix.left_unknown for fix in fixes] == [0, 1]
    session.close()


def test_a_new_hierarchy_lowers_the_levels_above_its_top(small):
    small.attributes["age"].update(min_level=4, max_level=4)
    edit.apply_hierarchy(small, "age", "preset:sex", top=2)
    assert small.attributes["age"]["min_level"] == 2 and "max_level" not in small.attributes["age"]


def test_an_uploaded_file_is_kept_aside_until_it_is_used(small):
    saved = edit.read_upload(small, "sex", b"F;Female;*\nM;Male;*\nMALE;Male;*\nx;Other;*\n")
    assert small.attributes["sex"]["hierarchy"] == "sex.csv"
    assert not view_.attribute_view(small, "sex", saved).missing
    edit.use_upload(small, "sex", saved, 2)
    assert small.attributes["sex"]["hierarchy"] == "hierarchy_sex.csv" and not (small.workdir / saved).exists()


# -- levels and weight -----------------------------------------------------------------------------
def test_levels_and_weight_are_written_only_where_they_differ_from_the_defaults():
    entry = {"role": "quasi-identifier", "hierarchy": "preset:sex"}
    assert edit.level_settings(entry, 2) == (0, 2, 0.5)
    assert not edit.set_level_settings(entry, 0, 2, 0.5, 2)
    assert edit.set_level_settings(entry, 1, 2, 0.25, 2)
    assert entry == {"role": "quasi-identifier", "hierarchy": "preset:sex", "min_level": 1, "weight": 0.25}
    assert edit.level_settings({"max_level": 7, "min_level": 9}, 3) == (3, 3, 0.5)


# -- builders ----------------------------------------------------------------------------------------
def test_a_builder_form_starts_from_the_preset_in_use():
    texts = edit.form_texts("dicom-age", edit.preset_builder("preset:age-dicom"), [])
    assert texts == {"widths": "5, 10, 20", "top": "90", "bottom": ""}


def test_a_builder_form_keeps_the_options_it_does_not_show():
    start = edit.preset_builder("preset:age")
    spec = edit.spec_from_form("intervals", {"widths": "10, 20", "top": "80", "bottom": "", "edges": ""}, start)
    assert spec["widths"] == [10, 20] and spec["top"] == 80 and spec["units"] == start["units"]


def test_a_builder_form_reads_lists_as_typed():
    widths = edit.BUILDER_FORMS["intervals"][0]
    edges = edit.BUILDER_FORMS["intervals"][3]
    words = edit.BUILDER_FORMS["ordered"][0]
    assert edit.parse_option(widths, "[5, 10]") == edit.parse_option(widths, "5, 10") == [5, 10]
    assert edit.parse_option(edges, "[18.5, 25], [25]") == [[18.5, 25], [25]]
    assert edit.parse_option(words, "no, yes, 01") == ["no", "yes", "01"]  # (texts stay texts)
    with pytest.raises(HierarchyError, match="Top coding from"):
        edit.parse_option(edit.BUILDER_FORMS["intervals"][1], "ninety")


def test_options_left_at_the_builders_default_are_not_written():
    texts = edit.form_texts("masking", None, [])
    assert edit.spec_from_form("masking", texts) == {"builder": "masking"}


def test_a_wrong_builder_option_is_an_error_for_people():
    with pytest.raises(HierarchyError, match="multiple"):
        edit.spec_from_form("intervals", {"widths": "5, 7"})


@pytest.mark.parametrize("kind", list(edit.BUILDER_FORMS))
def test_every_builders_form_builds_a_hierarchy_from_its_defaults(kind):
    values = ["8140/3", "1.5", "20230514", "101523", "045Y", "I", "II", ""]
    spec = edit.spec_from_form(kind, edit.form_texts(kind, None, values))
    session = _session({"c": values}, {"c": {"role": "quasi-identifier", "hierarchy": "preset:sex"}})
    preview = view_.attribute_view(session, "c", spec)
    assert preview.hierarchy.n_values == len(values) and preview.missing == []
    assert session.attributes["c"]["hierarchy"] == "preset:sex"  # (a preview changes nothing)
    session.close()


def test_a_builder_preview_on_the_example_covers_the_ages(imaging):
    spec = edit.spec_from_form("dicom-age", {"widths": "10, 20", "top": "80", "bottom": ""})
    preview = view_.attribute_view(imaging, "PatientAge", spec)
    assert preview.top == 4 and preview.unknown == ()
    assert "80+" in set(view_.group_counts(preview)["group"])


# -- the shipped example ---------------------------------------------------------------------------------
def test_every_quasi_identifier_of_the_example_is_covered_and_counted(imaging):
    for name in imaging.quasi_identifiers:
        view = view_.attribute_view(imaging, name)
        assert not view.missing and not [f for f in view.findings() if f.severity == "error"], name
        counts = view_.group_counts(view)
        assert (counts.groupby("level")["records"].sum() == imaging.table.n_rows).all(), name
        assert edit.proposed_fixes(imaging, name, view) == []


def test_the_example_ages_draw_one_band_per_level(imaging):
    view = view_.attribute_view(imaging, "PatientAge")
    frame, note = view_.icicle_frame(view)
    assert sorted(set(frame["level"])) == list(range(view.top + 1)) and note == ""
    assert frame[frame["level"] == view.top]["label"].tolist() == ["*"]


# -- the page ----------------------------------------------------------------------------------------------
def _page(session: Session) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.session_state["session"] = session
    at.session_state["step"] = "hierarchies"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def example() -> Session:
    session = Session.new()
    open_path(session, EXAMPLE)
    yield session
    session.close()


def test_the_page_shows_the_attribute_its_table_its_chart_and_the_download(example):
    at = _page(example)
    attribute = at.selectbox(key="hierarchy-attribute")
    assert attribute.value == "PatientSex" and attribute.options[1] == "PatientAge  ·  preset age-dicom"
    assert len(attribute.options) == len(example.quasi_identifiers)
    assert at.dataframe and not at.error
    chart = at.get("vega_lite_chart")
    assert len(chart) == 1 and '"tooltip"' in chart[0].proto.spec
    assert at.get("download_button")[0].label == "Download as ARX CSV"
    assert any("covers every value" in s.value for s in at.success)


def test_a_preset_chosen_with_the_widgets_is_applied_to_the_session(example):
    at = _page(example)
    at.selectbox(key="hierarchy-attribute").select("PatientAge").run()
    at.selectbox(key="hierarchy-preset-PatientAge").select("age").run()
    at.button(key="hierarchy-apply-PatientAge").click().run()
    assert not at.exception
    assert example.attributes["PatientAge"]["hierarchy"] == "preset:age"
    assert at.button(key="hierarchy-apply-PatientAge").disabled  # (now in use)


def test_a_builder_shows_its_preview_and_is_applied(example):
    at = _page(example)
    at.selectbox(key="hierarchy-attribute").select("PatientAge").run()
    at.radio(key="hierarchy-source-PatientAge").set_value("builder").run()
    assert at.selectbox(key="hierarchy-builder-PatientAge").value == "dicom-age"
    at.text_input(key="hierarchy-builder-PatientAge-dicom-age-widths").input("10, 20").run()
    assert any(m.value.startswith("**Preview on PatientAge** · levels 0–4") for m in at.markdown)
    at.button(key="hierarchy-apply-PatientAge").click().run()
    # (the form started from preset age-dicom: its top coding is kept)
    assert example.attributes["PatientAge"]["hierarchy"] == {"builder": "dicom-age", "widths": [10, 20], "top": 90}


def test_a_wrong_builder_option_is_shown_as_one_paragraph(example):
    at = _page(example)
    at.radio(key="hierarchy-source-PatientSex").set_value("builder").run()
    at.text_input(key="hierarchy-builder-PatientSex-intervals-widths").input("5, 7").run()
    assert not at.exception and any("multiple of the one before" in e.value for e in at.error)


def test_levels_and_weight_edited_on_the_page_are_written_back(example):
    at = _page(example)
    at.number_input(key="hierarchy-min-PatientSex-2").set_value(1).run()
    at.number_input(key="hierarchy-weight-PatientSex").set_value(0.8).run()
    assert example.attributes["PatientSex"]["min_level"] == 1
    assert example.attributes["PatientSex"]["weight"] == 0.8


def test_a_fix_proposed_on_the_page_is_applied_with_its_button(small):
    at = _page(small)
    at.selectbox(key="hierarchy-attribute").select("sex").run()
    assert any("have no row in hierarchy" in e.value for e in at.error)
    at.button(key="hierarchy-fix-sex-0").click().run()
    assert small.attributes["sex"]["hierarchy"] == "preset:sex"
    assert not at.exception


def test_the_page_without_quasi_identifiers_says_where_to_make_them(small):
    for entry in small.attributes.values():
        entry["role"] = "insensitive"
    at = _page(small)
    assert any("step 2, Roles" in i.value for i in at.info)
