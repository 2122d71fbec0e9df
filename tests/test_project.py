"""The project file: loading, paths, every user error naming its key, projects built in code."""

from __future__ import annotations

from pathlib import Path

import pytest

import eucaim_wizard.project as project_module
from eucaim_wizard import Hierarchy, Project, Table, load_project, validate_project
from eucaim_wizard.errors import ProjectError
from eucaim_wizard.privacy import KAnonymity

DATA = "age,sex,zip\n34,F,1001\n35,M,1002\n36,F,1001\n37,M,1003\n"
AGE = "34;30-34;30-39;*\n35;35-39;30-39;*\n36;35-39;30-39;*\n37;35-39;30-39;*\n"
SEX = "F;*\nM;*\n"
HEAD = "data: data.csv\n"
QI_AGE = "  age: {role: quasi-identifier, hierarchy: age.csv"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A project folder with a 4-row table and hierarchies for age (4 levels) and sex."""
    (tmp_path / "data.csv").write_text(DATA)
    (tmp_path / "age.csv").write_text(AGE)
    (tmp_path / "sex.csv").write_text(SEX)
    return tmp_path


def write(folder: Path, text: str, name: str = "project.yaml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def load_error(folder: Path, text: str) -> str:
    with pytest.raises(ProjectError) as caught:
        load_project(write(folder, text))
    message = str(caught.value)
    assert "\n" not in message  # one paragraph
    return message


def codes(findings) -> list[str]:
    return [finding.code for finding in findings]


# --- loading -------------------------------------------------------------------------
def test_valid_project_loads_roles_and_settings(folder):
    project = load_project(write(folder, HEAD + (
        "attributes:\n"
        "  age: {role: quasi-identifier, hierarchy: age.csv, min_level: 1, max_level: 2, weight: 0.3}\n"
        "  sex: {role: quasi-identifier, hierarchy: sex.csv}\n"
        "  zip: {role: sensitive}\n"
        "privacy:\n  - k-anonymity: {k: 2}\n"
        "suppression_limit: 0.1\n")))
    assert project.quasi_identifiers == ["age", "sex"] and project.sensitive == ["zip"]
    assert project.attributes["age"].weight == 0.3
    assert project.privacy == [KAnonymity(k=2)] and project.suppression_limit == 0.1
    assert project.metric.name == "loss" and project.metric.gs_factor == 0.5


def test_paths_are_relative_to_the_project_file_not_the_working_folder(folder, tmp_path_factory, monkeypatch):
    (folder / "hierarchies").mkdir()
    (folder / "age.csv").rename(folder / "hierarchies" / "age.csv")
    path = write(folder, HEAD + "attributes:\n  age: {role: quasi-identifier, hierarchy: hierarchies/age.csv}\n")
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))
    project = load_project(path)
    assert project.data_path == folder.resolve() / "data.csv"
    assert project.load_table().n_rows == 4
    assert project.load_hierarchy("age").n_levels == 4


def test_format_options_are_passed_to_the_reader(folder):
    # ';' would be detected; the project's ',' wins, so "a;b" is one column name
    (folder / "data.csv").write_text("a;b,c\n1;2,3\n4;5,6\n")
    project = load_project(write(folder, HEAD + 'format: {delimiter: ",", encoding: latin-1}\n'))
    table = project.load_table()
    assert table.columns == ["a;b", "c"]
    assert table.format.delimiter == "," and table.format.encoding == "latin-1"
    assert not any("detected" in note for note in table.notes)


def test_metric_is_a_name_or_a_mapping_of_parameters(folder):
    assert load_project(write(folder, HEAD + "metric: loss\n")).metric.name == "loss"
    metric = load_project(write(folder, HEAD + "metric: {loss: {gs_factor: 0.25}}\n")).metric
    assert metric.name == "loss" and metric.gs_factor == 0.25


def test_columns_not_listed_are_insensitive(folder):
    project = load_project(write(folder, HEAD + "attributes:\n  sex: {role: identifier}\n"))
    unlisted = [f for f in project.check_against(project.load_table()) if f.code == "unlisted-columns"]
    assert unlisted[0].severity == "info" and unlisted[0].values == ("age", "zip")


# --- errors of the file ----------------------------------------------------------------
def test_missing_project_file_suggests_init(tmp_path):
    with pytest.raises(ProjectError, match="does not exist.*eucaim-wizard init"):
        load_project(tmp_path / "nope.yaml")


def test_yaml_syntax_error_names_the_line(folder):
    message = load_error(folder, HEAD + "attributes:\n  age: {role: quasi-identifier\n  sex: {role: insensitive}\n")
    assert "not valid YAML at line 4" in message


def test_key_given_twice_names_both_lines(folder):
    message = load_error(folder, HEAD + "attributes:\n  sex: {role: insensitive}\n  zip: {}\n"
                                        "  sex: {role: identifier}\n")
    assert "'sex' is given twice (first at line 3)" in message and "line 5" in message


def test_a_file_that_is_not_a_mapping_is_refused(folder):
    assert "must be a YAML mapping" in load_error(folder, "- data.csv\n")


def test_missing_data_key_is_named(folder):
    assert "`data` is required" in load_error(folder, "attributes: {}\n")


def test_data_that_is_not_a_path_is_named(folder):
    assert "`data`: must be the path of the table" in load_error(folder, "data: 5\n")


def test_unknown_top_level_key_is_named_with_the_known_keys(folder):
    message = load_error(folder, HEAD + "suppresion_limit: 0.1\n")
    assert "unknown key `suppresion_limit` at the top level" in message
    assert "suppression_limit" in message.split("known keys")[1]


def test_internal_field_in_the_file_is_an_unknown_key(folder):
    assert "unknown key `base_dir`" in load_error(folder, HEAD + "base_dir: /etc\n")


def test_unknown_attribute_key_is_named_with_the_known_keys(folder):
    message = load_error(folder, HEAD + "attributes:\n" + QI_AGE + ", max_levle: 2}\n")
    assert "unknown key `max_levle` at attributes.age.max_levle" in message
    assert "max_level" in message.split("known keys")[1]


def test_unknown_format_key_is_named(folder):
    message = load_error(folder, HEAD + "format: {separator: ';'}\n")
    assert "unknown key `separator` at format.separator" in message and "delimiter" in message


def test_delimiter_of_more_than_one_character_is_refused(folder):
    assert "`format.delimiter`: must be a single character" in load_error(folder, HEAD + "format: {delimiter: ';;'}\n")


def test_misspelled_role_lists_the_roles(folder):
    message = load_error(folder, HEAD + "attributes:\n  sex: {role: quasi_identifier}\n")
    assert "`attributes.sex.role`" in message and "'quasi-identifier'" in message


def test_attribute_without_settings_is_refused(folder):
    assert "`attributes.sex`: give the column's settings" in load_error(folder, HEAD + "attributes:\n  sex:\n")


def test_attributes_as_a_list_is_refused(folder):
    assert "`attributes`: must map column names" in load_error(folder, HEAD + "attributes:\n  - sex\n")


def test_unquoted_numeric_column_name_asks_for_quotes(folder):
    message = load_error(folder, HEAD + "attributes:\n  2019: {role: insensitive}\n")
    assert "`attributes`" in message and 'put it in quotes, e.g. "2019"' in message


def test_quasi_identifier_without_hierarchy_names_the_attribute(folder):
    message = load_error(folder, HEAD + "attributes:\n  age: {role: quasi-identifier}\n")
    assert "`attributes.age`: a quasi-identifier needs a generalization hierarchy" in message


def test_hierarchy_that_is_not_a_path_is_named(folder):
    message = load_error(folder, HEAD + "attributes:\n  age: {role: quasi-identifier, hierarchy: 3}\n")
    assert "`attributes.age.hierarchy`: must be the path of an ARX hierarchy" in message


def test_min_level_above_max_level_names_the_attribute(folder):
    message = load_error(folder, HEAD + "attributes:\n" + QI_AGE + ", min_level: 2, max_level: 1}\n")
    assert "`attributes.age`: min_level (2) is above max_level (1)" in message


def test_negative_level_names_the_key(folder):
    message = load_error(folder, HEAD + "attributes:\n" + QI_AGE + ", min_level: -1}\n")
    assert "`attributes.age.min_level`" in message and "(got -1)" in message


def test_levels_of_an_attribute_that_is_not_a_quasi_identifier_are_refused(folder):
    message = load_error(folder, HEAD + "attributes:\n  sex: {role: sensitive, max_level: 1}\n")
    assert "`attributes.sex`: min_level/max_level only apply to a quasi-identifier" in message


def test_weight_above_one_names_the_key(folder):
    message = load_error(folder, HEAD + "attributes:\n" + QI_AGE + ", weight: 2}\n")
    assert "`attributes.age.weight`" in message and "(got 2)" in message


def test_k_below_one_is_refused_naming_privacy(folder):
    message = load_error(folder, HEAD + "privacy:\n  - k-anonymity: {k: 0}\n")
    assert "`privacy`: entry 1 (k-anonymity): k:" in message and "(got 0)" in message


def test_missing_k_is_named(folder):
    assert "entry 1 (k-anonymity): k: Field required" in load_error(folder, HEAD + "privacy:\n  - k-anonymity: {}\n")


def test_unknown_privacy_model_lists_the_known_models(folder):
    message = load_error(folder, HEAD + "privacy:\n  - k-anon: {k: 5}\n")
    assert "`privacy`: entry 1: unknown privacy model 'k-anon'" in message and "k-anonymity" in message


def test_unknown_privacy_parameter_is_named(folder):
    message = load_error(folder, HEAD + "privacy:\n  - k-anonymity: {k: 5, l: 2}\n")
    assert "`privacy`: entry 1 (k-anonymity): l:" in message


def test_privacy_that_is_not_a_list_shows_the_syntax(folder):
    message = load_error(folder, HEAD + "privacy: k-anonymity\n")
    assert "`privacy`: must be a list such as `- k-anonymity: {k: 5}`" in message


def test_unknown_metric_lists_the_known_metrics(folder):
    message = load_error(folder, HEAD + "metric: lost\n")
    assert "`metric`: unknown metric 'lost'" in message and "loss" in message


def test_metric_parameter_out_of_range_names_the_key(folder):
    assert "`metric.gs_factor`" in load_error(folder, HEAD + "metric: {loss: {gs_factor: 2}}\n")


def test_unknown_metric_parameter_is_named(folder):
    message = load_error(folder, HEAD + "metric: {loss: {gs: 0.5}}\n")
    assert "unknown key `gs` at metric.gs" in message and "gs_factor" in message.split("known keys")[1]


def test_suppression_limit_above_one_names_the_key(folder):
    message = load_error(folder, HEAD + "suppression_limit: 5\n")
    assert "`suppression_limit`: Input should be less than or equal to 1 (got 5)" in message


def test_every_error_of_a_file_is_reported_at_once(folder):
    message = load_error(folder, HEAD + "colour: red\nsuppression_limit: 5\n")
    assert "`colour`" in message and "`suppression_limit`" in message


def test_missing_data_file_names_the_project_folder(folder):
    project = load_project(write(folder, "data: nope.csv\n"))
    expected = f"nope.csv.*does not exist; relative paths start at the project file.s folder, {folder.resolve()}"
    with pytest.raises(ProjectError, match=expected):
        project.load_table()


# --- errors that depend on the data ----------------------------------------------------
def test_attribute_that_is_not_a_column_is_an_error_finding(folder):
    project = load_project(write(folder, HEAD + "attributes:\n  Sex: {role: insensitive}\n"))
    finding = next(f for f in project.check_against(project.load_table()) if f.code == "unknown-column")
    assert finding.severity == "error" and finding.values == ("Sex",)
    assert "the data has: age, sex, zip" in finding.message


def test_level_above_the_hierarchy_top_is_an_error_finding(folder):
    project = load_project(write(folder, HEAD + "attributes:\n" + QI_AGE + ", max_level: 4}\n"))
    finding = next(f for f in project.check_against(project.load_table()) if f.code == "bad-level-range")
    assert finding.severity == "error" and finding.where == "age"
    assert "attributes.age.max_level is 4" in finding.message and "levels 0–3" in finding.message


def test_unreadable_hierarchy_is_an_error_finding(folder):
    project = load_project(write(folder, HEAD + "attributes:\n  age: {role: quasi-identifier, hierarchy: gone.csv}\n"))
    finding = next(f for f in project.check_against(project.load_table()) if f.severity == "error")
    assert finding.code == "hierarchy-unreadable" and finding.where == "age" and "gone.csv" in finding.message


def test_ragged_hierarchy_is_an_error_finding_naming_the_lines(folder):
    (folder / "age.csv").write_text("34;30-39;*\n35;*\n36;30-39;*\n")
    project = load_project(write(folder, HEAD + "attributes:\n" + QI_AGE + "}\n"))
    finding = next(f for f in project.check_against(project.load_table()) if f.severity == "error")
    assert finding.code == "ragged-rows" and "line 2" in finding.message


# --- level ranges ----------------------------------------------------------------------
def test_level_range_defaults_to_the_whole_hierarchy(folder):
    project = load_project(write(folder, HEAD + "attributes:\n" + QI_AGE + "}\n"))
    assert project.level_range("age", project.load_hierarchy("age")) == (0, 3)


def test_level_range_keeps_the_given_limits(folder):
    project = load_project(write(folder, HEAD + "attributes:\n" + QI_AGE + ", min_level: 1, max_level: 2}\n"))
    assert project.level_range("age", project.load_hierarchy("age")) == (1, 2)


def test_level_range_allows_the_top_level(folder):
    project = load_project(write(folder, HEAD + "attributes:\n" + QI_AGE + ", min_level: 3}\n"))
    assert project.level_range("age", project.load_hierarchy("age")) == (3, 3)


def test_level_range_refuses_a_level_above_the_top(folder):
    project = load_project(write(folder, HEAD + "attributes:\n" + QI_AGE + ", min_level: 5}\n"))
    with pytest.raises(ProjectError, match=r"attributes\.age\.min_level is 5 .* levels 0–3"):
        project.level_range("age", project.load_hierarchy("age"))


# --- hierarchies are read once ---------------------------------------------------------
def test_hierarchy_is_read_once_per_project(folder, monkeypatch):
    reads = []
    real = project_module.read_hierarchy
    monkeypatch.setattr(project_module, "read_hierarchy", lambda path, **kw: reads.append(path) or real(path, **kw))
    (folder / "sex.csv").write_text("F,*\nM,*\n")
    project = load_project(write(folder, HEAD + "attributes:\n" + QI_AGE + "}\n"
                                         "  sex: {role: quasi-identifier, hierarchy: sex.csv}\n"))
    report = validate_project(project)
    project.load_hierarchy("age")
    assert sorted(Path(p).name for p in reads) == ["age.csv", "sex.csv"]
    assert "hierarchy of sex: delimiter ',' detected" in report.notes  # the notes of the one reading


def test_changed_hierarchy_file_is_read_again(folder):
    project = load_project(write(folder, HEAD + "attributes:\n  sex: {role: quasi-identifier, hierarchy: sex.csv}\n"))
    assert project.load_hierarchy("sex").n_levels == 2
    (folder / "sex.csv").write_text("F;person;*\nM;person;*\n")
    assert project.load_hierarchy("sex").n_levels == 3


def test_load_hierarchy_of_an_attribute_without_one_names_the_quasi_identifiers(folder):
    project = load_project(write(folder, HEAD + "attributes:\n" + QI_AGE + "}\n"))
    with pytest.raises(ProjectError, match="'sex' is not an attribute with a hierarchy.*: age"):
        project.load_hierarchy("sex")


# --- projects built in code ------------------------------------------------------------
def _table() -> Table:
    return Table.from_columns({"age": ["34", "35", "36", "37"], "sex": ["F", "F", "M", "M"]})


def test_project_built_in_code_works(tmp_path):
    age = Hierarchy([["34", "30-39", "*"], ["35", "30-39", "*"], ["36", "30-39", "*"], ["37", "30-39", "*"]])
    sex = Hierarchy([["F", "*"], ["M", "*"]])
    project = Project(data=_table(), privacy=[KAnonymity(k=2)], attributes={
        "age": {"role": "quasi-identifier", "hierarchy": age, "max_level": 1},
        "sex": {"role": "quasi-identifier", "hierarchy": sex}})
    assert project.quasi_identifiers == ["age", "sex"] and project.data_path is None
    assert project.load_table() is project.data and project.load_hierarchy("age") is age
    assert project.level_range("age", age) == (0, 1)
    assert [f for f in project.check_against(project.load_table()) if f.severity != "info"] == []


def test_project_built_in_code_accepts_paths(folder):
    project = Project(data=folder / "data.csv", privacy=[KAnonymity(k=2)],
                      attributes={"age": {"role": "quasi-identifier", "hierarchy": folder / "age.csv"}})
    assert project.load_table().n_rows == 4 and project.load_hierarchy("age").n_levels == 4


def test_invalid_project_built_in_code_raises_project_error():
    with pytest.raises(ProjectError, match="`attributes.age`: a quasi-identifier needs a generalization hierarchy"):
        Project(data=_table(), attributes={"age": {"role": "quasi-identifier"}})


def test_findings_of_an_unnamed_hierarchy_name_its_attribute():
    split = Hierarchy([["34", "30-34", "young"], ["35", "30-34", "old"],
                       ["36", "35-39", "old"], ["37", "35-39", "old"]])
    project = Project(data=_table(), privacy=[KAnonymity(k=2)],
                      attributes={"age": {"role": "quasi-identifier", "hierarchy": split}})
    findings = project.check_against(project.load_table())
    tree = next(f for f in findings if f.code == "not-a-tree")
    assert tree.where == "age"


# --- the reference data ----------------------------------------------------------------
ADULT_COLUMNS = ("sex", "age", "race", "marital-status", "education", "native-country",
                 "workclass", "occupation", "salary-class")


def test_adult_project_loads_and_validates_without_errors(arx_data, tmp_path):
    lines = [f"data: {arx_data / 'adult.csv'}", "attributes:"]
    for column in ADULT_COLUMNS:
        lines.append(f"  {column}: {{role: quasi-identifier, hierarchy: {arx_data / f'adult_hierarchy_{column}.csv'}}}")
    lines += ["privacy:", "  - k-anonymity: {k: 5}", "suppression_limit: 0.05"]
    report = validate_project(load_project(write(tmp_path, "\n".join(lines) + "\n")))
    assert report.usable and report.n_records == 30162
    assert [f for f in report.findings if f.severity != "info"] == []
    assert len(report.project.quasi_identifiers) == 9
    assert f"{arx_data / 'adult.csv'}: delimiter ';' detected" in report.notes



def test_format_kind_reads_a_file_whose_suffix_says_nothing(folder):
    (folder / "export.dat").write_text(DATA)
    project = load_project(write(folder, "data: export.dat\nformat: {kind: csv}\n"))
    assert project.load_table().columns == ["age", "sex", "zip"]


def test_unknown_format_kind_lists_the_kinds(folder):
    message = load_error(folder, HEAD + "format: {kind: json}\n")
    assert "`format.kind`" in message and "'csv', 'xlsx' or 'parquet'" in message
