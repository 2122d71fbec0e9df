"""The command line: init, validate, help with examples, and errors without tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from eucaim_wizard.cli import app

COMMANDS = sorted(typer.main.get_command(app).commands)
WIDE = {"COLUMNS": "250"}  # one table row per line, so phrases are not wrapped


def run(*args: str):
    return CliRunner().invoke(app, [str(a) for a in args], env=WIDE)


def assert_user_error(result, *phrases: str) -> None:
    """Exit code 2 and one paragraph starting with 'error:', no traceback."""
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)  # not a crash
    message = result.output.strip()
    assert message.startswith("error: ") and "\n" not in message, message
    for phrase in phrases:
        assert phrase in message


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "data.csv").write_text("PatientID;age;sex\np1;34;F\np2;35;M\np3;36;F\np4;37;M\n")
    (tmp_path / "age.csv").write_text("34;30-39;*\n35;30-39;*\n36;30-39;*\n37;30-39;*\n")
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  PatientID: {role: identifier}\n"
        "  age: {role: quasi-identifier, hierarchy: age.csv}\n"
        "privacy:\n  - k-anonymity: {k: 2}\n")
    return tmp_path


# --- help --------------------------------------------------------------------------------
def test_every_command_is_listed():
    expected = {"init", "validate", "anonymize", "check", "extract", "import-arx", "export-arx", "hierarchies"}
    assert expected <= set(COMMANDS)


def test_main_help_shows_an_example_session():
    result = run("--help")
    assert result.exit_code == 0
    assert "eucaim-wizard init data.csv -o project.yaml" in result.output
    assert "eucaim-wizard validate project.yaml" in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_shows_an_example(command):
    result = run(command, "--help")
    assert result.exit_code == 0
    assert f"Example: eucaim-wizard {command} " in result.output


GROUPS = {"hierarchies"}  # their examples start with a sub-command


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - GROUPS))
def test_help_examples_name_files_that_exist(command):
    example = run(command, "--help").output.split(f"Example: eucaim-wizard {command} ")[1].split()[0]
    repo = Path(__file__).resolve().parents[1]
    assert (repo / example).exists(), example


def test_python_dash_m_shows_the_help():
    result = subprocess.run([sys.executable, "-m", "eucaim_wizard", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Usage:" in result.stdout and "validate" in result.stdout


# --- init --------------------------------------------------------------------------------
def test_init_writes_a_project_and_says_what_to_do_next(folder):
    result = run("init", folder / "data.csv", "-o", folder / "new.yaml")
    assert result.exit_code == 0
    assert "wrote" in result.output and "eucaim-wizard validate" in result.output
    assert "PatientID: {role: identifier}" in (folder / "new.yaml").read_text()


def test_init_output_validates(folder):
    run("init", folder / "data.csv", "-o", folder / "new.yaml")
    result = run("validate", folder / "new.yaml")
    assert result.exit_code == 0 and "usable: 4 records, 2 quasi-identifier(s), 0 warning(s)" in result.output


def test_init_refuses_to_overwrite_without_force(folder):
    before = (folder / "project.yaml").read_text()
    assert_user_error(run("init", folder / "data.csv", "-o", folder / "project.yaml"), "--force")
    assert (folder / "project.yaml").read_text() == before


def test_init_force_overwrites(folder):
    result = run("init", folder / "data.csv", "-o", folder / "project.yaml", "--force")
    assert result.exit_code == 0 and "role: identifier" in (folder / "project.yaml").read_text()


# --- validate ----------------------------------------------------------------------------
def test_validate_a_usable_project_exits_0(folder):
    result = run("validate", folder / "project.yaml")
    assert result.exit_code == 0, result.output
    assert "usable: 4 records, 1 quasi-identifier(s), 0 warning(s)." in result.output
    assert "delimiter ';' detected" in result.output  # the notes come first


def test_validate_an_unusable_project_exits_2_with_a_table_of_findings(folder):
    (folder / "age.csv").write_text("34;30-39;*\n35;30-39;*\n")
    result = run("validate", folder / "project.yaml")
    assert result.exit_code == 2 and "Traceback" not in result.output
    row = next(line for line in result.output.splitlines() if "missing-values" in line)
    assert "error" in row and "age" in row and "'36', '37'" in row and row.rstrip(" │").endswith("2")
    for heading in ("severity", "where", "finding", "records"):
        assert heading in result.output
    assert "NOT usable: 1 error(s), 0 warning(s)." in result.output


def test_validate_prints_data_values_as_text_not_markup(folder):
    (folder / "data.csv").write_text("PatientID;age;sex\np1;[/bold];F\np2;[red]x;M\np3;34;F\n")
    result = run("validate", folder / "project.yaml")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "'[/bold]'" in result.output and "'[red]x'" in result.output


# --- errors: one paragraph, exit code 2, no traceback -------------------------------------
def test_init_of_a_missing_table(folder):
    assert_user_error(run("init", folder / "nope.csv", "-o", folder / "p.yaml"), "nope.csv", "no such file")


def test_init_into_a_folder(folder):
    assert_user_error(run("init", folder / "data.csv", "-o", folder), "is a folder")


def test_init_over_its_own_data(folder):
    assert_user_error(run("init", folder / "data.csv", "-o", folder / "data.csv", "--force"),
                      "is the data file itself")


def test_validate_a_missing_project(folder):
    assert_user_error(run("validate", folder / "nope.yaml"), "does not exist", "eucaim-wizard init")


def test_validate_a_project_with_a_yaml_syntax_error(folder):
    (folder / "project.yaml").write_text("data: data.csv\nattributes:\n  age: {role: identifier\n")
    assert_user_error(run("validate", folder / "project.yaml"), "not valid YAML at line")


def test_validate_a_project_with_an_unknown_key(folder):
    (folder / "project.yaml").write_text("data: data.csv\nattributes:\n  age: {role: identifier, colour: red}\n")
    assert_user_error(run("validate", folder / "project.yaml"), "unknown key `colour` at attributes.age.colour")


def test_validate_a_project_whose_data_is_missing(folder):
    (folder / "data.csv").unlink()
    assert_user_error(run("validate", folder / "project.yaml"), "data.csv", "does not exist")


def test_validate_a_project_whose_data_is_unreadable(folder):
    (folder / "data.csv").write_bytes(b"")
    assert_user_error(run("validate", folder / "project.yaml"), "is empty")


def test_anonymize_prints_its_result_without_importing_rich(folder):
    # plain lines are written as they are: rich stays out of the start-up of `anonymize`, and
    # so do the modules of the privacy models the project does not use
    code = ("import runpy, sys\n"
            "sys.argv = ['eucaim-wizard', 'anonymize', sys.argv[1], '-o', sys.argv[2]]\n"
            "try:\n    runpy.run_module('eucaim_wizard', run_name='__main__')\n"
            "except SystemExit as exit:\n    assert not exit.code, exit.code\n"
            "print(sorted(m for m in sys.modules if m.startswith('eucaim_wizard.privacy.')), file=sys.stderr)\n"
            "print('rich imported' if any(m.startswith('rich') for m in sys.modules) else 'no rich', file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", code, str(folder / "project.yaml"), str(folder / "out")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("anonymous: age=1;") and "k-anonymity (k=2): holds" in result.stdout
    assert result.stderr.strip().endswith("no rich"), result.stderr
    assert "['eucaim_wizard.privacy.base', 'eucaim_wizard.privacy.k_anonymity']" in result.stderr


def test_console_writes_plain_lines_and_gives_the_rest_to_rich(capsys):
    from eucaim_wizard.cli.common import Console as _Console

    out, err = _Console(), _Console(stderr=True)
    out.print("a [b] :smile:", markup=False)  # as it is: no markup, no emoji codes
    err.print("to stderr", markup=False)
    out.print("[bold]styled[/]")  # markup: rich renders it (plain text when not a terminal)
    captured = capsys.readouterr()
    assert captured.out == "a [b] :smile:\nstyled\n"
    assert captured.err == "to stderr\n"
    assert out.rich is out.rich  # one rich console, made on first use


def test_anonymize_a_missing_project(folder):
    assert_user_error(run("anonymize", folder / "nope.yaml", "-o", folder / "out"), "does not exist")


def test_a_missing_argument_is_a_usage_error(folder):
    result = run("validate")
    assert result.exit_code == 2 and "Missing argument" in result.output and "Traceback" not in result.output


def test_errors_through_python_dash_m_have_no_traceback(folder):
    (folder / "project.yaml").write_text("data: data.csv\nprivacy:\n  - k-anonymity: {k: 0}\n")
    result = subprocess.run([sys.executable, "-m", "eucaim_wizard", "validate", str(folder / "project.yaml")],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr + result.stdout
    assert "`privacy`: entry 1 (k-anonymity): k:" in result.stderr


def test_init_delimiter_option_overrides_detection(folder):
    (folder / "data.csv").write_text("a;b,c\n1;2,3\n")
    result = run("init", folder / "data.csv", "-o", folder / "new.yaml", "--delimiter", ",")
    text = (folder / "new.yaml").read_text()
    assert result.exit_code == 0 and 'delimiter: ","' in text and '"a;b": {role:' in text


def test_init_accepts_a_tab_written_as_backslash_t(folder):
    (folder / "data.tsv").write_text("a\tb\n1\t2\n1\t3\n")
    result = run("init", folder / "data.tsv", "-o", folder / "new.yaml", "--delimiter", "\\t")
    assert result.exit_code == 0 and 'delimiter: "\\t"' in (folder / "new.yaml").read_text()


def test_init_with_a_bad_delimiter_is_a_user_error(folder):
    assert_user_error(run("init", folder / "data.csv", "-o", folder / "new.yaml", "--delimiter", ";;"), "delimiter")


def test_validate_a_project_whose_file_name_looks_like_markup(folder):
    (folder / "project.yaml").rename(folder / "[red]p[bold].yaml")
    result = run("validate", folder / "[red]p[bold].yaml")
    assert result.exit_code == 0 and "Traceback" not in result.output
