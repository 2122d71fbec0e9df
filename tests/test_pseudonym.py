"""Pseudonymized identifiers: HMAC-SHA-256 against RFC 4231, secrets from the environment or a
file (never the project file), columns mapped once per distinct value, project keys."""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eucaim_wizard.errors import ProjectError
from eucaim_wizard.project import load_project
from eucaim_wizard.pseudonym import (MIN_SECRET_BYTES, SecretError, pseudonymize_column, pseudonymize_table,
                                     pseudonyms, read_secret, secret_for)
from eucaim_wizard.tables import Table, read_table

SECRET = b"0123456789abcdef0123456789abcdef"


# --- the hash ------------------------------------------------------------------------------
def test_rfc_4231_test_case_1():
    [mac] = pseudonyms(["Hi There"], bytes([0x0B] * 20))
    assert mac == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"


def test_rfc_4231_test_case_2_with_a_prefix():
    [mac] = pseudonyms(["what do ya want for nothing?"], b"Jefe", prefix="EUCAIM-")
    assert mac == "EUCAIM-5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"


def test_empty_cells_stay_empty_and_equal_values_give_equal_pseudonyms():
    out = pseudonyms(["P001", "", "P002", "P001", "P001 "], SECRET, prefix="EUCAIM-")
    assert out[1] == "" and out[0] == out[3] != out[2]
    assert out[4] != out[0]  # hashed exactly as written
    assert all(len(p) == len("EUCAIM-") + 64 for p in out if p)


def test_another_secret_gives_other_pseudonyms():
    assert pseudonyms(["P001"], SECRET) != pseudonyms(["P001"], SECRET[::-1])


def test_no_secret_is_an_error_never_an_unkeyed_hash():
    with pytest.raises(SecretError):
        pseudonyms(["P001"], b"")


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=20))
def test_each_pseudonym_is_the_hmac_of_its_value(values):
    expected = [hmac.new(SECRET, v.encode("utf-8"), hashlib.sha256).hexdigest() for v in values]
    assert pseudonyms(values, SECRET) == expected


# --- columns -------------------------------------------------------------------------------
def test_a_column_is_pseudonymized_once_per_distinct_value(tmp_path):
    (tmp_path / "t.csv").write_text("PatientID;sex\nP1;F\nP2;M\nP1;F\n;M\n")
    table = read_table(tmp_path / "t.csv")
    out = pseudonymize_column(table, "PatientID", SECRET, prefix="EUCAIM-")
    assert np.array_equal(out.codes("PatientID"), table.codes("PatientID"))
    assert out.column("PatientID").tolist() == pseudonyms(["P1", "P2", "P1", ""], SECRET, "EUCAIM-")
    assert out.column("sex").tolist() == ["F", "M", "F", "M"]
    assert out.columns == table.columns and out.path == table.path and out.format == table.format


def test_an_unknown_column_is_named():
    with pytest.raises(Exception, match="no column 'PatientId'.*Did you mean 'PatientID'"):
        pseudonymize_column(Table.from_columns({"PatientID": ["P1"]}), "PatientId", SECRET)


# --- the secret ----------------------------------------------------------------------------
def test_the_secret_from_an_environment_variable():
    assert read_secret(env="KEY", environ={"KEY": " " + SECRET.decode() + "\n"}) == SECRET


@pytest.mark.parametrize(("environ", "phrase"), [
    ({}, "is not set"), ({"KEY": "  "}, "is empty"), ({"KEY": "short"}, f"at least {MIN_SECRET_BYTES}"),
])
def test_a_missing_empty_or_short_secret_in_the_environment(environ, phrase):
    with pytest.raises(SecretError, match=phrase) as caught:
        read_secret(env="KEY", environ=environ)
    assert caught.value.exit_code == 2 and "short" not in str(caught.value).replace("shorter", "")


def test_the_secret_from_a_file_relative_to_the_project(tmp_path):
    (tmp_path / "keys").mkdir()
    (tmp_path / "keys" / "p.key").write_bytes(SECRET + b"\n")
    assert read_secret(file="keys/p.key", base_dir=tmp_path) == SECRET
    assert read_secret(file=tmp_path / "keys" / "p.key") == SECRET
    with pytest.raises(SecretError, match="does not exist"):
        read_secret(file="keys/other.key", base_dir=tmp_path)
    (tmp_path / "empty.key").write_text("\n")
    with pytest.raises(SecretError, match="is empty"):
        read_secret(file="empty.key", base_dir=tmp_path)


def test_exactly_one_place_for_the_secret(tmp_path):
    with pytest.raises(SecretError, match="exactly one place"):
        read_secret()
    with pytest.raises(SecretError, match="exactly one place"):
        read_secret(env="KEY", file="k.key", environ={"KEY": SECRET.decode()})


# --- the project keys ----------------------------------------------------------------------
def write_project(folder: Path, attribute: str) -> Path:
    (folder / "imaging.csv").write_text("PatientID,Modality\nP1,MR\nP2,CT\nP1,CT\n")
    (folder / "project.yaml").write_text(f"data: imaging.csv\nattributes:\n  PatientID: {attribute}\n")
    return folder / "project.yaml"


def test_pseudonymized_identifiers_in_the_project(tmp_path):
    (tmp_path / "p.key").write_bytes(SECRET)
    project = load_project(write_project(
        tmp_path, "{role: identifier, pseudonymize: true, pseudonym_prefix: EUCAIM-, secret_file: p.key}"))
    attribute = project.attributes["PatientID"]
    assert (attribute.pseudonymize, attribute.pseudonym_prefix, attribute.secret_file) == (True, "EUCAIM-", "p.key")
    assert secret_for(attribute, project) == SECRET
    imaging = pseudonymize_table(project.load_table(), project)
    clinical = pseudonymize_column(Table.from_columns({"PatientID": ["P2", "P1"]}), "PatientID", SECRET, "EUCAIM-")
    # the same patient has the same pseudonym in both tables: they stay linkable
    assert imaging.column("PatientID")[1] == clinical.column("PatientID")[0]
    assert imaging.column("PatientID")[0] == imaging.column("PatientID")[2] == clinical.column("PatientID")[1]
    assert imaging.column("Modality").tolist() == ["MR", "CT", "CT"]


def test_pseudonymize_table_reads_every_secret_first(tmp_path):
    project = load_project(write_project(tmp_path, "{role: identifier, pseudonymize: true, secret_env: EW_KEY}"))
    with pytest.raises(SecretError, match="EW_KEY"):
        pseudonymize_table(project.load_table(), project, environ={})
    out = pseudonymize_table(project.load_table(), project, environ={"EW_KEY": SECRET.decode()})
    assert out.column("PatientID").tolist() == pseudonyms(["P1", "P2", "P1"], SECRET)


@pytest.mark.parametrize(("attribute", "phrase"), [
    ("{role: insensitive, pseudonymize: true, secret_env: K}", "only apply to a column of role identifier"),
    ("{role: identifier, pseudonymize: true}", "needs exactly one of `secret_env"),
    ("{role: identifier, pseudonymize: true, secret_env: K, secret_file: k.key}", "needs exactly one of"),
    ("{role: identifier, secret_env: K}", "given but not `pseudonymize: true`"),
    ("{role: identifier, pseudonymize: true, secret: hunter2-hunter2-hunter2}", "never written in the project file"),
])
def test_invalid_pseudonym_settings_are_explained(tmp_path, attribute, phrase):
    with pytest.raises(ProjectError, match=phrase) as caught:
        load_project(write_project(tmp_path, attribute))
    assert "hunter2" not in str(caught.value)
