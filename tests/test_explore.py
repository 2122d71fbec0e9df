"""Explore: every candidate evaluated, filters and sorting against a brute-force listing, the Pareto
front against its definition, choosing a candidate, the chart, and the command."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from eucaim_wizard import Hierarchy, Project, Table, anonymize
from eucaim_wizard.cli import app
from eucaim_wizard.errors import ProjectError
from eucaim_wizard.explore import (Choice, NotAnonymousError, all_candidates, choose, explore, listed_candidates,
                                   neighbourhood, pareto_chart, pareto_front, parse_levels, pick, save_figure, select)
from eucaim_wizard.privacy import KAnonymity


def _project(k=3, limit=0.1, n=120, seed=5) -> Project:
    rng = np.random.default_rng(seed)
    ages = rng.integers(20, 80, size=n)
    table = Table.from_columns({
        "age": [str(a) for a in ages],
        "sex": list(rng.choice(["F", "M"], size=n)),
        "zip": list(rng.choice(["53711", "53712", "53801", "53802", "53803"], size=n)),
    })
    age = Hierarchy([[str(a), f"{a // 10 * 10}-{a // 10 * 10 + 9}", "20-49" if a < 50 else "50-79", "*"]
                     for a in range(20, 80)])
    sex = Hierarchy([["F", "*"], ["M", "*"]])
    zips = Hierarchy([[z, z[:4] + "*", z[:3] + "**", "*"] for z in ["53711", "53712", "53801", "53802", "53803"]])
    return Project(data=table, privacy=[KAnonymity(k=k)], suppression_limit=limit, attributes={
        "age": {"role": "quasi-identifier", "hierarchy": age},
        "sex": {"role": "quasi-identifier", "hierarchy": sex},
        "zip": {"role": "quasi-identifier", "hierarchy": zips}})


@pytest.fixture(scope="module")
def result():
    return anonymize(_project())


@pytest.fixture(scope="module")
def candidates(result):
    return all_candidates(result)


def _brute(result):
    """Every node evaluated on its own, risks from the class sizes by the definitions."""
    rows = []
    for node in range(result.lattice_size):
        t = result.evaluate(node)
        kept = result.n_records - t.suppressed_records
        rows.append({"node": node, "levels": t.levels, "anonymous": t.anonymous, "loss": t.information_loss,
                     "suppressed": t.suppressed_records, "classes": t.equivalence_classes,
                     "highest": 1 / t.min_class_size if t.min_class_size else 0.0,
                     "average": t.equivalence_classes / kept if kept else 0.0})
    return rows


def test_every_transformation_is_a_candidate_with_its_risks(result, candidates):
    assert len(candidates) == result.lattice_size == 4 * 2 * 4
    brute = _brute(result)
    for c, b in zip(candidates, brute):
        assert c.node == b["node"] and c.levels == b["levels"] and c.anonymous == b["anonymous"]
        assert c.information_loss == pytest.approx(b["loss"])
        assert (c.suppressed_records, c.equivalence_classes) == (b["suppressed"], b["classes"])
        assert c.highest_risk == pytest.approx(b["highest"]) and c.average_risk == pytest.approx(b["average"])
        expected = ("checked" if c.node in result.outcome.evaluations
                    else "inferred" if result.outcome.status[c.node] != 0 else "skipped")
        assert c.search == expected
    # the optimum is the least-loss anonymous candidate
    best = select(candidates, anonymous_only=True)[0]
    assert best.levels == result.optimum.levels


def test_risks_by_hand_on_one_candidate(result, candidates):
    top = candidates[-1]  # everything generalized: one class of all records
    assert top.equivalence_classes == 1 and top.suppressed_records == 0
    assert top.highest_risk == pytest.approx(1 / result.n_records)
    assert top.average_risk == pytest.approx(1 / result.n_records)


FILTERS = [
    {},
    {"anonymous_only": True},
    {"max_loss": 0.5},
    {"max_risk": 0.2},
    {"max_risk": 0.05, "risk": "average"},
    {"levels": {"sex": 1}},
    {"levels": {"age": 2, "zip": 1}, "anonymous_only": True},
    {"anonymous_only": True, "max_loss": 0.7, "max_risk": 1 / 3},
]


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("sort", ["loss", "risk", "suppressed"])
def test_filters_and_sorting_equal_a_brute_force_listing(result, candidates, filters, sort):
    risk = filters.get("risk", "highest")
    expected = [
        b for b in _brute(result)
        if (not filters.get("anonymous_only") or b["anonymous"])
        and ("max_loss" not in filters or b["loss"] <= filters["max_loss"])
        and ("max_risk" not in filters or b[risk] <= filters["max_risk"])
        and all(b["levels"][q] == v for q, v in filters.get("levels", {}).items())
    ]
    height = lambda b: sum(b["levels"].values())  # noqa: E731
    key = {"loss": lambda b: (b["loss"], b["suppressed"], height(b), b["node"]),
           "risk": lambda b: (b["highest"], b["average"], b["loss"], height(b), b["node"]),
           "suppressed": lambda b: (b["suppressed"], b["loss"], height(b), b["node"])}[sort]
    expected.sort(key=key)
    got = select(candidates, sort=sort, **filters)
    assert [c.node for c in got] == [b["node"] for b in expected]
    assert [c.node for c in select(candidates, sort=sort, top=3, **filters)] == [b["node"] for b in expected[:3]]


@pytest.mark.parametrize("risk", ["highest", "average"])
def test_pareto_front_is_exactly_the_non_dominated_anonymous_candidates(candidates, risk):
    anonymous = [c for c in candidates if c.anonymous]
    points = {(c.risk(risk), c.information_loss) for c in anonymous}
    dominated = {p for p in points for q in points
                 if q != p and q[0] <= p[0] and q[1] <= p[1]}
    front = pareto_front(candidates, risk)
    assert {(c.risk(risk), c.information_loss) for c in front} == points - dominated
    assert len(front) == len(points - dominated)  # one candidate per point
    risks = [c.risk(risk) for c in front]
    assert risks == sorted(risks)
    assert all(a.information_loss > b.information_loss for a, b in zip(front, front[1:]))


def test_explore_reports_matches_top_and_front(result, candidates):
    exploration = explore(result, anonymous_only=True, top=2, candidates=candidates)
    anonymous = [c for c in candidates if c.anonymous]
    assert exploration.matched == len(anonymous) and len(exploration.candidates) == 2
    assert exploration.optimum == result.optimum.levels
    assert exploration.pareto == pareto_front(anonymous)
    data = json.loads(json.dumps(exploration.to_dict()))
    assert data["lattice_size"] == result.lattice_size and data["matched"] == len(anonymous)
    assert data["candidates"][0]["levels"] == result.optimum.levels
    # without precomputed candidates the lattice is evaluated, with progress
    calls = []
    assert explore(result, progress=lambda d, t: calls.append((d, t))).matched == result.lattice_size
    assert calls[-1] == (result.lattice_size, result.lattice_size)


def test_explore_refuses_unknown_attributes_and_levels_out_of_range(result, candidates):
    with pytest.raises(ProjectError, match="not quasi-identifier"):
        explore(result, levels={"height": 1}, candidates=candidates)
    with pytest.raises(ProjectError, match="outside its allowed range 0–1"):
        explore(result, levels={"sex": 2}, candidates=candidates)
    with pytest.raises(ProjectError, match="unknown sort key"):
        select(candidates, sort="name")  # type: ignore[arg-type]


def test_choose_returns_an_anonymous_candidate(result, candidates):
    anonymous = next(c for c in candidates if c.anonymous and c.levels != result.optimum.levels)
    chosen = choose(result, anonymous.levels)
    assert chosen.anonymous and chosen.levels == anonymous.levels
    assert chosen.information_loss == pytest.approx(anonymous.information_loss)


def test_choose_refuses_a_candidate_that_is_not_anonymous_with_the_reason(result, candidates):
    bottom = candidates[0]
    assert not bottom.anonymous
    with pytest.raises(NotAnonymousError) as caught:
        choose(result, bottom.levels)
    message = str(caught.value)
    limit = math.floor(0.1 * result.n_records)
    assert f"{bottom.suppressed_records:,} of {result.n_records:,} records" in message
    assert f"at most {limit:,} may be suppressed" in message and "k-anonymity(k=3)" in message
    assert "The optimum is age=" in message
    assert caught.value.exit_code == 2


def test_choose_needs_every_quasi_identifier(result):
    with pytest.raises(ProjectError, match="zip"):
        choose(result, {"age": 1, "sex": 0})


def test_parse_levels():
    assert parse_levels("age=3, sex=0") == {"age": 3, "sex": 0}
    assert parse_levels("marital-status=1") == {"marital-status": 1}
    for bad, phrase in (("age", "without names"), ("age=x", "name=level"), ("age=1,age=2", "twice"), ("", "empty")):
        with pytest.raises(ProjectError, match=phrase):
            parse_levels(bad)


def test_the_positional_levels_explore_prints_are_read_in_the_quasi_identifiers_order():
    """`explore` printed 3,2,4 and `anonymize --levels 3,2,4` said "cannot read '3'"."""
    qis = ["age", "sex", "zip"]
    assert parse_levels("3,0,2", qis) == {"age": 3, "sex": 0, "zip": 2}
    assert parse_levels(" 3, 0 ,2 ", qis) == {"age": 3, "sex": 0, "zip": 2}
    for bad, phrase in (("3,0", "2 levels for 3"), ("3,x,2", "cannot read 'x'"), ("3,0,2,1", "4 levels for 3")):
        with pytest.raises(ProjectError, match=phrase) as raised:
            parse_levels(bad, qis)
        assert "in the order age, sex, zip" in str(raised.value)


def test_the_default_listing_is_the_checked_transformations_and_the_optimums_nearest(result, candidates):
    """Bounded whatever the lattice: what the search checked (figures known) and the optimum's
    nearest, breadth first (distance 1 before 2), the same nodes every time, with the figures
    of a full listing."""
    near = neighbourhood(result, 5)
    lattice, optimum = result.lattice, result.outcome.optimum
    assert near[0] == optimum and len(near) == 5 == len(set(near))
    ring = set(lattice.predecessors(optimum)) | set(lattice.successors(optimum))
    assert set(near[1:]) <= ring or ring <= set(near[1:])
    listed = listed_candidates(result, limit=5)
    known = {n for n, e in result.outcome.evaluations.items() if e.suppressed is not None}
    assert [c.node for c in listed] == sorted(known | set(near))
    full = {c.node: c for c in candidates}
    for c in listed:
        assert (c.anonymous, c.suppressed_records, c.equivalence_classes, c.min_class_size) == \
            (full[c.node].anonymous, full[c.node].suppressed_records, full[c.node].equivalence_classes,
             full[c.node].min_class_size)
        assert math.isclose(c.information_loss, full[c.node].information_loss, rel_tol=1e-12)
    assert [c.node for c in listed_candidates(result, limit=5)] == [c.node for c in listed]
    assert len(listed_candidates(result, everything=True)) == result.lattice_size


def test_pick_is_the_numbered_row_of_the_listing(result, candidates):
    ranked = select(candidates, anonymous_only=True, sort="risk")
    assert pick(candidates, 1, "risk") == ranked[0] and pick(candidates, 3, "risk") == ranked[2]
    exploration = explore(result, candidates=candidates, sort="risk")
    assert exploration.pick_of(ranked[2]) == 3
    assert all(exploration.pick_of(c) is None for c in candidates if not c.anonymous)
    with pytest.raises(ProjectError, match=f"numbers {len(ranked)} anonymous"):
        pick(candidates, len(ranked) + 1, "risk")
    assert Choice(pick=3, sort="risk", everything=True).resolve(result) == ranked[2].levels
    with pytest.raises(ProjectError, match="not both"):
        Choice(levels="age=1", pick=2)


def test_chart_as_png_and_svg(result, candidates, tmp_path):
    exploration = explore(result, anonymous_only=True, candidates=candidates)
    figure = pareto_chart(exploration, everything=candidates)
    axes = figure.axes[0]
    assert axes.get_xlabel() == "information loss" and "risk" in axes.get_ylabel()
    assert len(axes.collections) == 3  # candidates, front, optimum
    png = save_figure(figure, tmp_path / "front.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = save_figure(figure, tmp_path / "front.svg")
    assert "<svg" in svg.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["front.png", "front.svg"]  # no temporary files left
    with pytest.raises(ProjectError, match=".png or .svg"):
        save_figure(figure, tmp_path / "front.jpg")


def test_chart_is_never_written_over_an_input(result, candidates, tmp_path):
    data = tmp_path / "data.png"
    data.write_bytes(b"input")
    from eucaim_wizard.errors import TableError

    with pytest.raises(TableError, match="never writes over its input"):
        save_figure(pareto_chart(explore(result, candidates=candidates)), data, protect=[data])
    assert data.read_bytes() == b"input"


def _files(tmp_path):
    (tmp_path / "data.csv").write_text("age;sex\n" + "".join(
        f"{a};{s}\n" for a, s in [(31, "F"), (32, "F"), (41, "M"), (42, "M"), (43, "F"), (44, "M")]))
    (tmp_path / "age.csv").write_text("31;30-39;*\n32;30-39;*\n41;40-49;*\n42;40-49;*\n43;40-49;*\n44;40-49;*\n")
    (tmp_path / "sex.csv").write_text("F;*\nM;*\n")
    (tmp_path / "project.yaml").write_text(
        "data: data.csv\nattributes:\n  age: {role: quasi-identifier, hierarchy: age.csv}\n"
        "  sex: {role: quasi-identifier, hierarchy: sex.csv}\nprivacy:\n  - k-anonymity: {k: 2}\n"
        "suppression_limit: 0.2\n")
    return tmp_path / "project.yaml"


def test_explore_command(tmp_path):
    project = _files(tmp_path)
    run = CliRunner().invoke(app, ["explore", str(project), "--anonymous-only", "--json", str(tmp_path / "e.json"),
                                   "--chart", str(tmp_path / "e.svg")], env={"COLUMNS": "200"})
    assert run.exit_code == 0, run.output
    assert "Candidates of" in run.output and "Pareto front" in run.output
    assert "levels of: age, sex" in run.output
    data = json.loads((tmp_path / "e.json").read_text())
    assert data["optimum"] == {"age": 1, "sex": 0}
    assert all(c["anonymous"] for c in data["candidates"])
    assert (tmp_path / "e.svg").exists()


def test_explore_fits_80_columns_and_prints_the_line_to_paste(tmp_path):
    """One column per attribute (abbreviated, with a legend), a # to --pick by, and the command
    that releases the first row; every line of the tables within 80 columns."""
    project = _files(tmp_path)
    run = CliRunner().invoke(app, ["explore", str(project), "--sort", "risk"], env={"COLUMNS": "80"})
    assert run.exit_code == 0, run.output
    lines = run.output.splitlines()
    header = next(line for line in lines if line.lstrip().startswith("#"))
    assert header.split()[:3] == ["#", "age", "sex"]
    rows = [line for line in lines if line[:1] in ("#", "─", "l") or line[:3].strip().isdigit()]
    assert len(rows) > 5 and all(len(line) <= 80 for line in rows), max(rows, key=len)
    assert f"to release a row: eucaim-wizard run {project} -o OUTDIR --pick 1 --sort risk" in run.output
    paste = next(line for line in lines if "--levels" in line).split("--levels ")[1]
    released = CliRunner().invoke(app, ["anonymize", str(project), "-o", str(tmp_path / "out"), "--levels", paste])
    picked = CliRunner().invoke(app, ["anonymize", str(project), "-o", str(tmp_path / "out2"), "--pick", "1",
                                      "--sort", "risk"])
    assert released.exit_code == 0 and picked.exit_code == 0, released.output + picked.output
    assert (tmp_path / "out" / "anonymized.csv").read_bytes() == (tmp_path / "out2" / "anonymized.csv").read_bytes()


def test_anonymize_takes_the_levels_explore_prints(tmp_path):
    project = _files(tmp_path)
    run = CliRunner().invoke(app, ["anonymize", str(project), "-o", str(tmp_path / "out"), "--levels", "2,0"])
    assert run.exit_code == 0, run.output
    assert "(chosen, not the optimum): age=2, sex=0" in run.output
    bad = CliRunner().invoke(app, ["anonymize", str(project), "-o", str(tmp_path / "o2"), "--levels", "2"])
    assert bad.exit_code == 2 and "1 levels for 2 quasi-identifiers" in bad.output
    both = CliRunner().invoke(app, ["anonymize", str(project), "-o", str(tmp_path / "o3"), "--levels", "2,0",
                                    "--pick", "1"])
    assert both.exit_code == 2 and "not both" in both.output


def test_explore_command_user_errors(tmp_path):
    project = _files(tmp_path)
    run = CliRunner().invoke(app, ["explore", str(project), "--levels", "age=x"], env={"COLUMNS": "200"})
    assert run.exit_code == 2 and run.output.startswith("error: ") and "name=level" in run.output
    run = CliRunner().invoke(app, ["explore", str(project), "--sort", "name"], env={"COLUMNS": "200"})
    assert run.exit_code == 2 and "unknown sort key" in run.output
