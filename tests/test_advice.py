"""What to do next: the risk drivers with the level to generalize them to, and the emptied
quasi-identifiers."""

from __future__ import annotations

import numpy as np
from typer.testing import CliRunner

from eucaim_wizard import Hierarchy, Project, Table, anonymize
from eucaim_wizard.advice import DRIVER_DISTINCTION, emptied, next_steps, risk_drivers
from eucaim_wizard.cli import app
from eucaim_wizard.privacy import KAnonymity
from eucaim_wizard.risk import analyze_risk

ZIPS = [f"{53000 + i}" for i in range(150)]


def _project(k: int = 5) -> Project:
    """400 records: a zip code of 150 values (nearly an identifier), and the sex."""
    rng = np.random.default_rng(2)
    table = Table.from_columns({"zip": list(rng.choice(ZIPS, 400)), "sex": list(rng.choice(["F", "M"], 400))})
    zips = Hierarchy([[z, z[:4] + "*", z[:3] + "**", z[:2] + "***", "*"] for z in ZIPS], name="zip")
    sex = Hierarchy([["F", "*"], ["M", "*"]], name="sex")
    return Project(data=table, privacy=[KAnonymity(k=k)], suppression_limit=0.05, attributes={
        "zip": {"role": "quasi-identifier", "hierarchy": zips}, "sex": {"role": "quasi-identifier", "hierarchy": sex}})


def test_a_quasi_identifier_that_alone_tells_records_apart_is_named_with_the_level_to_use():
    project = _project(k=5)
    table = project.load_table()
    analysis = analyze_risk(project, table=table)
    advice = risk_drivers(analysis, project, table)
    assert [a.attributes for a in advice] == [("zip",)]  # (sex: 2 values for 400 records)
    zip_risk = next(a for a in analysis.attributes if a.qis == ("zip",))
    assert zip_risk.distinction >= DRIVER_DISTINCTION
    # the advised level is the lowest with at most one value per 5 records (the level below has more)
    hierarchy = project.load_hierarchy("zip")
    present = set(table.column("zip").tolist())
    rows = [i for i, v in enumerate(hierarchy.level(0).tolist()) if v in present]
    distinct = [len(set(hierarchy.level(j)[rows].tolist())) for j in range(hierarchy.n_levels)]
    expected = next(j for j in range(1, hierarchy.n_levels) if distinct[j] * 5 <= 400)
    assert advice[0].level == expected and distinct[expected - 1] * 5 > 400
    assert f"generalize it to level {expected} or higher" in advice[0].text
    assert f"{zip_risk.classes:,} distinct values" in advice[0].text


def test_after_a_transformation_only_what_it_leaves_undone_is_advised():
    project = _project(k=5)
    result = anonymize(project)
    analysis = analyze_risk(project, table=project.load_table())
    driver = risk_drivers(analysis, project, project.load_table())[0]
    enough = {"zip": driver.level, "sex": 0}
    assert next_steps(analysis=analysis, project=project, table=project.load_table(), result=result,
                      levels=enough) == []
    too_little = {"zip": driver.level - 1, "sex": 0}
    assert [a.kind for a in next_steps(analysis=analysis, project=project, table=project.load_table(),
                                       result=result, levels=too_little)] == ["driver"]


def test_quasi_identifiers_generalized_to_one_value_are_named():
    result = anonymize(_project())
    advice = emptied(result, {"zip": 4, "sex": 1})
    assert len(advice) == 1 and advice[0].attributes == ("zip", "sex")
    assert advice[0].text.startswith("2 of 2 quasi-identifiers carry no information in the output (zip, sex")
    assert emptied(result, {"zip": 2, "sex": 0}) == []  # (level 3, "53***", is one value too)


def test_the_risk_command_ends_with_what_to_do_next(tmp_path):
    rng = np.random.default_rng(2)
    lines = ["zip,sex"] + [f"{z},{s}" for z, s in zip(rng.choice(ZIPS, 400), rng.choice(["F", "M"], 400))]
    (tmp_path / "data.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "zip.csv").write_text("".join(f"{z};{z[:4]}*;{z[:3]}**;*\n" for z in ZIPS))
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  zip: {role: quasi-identifier, hierarchy: zip.csv}\n"
        "  sex: {role: quasi-identifier, hierarchy: preset:sex}\nprivacy:\n  - k-anonymity: {k: 5}\n")
    run = CliRunner().invoke(app, ["risk", str(tmp_path / "project.yaml")], env={"COLUMNS": "200"})
    assert run.exit_code == 0, run.output
    assert "What to do next" in run.output and "zip alone separates" in run.output
