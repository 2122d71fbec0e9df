"""Opening ARX project files (.deid) and describing projects for ARX (issue 7, ARX half)."""

from __future__ import annotations

import json

import doctest
import struct
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
import yaml

from eucaim_wizard import anonymize, load_project, read_hierarchy, read_table
from eucaim_wizard import arx
from eucaim_wizard.arx import export_arx, import_arx, parse_criterion, read_arx_project
from eucaim_wizard.arx import java as arx_java
from eucaim_wizard.arx.convert import _metric_from_label
from eucaim_wizard.arx.java import _JavaStream
from eucaim_wizard.errors import ProjectError
from test_cli import run

DEMO = "examples/synth_data_for_demo_project.deid"
DEMO_OPTIMUM = {"Age": 3, "Weight_kg": 3, "Sex": 0, "Ethnicity_Country": 2, "Imaging_Modality": 0,
                "Manufacturer_Model": 2, "Zip_Code": 5}
DEMO_LOSS = 0.6828901072069209  # ARX 3.9.1's score of its optimum, saved in the project file
QIS = list(DEMO_OPTIMUM)



def notes(imported, kind: str) -> str:
    return "\n".join(n.message for n in imported.notes if n.kind == kind)


# --- a minimal writer of Java serialization streams, to build ARX's .dat parts ---------
class Java:
    """Bytes of the Java serialization protocol (test double for ARX's config.dat/project.dat)."""

    PRIMITIVE = {"I": ">i", "D": ">d", "Z": ">?", "F": ">f", "J": ">q"}

    @staticmethod
    def utf(text: str) -> bytes:
        raw = text.encode("utf-8")
        return struct.pack(">H", len(raw)) + raw

    @classmethod
    def string(cls, text: str) -> bytes:
        return b"t" + cls.utf(text)

    @classmethod
    def desc(cls, name: str, fields=(), flags: int = 0x02) -> bytes:
        out = b"r" + cls.utf(name) + bytes(8) + bytes([flags]) + struct.pack(">H", len(fields))
        for kind, field in fields:
            out += kind.encode() + cls.utf(field)
            if kind in "L[":
                out += cls.string("Ljava/lang/Object;")
        return out + b"x" + b"p"  # no class annotation, no superclass

    @classmethod
    def obj(cls, name: str, fields: dict | None = None, annotation: list[bytes] | None = None) -> bytes:
        fields = fields or {}
        flags = 0x03 if annotation is not None else 0x02
        out = b"s" + cls.desc(name, [(kind, field) for field, (kind, _) in fields.items()], flags)
        for kind, value in fields.values():
            out += value if kind in "L[" else struct.pack(cls.PRIMITIVE[kind], value)
        if annotation is not None:
            out += b"".join(annotation) + b"x"
        return out

    @classmethod
    def enum(cls, name: str, constant: str) -> bytes:
        return b"~" + cls.desc(name, flags=0x12) + cls.string(constant)

    @classmethod
    def boxed(cls, kind: str, value) -> bytes:
        name = {"I": "Integer", "D": "Double", "Z": "Boolean", "J": "Long"}[kind]
        return cls.obj(f"java.lang.{name}", {"value": (kind, value)})

    @staticmethod
    def block(data: bytes) -> bytes:
        return b"w" + bytes([len(data)]) + data

    @classmethod
    def hashmap(cls, entries: dict[str, bytes]) -> bytes:
        items = [cls.block(struct.pack(">ii", 16, len(entries)))]
        for key, value in entries.items():
            items += [cls.string(key), value]
        return cls.obj("java.util.HashMap", {"loadFactor": ("F", 0.75), "threshold": ("I", 12)}, items)

    @classmethod
    def hashset(cls, items: list[bytes]) -> bytes:
        return cls.obj("java.util.HashSet", {}, [cls.block(struct.pack(">ifi", 16, 0.75, len(items))), *items])

    @classmethod
    def table(cls, rows: list[list[str]]) -> bytes:
        out = b"u" + cls.desc("[[Ljava.lang.String;") + struct.pack(">i", len(rows))
        for row in rows:
            out += b"u" + cls.desc("[Ljava.lang.String;") + struct.pack(">i", len(row))
            out += b"".join(cls.string(cell) for cell in row)
        return out

    @staticmethod
    def stream(*contents: bytes) -> bytes:
        return b"\xac\xed\x00\x05" + b"".join(contents)


# --- a synthetic ARX project file, with the structure of the real one --------------------
DATA = ("name;age;zip;diagnosis;note\n"
        + "".join(f"P{i};{30 + i % 8};{12340 + i % 4};{'ABC'[i % 3]};x\n" for i in range(24)))
AGE = "".join(f"{a};{'30-34' if a < 35 else '35-39'};*\n" for a in range(30, 38))
ZIP = "".join(f"{z};{str(z)[:4]}*;{str(z)[:3]}**;*****\n" for z in range(12340, 12344))
DIAGNOSIS = "A;AB;*\nB;AB;*\nC;C;*\n"


def assignment(name, kind, datatype="String", ref=None, low="All", high="All", extra="") -> str:
    text = f"<assigment><name>{escape(name)}</name><type>{kind}</type><datatype>{datatype}</datatype>"
    if ref:
        text += f"<ref>{ref}</ref><min>{low}</min><max>{high}</max>"
    return text + extra + "</assigment>"


DEFINITION = [
    assignment("name", "IDENTIFYING_ATTRIBUTE"),
    assignment("age", "QUASI_IDENTIFYING_ATTRIBUTE", "Integer", "hierarchies/age.csv", "1", "2"),
    assignment("zip", "QUASI_IDENTIFYING_ATTRIBUTE", "Integer", "hierarchies/zip.csv",
               extra="<microaggregationFunction>Arithmetic mean</microaggregationFunction>"),
    assignment("diagnosis", "SENSITIVE_ATTRIBUTE", ref="hierarchies/diagnosis.csv"),
    assignment("note", "INSENSITIVE_ATTRIBUTE"),
]
CRITERIA = [
    "3-anonymity",
    "distinct-2-diversity for attribute 'diagnosis'",
    "grassberger-entropy-1.5-diversity for attribute 'diagnosis'",
    "recursive-(4.0,2)-diversity for attribute 'diagnosis'",
    "0.2-closeness with hierarchical ground-distance for attribute 'diagnosis'",
    "1.5-disclosure privacy for attribute 'diagnosis'",
    "enhanced-2.0-likeness for attribute 'diagnosis'",
    "(0.2)-avg-reidentification-risk",
    "(0.05, 0.5, 0.1)-avg-reidentification-risk",
    "(0.01)-sample-uniqueness",
    "(5)-map estimated as (3)-anonymity (Poisson)",
    "(0.0, 0.5)-presence",
    "(0.01)-population-uniqueness (dankar)",
]


def write_deid(path: Path, *, definition=DEFINITION, criteria=CRITERIA, data=DATA, separator=";",
               hierarchies=None, metric="Loss (0.3/1.0/1.0)", weights=None, extra=None, omit=()) -> Path:
    """A .deid with ARX's parts; ``extra`` adds parts (e.g. config.dat), ``omit`` drops some."""
    hierarchies = {"age": AGE, "zip": ZIP, "diagnosis": DIAGNOSIS} if hierarchies is None else hierarchies
    weights = {"age": 1.0, "zip": 0.25} if weights is None else weights
    weight_xml = "".join(f"<attributeWeight><attribute>{escape(a)}</attribute><weight>{w}</weight>"
                         f"</attributeWeight>" for a, w in weights.items())
    parts = {
        "metadata.xml": "<metadata><version>3.9.1</version><vocabulary>2.0</vocabulary></metadata>",
        "project.xml": f"<project><name>Synthetic</name><separator>{escape(separator)}</separator>"
                       f"<quote>&quot;</quote></project>",
        "input/definition.xml": "<definition>" + "".join(definition) + "</definition>",
        "input/config.xml": (
            "<config><suppressedAttributeTypes><type>QUASI_IDENTIFYING_ATTRIBUTE</type>"
            "<type>SENSITIVE_ATTRIBUTE</type></suppressedAttributeTypes>"
            "<practicalMonotonicity>false</practicalMonotonicity><relativeMaxOutliers>0.05</relativeMaxOutliers>"
            f"<metric>{escape(metric)}</metric><attributeWeights>{weight_xml}</attributeWeights><criteria>"
            + "".join(f"<criterion>{escape(c)}</criterion>" for c in criteria) + "</criteria></config>"),
        "data/input.csv": data,
        **{f"input/hierarchies/{name}.csv": text for name, text in hierarchies.items()},
        **(extra or {}),
    }
    with zipfile.ZipFile(path, "w") as archive:
        for part, content in parts.items():
            if part not in omit:
                archive.writestr(part, content)
    return path


def config_dat(*, stored_age=None) -> bytes:
    """A ModelConfiguration as ARX serializes it, with settings eucaim-wizard cannot express."""
    kmap = Java.obj("org.deidentifier.arx.criteria.KMap", {
        "k": ("I", 5), "significanceLevel": ("D", 0.01),
        "populationModel": ("L", Java.obj("org.deidentifier.arx.ARXPopulationModel", {
            "sampleFraction": ("D", 0.01), "populationSize": ("L", Java.boxed("J", 1_000_000))})),
        "estimator": ("L", Java.enum("org.deidentifier.arx.criteria.KMap$CellSizeEstimator", "POISSON"))})
    metric = Java.obj("org.deidentifier.arx.metric.v2.MetricMDNMLoss", {
        "gsFactor": ("D", 0.3),
        "function": ("L", Java.enum("org.deidentifier.arx.metric.Metric$AggregateFunction", "RANK"))})
    arx = Java.obj("org.deidentifier.arx.ARXConfiguration", {
        "heuristicSearchEnabled": ("Z", True),
        "algorithm": ("L", Java.enum("org.deidentifier.arx.ARXConfiguration$AnonymizationAlgorithm",
                                     "BEST_EFFORT_GENETIC")),
        "heuristicSearchTimeLimit": ("L", Java.boxed("I", 30000)),
        "metric": ("L", metric), "criteria": ("L", Java.hashset([kmap]))})
    stored = {}
    if stored_age is not None:
        stored["age"] = Java.obj("org.deidentifier.arx.AttributeType$Hierarchy$ArrayHierarchy",
                                 {"hierarchy": ("[", Java.table(stored_age))})
    configuration = Java.obj("org.deidentifier.arx.gui.model.ModelConfiguration", {
        "config": ("L", arx), "hierarchies": ("L", Java.hashmap(stored)),
        "researchSubset": ("L", Java.obj("org.deidentifier.arx.RowSet", {"length": ("I", 24), "size": ("I", 10)})),
        "transformationModes": ("L", Java.hashmap({"zip": Java.enum(
            "org.deidentifier.arx.gui.model.ModelTransformationMode", "MICRO_AGGREGATION")})),
        "hierarchyBuilders": ("L", Java.hashmap({"zip": Java.obj(
            "org.deidentifier.arx.aggregates.HierarchyBuilderRedactionBased")}))})
    return Java.stream(configuration)


def project_dat() -> bytes:
    settings = Java.obj("org.deidentifier.arx.gui.model.ModelAnonymizationConfiguration", {
        "searchType": ("L", Java.enum("x.ModelAnonymizationConfiguration$SearchType", "HEURISTIC")),
        "transformationType": ("L", Java.enum("x.ModelAnonymizationConfiguration$TransformationType", "LOCAL"))})
    return Java.stream(Java.obj("org.deidentifier.arx.gui.model.Model", {
        "anonymizationConfiguration": ("L", settings),
        "useFunctionalHierarchies": ("L", Java.boxed("Z", True))}))


# --- the Java stream reader ---------------------------------------------------------------
def test_java_stream_reads_objects_enums_arrays_maps_and_references():
    text = "x\u0000é😀"  # NUL and a character outside the BMP, as Java writes them:
    encoded = b"x\xc0\x80" + "é".encode() + b"\xed\xa0\xbd\xed\xb8\x80"  # C0 80; a surrogate pair
    raw = b"t" + struct.pack(">H", len(encoded)) + encoded
    stream = Java.stream(raw, b"q" + struct.pack(">I", 0x7E0000),  # a back-reference to the string
                         Java.hashmap({"k": Java.boxed("D", 2.5)}),
                         Java.enum("E", "RED"), Java.table([["a", "b"], ["c", "d"]]))
    string, again, mapping, colour, table = _JavaStream(stream).read_all()
    assert string == again == text
    assert arx_java._java_map(mapping) == {"k": mapping.annotation()[2]}
    assert arx_java._unbox(arx_java._java_map(mapping)["k"]) == 2.5
    assert arx_java._unbox(colour) == "RED"
    assert [list(row) for row in table] == [["a", "b"], ["c", "d"]]


def test_java_stream_rejects_what_is_not_one():
    with pytest.raises(ValueError, match="AC ED 00 05"):
        _JavaStream(b"PK\x03\x04")
    with pytest.raises(ValueError, match="type code"):
        _JavaStream(Java.stream(b"\x01")).read_all()
    with pytest.raises(ValueError, match="unknown object"):
        _JavaStream(Java.stream(b"q" + struct.pack(">I", 0x7E0005))).read_all()


# --- the demo project of the EUCAIM Wizard pack ------------------------------------------
@pytest.fixture(scope="module")
def demo(seed_pack, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "project.yaml"
    return import_arx(seed_pack / DEMO, out)


def test_demo_roles_models_limits_weights_and_metric_are_carried_over(demo):
    raw = yaml.safe_load(demo.project_path.read_text())
    assert raw["data"] == "project_data.csv" and raw["format"] == {"delimiter": ","}
    roles = {name: entry["role"] for name, entry in raw["attributes"].items()}
    assert [n for n, r in roles.items() if r == "quasi-identifier"] == QIS
    assert {n for n, r in roles.items() if r == "insensitive"} == {
        "Patient_ID", "Acquisition_Date", "Acquisition_Time", "Allergies"}
    assert all(raw["attributes"][n]["weight"] == 0.5 for n in QIS)
    assert not any("min_level" in e or "max_level" in e for e in raw["attributes"].values())  # "All"
    assert raw["privacy"] == [{"k-anonymity": {"k": 27}}]
    assert raw["suppression_limit"] == 0.174
    assert raw["metric"] == {"loss": {"gs_factor": 0.5, "aggregate": "geometric-mean"}}
    project = load_project(demo.project_path)  # and our own loader accepts it
    assert project.quasi_identifiers == QIS and project.suppression_limit == 0.174


def test_demo_hierarchies_are_the_ones_arx_uses(demo, seed_pack):
    with zipfile.ZipFile(seed_pack / DEMO) as archive:
        copy = archive.read("input/hierarchies/Manufacturer_Model.csv").decode()
    assert "GE Discovery MI,GE,*" in copy  # ARX trimmed the label when writing the CSV copy ...
    manufacturer = read_hierarchy(demo.hierarchy_paths["Manufacturer_Model"])
    vendors = dict(zip(manufacturer.level(0).tolist(), manufacturer.level(1).tolist()))
    assert vendors["GE Discovery MI"] == "GE " and vendors["GE Optima CT660"] == "GE"  # ... not in config.dat
    assert "'GE ' / 'GE'" in notes(demo, "warning")
    age = read_hierarchy(demo.hierarchy_paths["Age"])
    assert (age.n_values, age.n_levels) == (55, 4)
    assert age.table.tolist()[0] == ["34", "30-34", "30-39", "ALL_AGES"]
    zip_code = read_hierarchy(demo.hierarchy_paths["Zip_Code"])
    assert (zip_code.n_values, zip_code.n_levels) == (990, 6)


def test_demo_holds_arxs_result_and_it_is_read(demo):
    result = demo.result
    assert result.optimum == DEMO_OPTIMUM
    assert result.information_loss == DEMO_LOSS
    assert (result.checked, result.lattice_size) == (92, 3456)
    assert result.attributes == QIS and result.order_source == "lattice.dat"
    assert len(result.nodes) == 92 and sum(n.anonymity == "ANONYMOUS" for n in result.nodes) == 20
    assert result.node(DEMO_OPTIMUM).lowest_loss == DEMO_LOSS
    assert "Zip_Code=5, information loss 0.6828901072069209" in notes(demo, "result")


def test_demo_optimum_equals_arxs(demo):
    result = anonymize(load_project(demo.project_path))
    assert result.optimum.levels == DEMO_OPTIMUM
    assert result.optimum.information_loss == DEMO_LOSS  # to the last digit
    assert result.optimum.suppressed_records == 93


def test_demo_every_transformation_arx_checked_gets_arxs_verdict(demo):
    """ARX's 92 checked transformations: same anonymity; same Loss wherever Zip_Code is at its
    top level. Below it ARX scores Zip_Code from its redaction builder (DomainShareRedaction),
    which the import reports; that is the only difference."""
    ours = anonymize(load_project(demo.project_path))
    differing = []
    for node in demo.result.nodes:
        levels = dict(zip(QIS, node.levels))
        evaluated = ours.evaluate(ours.node_of(levels))
        assert evaluated.anonymous == (node.anonymity == "ANONYMOUS"), levels
        if evaluated.anonymous and abs(evaluated.information_loss - node.lowest_loss) > 1e-10:
            differing.append(levels)
    assert differing and all(levels["Zip_Code"] < 5 for levels in differing)
    assert "DomainShareRedaction" in notes(demo, "not-carried")


def test_demo_report_lists_what_is_not_carried_over(demo):
    text = notes(demo, "not-carried")
    assert "Acquisition_Date Integer" in text and "Zip_Code Integer" in text  # data types
    assert "practical monotonicity" in text
    assert "Zip_Code (redaction)" in text and "Sex (ordering)" in text  # builders
    assert "Allergies 0.5" in text  # a weight without effect
    assert "'Patient_ID' is insensitive in ARX" in notes(demo, "warning")
    comments = [line for line in demo.project_path.read_text().splitlines() if line.startswith("#")]
    assert [line[2:] for line in comments] == demo.report().splitlines()


def test_demo_imports_and_runs_end_to_end_on_the_command_line(seed_pack, tmp_path):
    project = tmp_path / "x" / "project.yaml"
    imported = run("import-arx", seed_pack / DEMO, "-o", project)
    assert imported.exit_code == 0, imported.output
    assert "Not carried over" in imported.output and "information loss 0.6828901072069209" in imported.output
    # the pack's synthetic data is not in the EUCAIM profile's form (days, an unmarked ID):
    # the de-identification guard stops until the curator confirms
    refused = run("anonymize", project, "-o", tmp_path / "out")
    assert refused.exit_code == 2 and "--i-confirm-deidentified" in refused.output
    assert not (tmp_path / "out").exists()
    assert run("validate", project, "--i-confirm-deidentified").exit_code == 0
    done = run("anonymize", project, "-o", tmp_path / "out", "--i-confirm-deidentified")
    assert done.exit_code == 0, done.output
    guard = json.loads((tmp_path / "out" / "result.json").read_text())["guard"]
    assert guard["confirmed_deidentified"] and {f["code"] for f in guard["findings"]} >= {"day-not-01"}
    assert "Age=3, Weight_kg=3, Sex=0, Ethnicity_Country=2, Imaging_Modality=0, Manufacturer_Model=2, " \
           "Zip_Code=5; information loss 0.6829" in done.output
    again = run("import-arx", seed_pack / DEMO, "-o", project)
    assert again.exit_code == 2 and "--force" in again.output
    assert not [p for p in project.parent.iterdir() if p.name.startswith(".")]  # no staging left behind
    folder = run("import-arx", seed_pack / DEMO, "-o", tmp_path)
    assert folder.exit_code == 2 and "is a folder" in folder.output
    assert run("import-arx", seed_pack / DEMO, "-o", project, "--force").exit_code == 0


# --- synthetic project files ---------------------------------------------------------------
def test_every_supported_model_is_mapped_to_its_project_key(tmp_path):
    imported = import_arx(write_deid(tmp_path / "s.deid"), tmp_path / "p.yaml")
    raw = yaml.safe_load(imported.project_path.read_text())
    assert raw["privacy"] == [
        {"k-anonymity": {"k": 3}},
        {"distinct-l-diversity": {"attribute": "diagnosis", "l": 2}},
        {"entropy-l-diversity": {"attribute": "diagnosis", "l": 1.5, "estimator": "grassberger"}},
        {"recursive-cl-diversity": {"attribute": "diagnosis", "c": 4.0, "l": 2}},
        {"t-closeness": {"attribute": "diagnosis", "t": 0.2, "distance": "hierarchical"}},
        {"delta-disclosure": {"attribute": "diagnosis", "delta": 1.5}},
        {"beta-likeness": {"attribute": "diagnosis", "beta": 2.0, "variant": "enhanced"}},
        {"average-risk": {"threshold": 0.2}},
        {"average-risk": {"threshold": 0.05, "highest_risk": 0.5, "records_at_risk": 0.1}},  # relaxed variant
        {"sample-uniqueness": {"threshold": 0.01}},
        {"k-map": {"k": 5, "estimator": "poisson"}},  # no config.dat: no population size
    ]
    assert raw["attributes"] == {
        "name": {"role": "identifier"},
        "age": {"role": "quasi-identifier", "hierarchy": "p_hierarchy_age.csv", "min_level": 1, "max_level": 2,
                "weight": 1.0},
        "zip": {"role": "quasi-identifier", "hierarchy": "p_hierarchy_zip.csv", "weight": 0.25},
        "diagnosis": {"role": "sensitive", "hierarchy": "p_hierarchy_diagnosis.csv"},
        "note": {"role": "insensitive"},
    }
    assert raw["metric"] == {"loss": {"gs_factor": 0.3}}
    assert raw["suppression_limit"] == 0.05 and raw["format"] == {"delimiter": ";"}
    assert read_table(imported.data_path).columns == ["name", "age", "zip", "diagnosis", "note"]


def test_unsupported_models_and_settings_are_listed_with_their_parameters(tmp_path):
    imported = import_arx(write_deid(tmp_path / "s.deid"), tmp_path / "p.yaml")
    text = notes(imported, "not-carried")
    assert "'(0.0, 0.5)-presence'" in text and "'(0.01)-population-uniqueness (dankar)'" in text
    assert "microaggregation of zip" in text
    assert "'diagnosis' has a hierarchy" not in text  # a sensitive attribute keeps its hierarchy
    assert "SENSITIVE_ATTRIBUTE" in text  # also blanked by ARX in suppressed records
    assert "age Integer" in text
    check = notes(imported, "warning")
    assert "add `population:`" in check
    assert "aggregate function is only in input/config.dat" in check
    assert imported.result is None  # no lattice saved: nothing to compare with


def test_settings_only_in_config_dat_are_read_and_listed(tmp_path):
    stored = [[line.split(";")[0], "young" if int(line[:2]) < 34 else "old", "*"] for line in AGE.splitlines()]
    deid = write_deid(tmp_path / "s.deid", extra={"input/config.dat": config_dat(stored_age=stored),
                                                  "project.dat": project_dat()})
    imported = import_arx(deid, tmp_path / "p.yaml")
    raw = yaml.safe_load(imported.project_path.read_text())
    assert {"k-map": {"k": 5, "population": 1_000_000, "estimator": "poisson", "significance": 0.01}} in raw["privacy"]
    assert raw["metric"] == {"loss": {"gs_factor": 0.3}}  # gs from config.dat; RANK has no equivalent
    text = notes(imported, "not-carried")
    for phrase in ("aggregate function RANK", "heuristic search (BEST_EFFORT_GENETIC",
                   "heuristicSearchTimeLimit 30000", "local transformation", "research subset of 10 of 24",
                   "zip (redaction)", "DomainShareRedaction"):
        assert phrase in text, phrase
    age = read_hierarchy(imported.hierarchy_paths["age"])  # config.dat wins over the CSV copy
    assert age.level(1).tolist()[:5] == ["young"] * 4 + ["old"]
    assert "differs from the hierarchy ARX uses (input/config.dat)" in notes(imported, "warning")


def test_the_seed_packs_defective_hierarchies_are_imported_with_clear_messages(seed_pack, tmp_path):
    sex = (seed_pack / "hierarchies/Sex_F_H.csv").read_text(encoding="utf-8-sig")
    values = [line.split(",")[0] for line in sex.splitlines()[1:] if line.strip()]
    data = "id,sex\n" + "".join(f"{i},{values[i % len(values)]}\n" for i in range(12))
    deid = write_deid(tmp_path / "s.deid", separator=",", data=data, criteria=["2-anonymity"],
                      definition=[assignment("id", "IDENTIFYING_ATTRIBUTE"),
                                  assignment("sex", "QUASI_IDENTIFYING_ATTRIBUTE", ref="hierarchies/sex.csv")],
                      hierarchies={"sex": sex}, weights={})
    imported = import_arx(deid, tmp_path / "p.yaml")
    check = notes(imported, "warning")
    assert "header row 'Gender,Level_2,Level_3,Level_4' skipped" in check
    assert "ARX itself treats that row as a value" in check
    assert "the top level 3 has 2 different values ('Person', 'Any')" in check
    hierarchy = read_hierarchy(imported.hierarchy_paths["sex"])
    assert hierarchy.level(0).tolist() == values  # header dropped, rows kept


def test_a_hierarchy_that_is_not_a_tree_is_reported(seed_pack, tmp_path):
    text = (seed_pack / "hierarchies/Manufacturer_F_H.csv").read_text(encoding="utf-8-sig")
    models = [line.split(",")[0] for line in text.splitlines()[1:] if line.strip()]
    data = "model\n" + "".join(f"{m}\n" for m in models)
    deid = write_deid(tmp_path / "s.deid", separator=",", data=data, criteria=["2-anonymity"], weights={},
                      definition=[assignment("model", "QUASI_IDENTIFYING_ATTRIBUTE", ref="hierarchies/m.csv")],
                      hierarchies={"m": text})
    imported = import_arx(deid, tmp_path / "p.yaml")
    assert "error: model: not a tree" in notes(imported, "warning")
    assert run("validate", imported.project_path).exit_code == 2  # validate refuses it, as ARX would


def test_a_value_missing_from_its_hierarchy_is_reported(tmp_path):
    deid = write_deid(tmp_path / "s.deid", hierarchies={"age": AGE.replace("31;30-34;*\n", ""),
                                                         "zip": ZIP, "diagnosis": DIAGNOSIS})
    imported = import_arx(deid, tmp_path / "p.yaml")
    assert "have no row in hierarchy 'age': '31'" in notes(imported, "warning")


@pytest.mark.parametrize("text, expected", [
    ("5-anonymity", ("k-anonymity", {"k": 5})),
    ("distinct-3-diversity for attribute 'it''s'", ("distinct-l-diversity", {"attribute": "it''s", "l": 3})),
    ("entropy-3.0-diversity for attribute 'a'", ("entropy-l-diversity", {"attribute": "a", "l": 3.0,
                                                                        "estimator": "shannon"})),
    ("shannon-entropy-2.5-diversity for attribute 'a'", ("entropy-l-diversity", {"attribute": "a", "l": 2.5,
                                                                                "estimator": "shannon"})),
    ("0.15-closeness with equal ground-distance for attribute 'a'", ("t-closeness", {"attribute": "a", "t": 0.15,
                                                                                     "distance": "equal"})),
    ("0.2-closeness with equal distance for attribute 'a'", ("t-closeness", {"attribute": "a", "t": 0.2,
                                                                             "distance": "equal"})),
    ("0.3-closeness with ordered distance for attribute 'a b'", ("t-closeness", {"attribute": "a b", "t": 0.3,
                                                                                 "distance": "ordered"})),
    ("basic-1.0E-4-likeness for attribute 'a'", ("beta-likeness", {"attribute": "a", "beta": 1e-4,
                                                                   "variant": "basic"})),
    ("(1.0E-4)-sample-uniqueness", ("sample-uniqueness", {"threshold": 1e-4})),
    ("(10)-map estimated as (4)-anonymity (Zero-truncated Poisson)",
     ("k-map", {"k": 10, "estimator": "zero-truncated-poisson"})),
    ("(10)-map", None),  # exact k-map needs a research subset: not supported
    ("(2.0, 1.0E-6)-differential privacy", None),
])
def test_arx_criterion_strings(text, expected):
    assert parse_criterion(text) == expected


@pytest.mark.parametrize("label, expected", [
    ("Loss (0.25/1.0/0.5)", ("loss", False, 0.25)),
    ("Non-monotonic precision", ("precision", False, None)),
    ("Monotonic precision", ("precision", True, None)),
    ("Height", ("height", False, None)),
    ("Non-monotonic discernability", ("discernibility", False, None)),
    ("Average equivalence class size", ("aecs", False, None)),
    ("Non-monotonic non-uniform entropy", ("entropy", False, None)),
    ("KL-Divergence", None),
])
def test_metric_labels_of_config_xml(label, expected):
    assert _metric_from_label(label) == expected


def test_module_examples_run():
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(arx.__path__):
        assert doctest.testmod(importlib.import_module(f"eucaim_wizard.arx.{module.name}")).failed == 0
    assert doctest.testmod(arx).failed == 0


# --- damaged and incomplete files ----------------------------------------------------------
def test_a_file_that_is_not_a_zip_is_refused(tmp_path):
    bad = tmp_path / "bad.deid"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(ProjectError, match="zip archives"):
        read_arx_project(bad)
    result = run("import-arx", bad, "-o", tmp_path / "p.yaml")
    assert result.exit_code == 2 and "Traceback" not in result.output


@pytest.mark.parametrize("part", ["project.xml", "input/definition.xml", "input/config.xml", "data/input.csv"])
def test_a_missing_part_is_named(tmp_path, part):
    deid = write_deid(tmp_path / "s.deid", omit=(part,))
    result = run("import-arx", deid, "-o", tmp_path / "p.yaml")
    assert result.exit_code == 2 and f"no part {part}" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.deid"]  # nothing half-written


def test_a_missing_hierarchy_is_named(tmp_path):
    deid = write_deid(tmp_path / "s.deid", omit=("input/hierarchies/zip.csv",))
    with pytest.raises(ProjectError, match="input/hierarchies/zip.csv"):
        import_arx(deid, tmp_path / "p.yaml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.deid"]


def test_damaged_parts_are_named(tmp_path):
    broken_xml = write_deid(tmp_path / "a.deid", extra={"input/config.xml": "<config><criteria>"})
    with pytest.raises(ProjectError, match=r"input/config.xml is not valid XML"):
        read_arx_project(broken_xml)
    broken_dat = write_deid(tmp_path / "b.deid", extra={"input/config.dat": b"\xac\xed\x00\x05s\x72"})
    with pytest.raises(ProjectError, match=r"input/config.dat cannot be read"):
        read_arx_project(broken_dat)
    truncated = tmp_path / "c.deid"
    truncated.write_bytes(write_deid(tmp_path / "d.deid").read_bytes()[:-60])
    with pytest.raises(ProjectError, match="zip"):
        read_arx_project(truncated)


def test_output_never_replaces_the_arx_file(tmp_path):
    deid = write_deid(tmp_path / "p_data.csv")  # named like the data file the import would write
    from eucaim_wizard.tables.output import OutputError

    with pytest.raises(OutputError, match="it is an input"):
        import_arx(deid, tmp_path / "p.yaml", force=True)


def test_attribute_names_that_yaml_would_misread_are_quoted(tmp_path):
    data = "no;1\n" + "".join(f"{a};x\n" for a in range(30, 38))
    deid = write_deid(tmp_path / "s.deid", data=data, criteria=["2-anonymity"], weights={},
                      definition=[assignment("no", "QUASI_IDENTIFYING_ATTRIBUTE", ref="hierarchies/age.csv"),
                                  assignment("1", "INSENSITIVE_ATTRIBUTE")], hierarchies={"age": AGE})
    imported = import_arx(deid, tmp_path / "p.yaml")
    project = load_project(imported.project_path)
    assert list(project.attributes) == ["no", "1"] and project.quasi_identifiers == ["no"]


# --- export to ARX ----------------------------------------------------------------------------
def test_export_writes_files_our_reader_and_arx_read_back(demo, tmp_path):
    project = load_project(demo.project_path)
    # (the seed pack is synthetic, but its dates keep the day: the guard would stop it)
    exported = export_arx(demo.project_path, tmp_path / "arx", confirmed_deidentified=True)
    for name, path in exported.hierarchy_paths.items():
        assert read_hierarchy(path, has_header=False) == project.load_hierarchy(name)
        assert read_hierarchy(path) == project.load_hierarchy(name)  # no row looks like a header
        assert ";" in path.read_text().splitlines()[0]
    table = read_table(exported.data_path)
    assert table.format.delimiter == ";" and table.n_rows == 1000
    text = exported.description_path.read_text()
    assert "- k-Anonymity: k = 27" in text and "Suppression limit: 0.174 (17.4% of the records)" in text
    assert "| Zip_Code | Quasi-identifying | `hierarchy_Zip_Code.csv` | 0–5 | 0 | 5 | 0.5 |" in text
    assert "Aggregate function: geometric mean" in text


def test_export_then_import_round_trip_keeps_the_configuration(tmp_path):
    imported = import_arx(write_deid(tmp_path / "s.deid", criteria=["3-anonymity"]), tmp_path / "p.yaml")
    exported = export_arx(imported.project_path, tmp_path / "arx")
    table = read_table(exported.data_path)
    assert "name" not in table.columns  # identifiers stay out of the export
    text = exported.description_path.read_text()
    assert "| age | Quasi-identifying | `hierarchy_age.csv` | 0–2 | 1 | 2 | 1 |" in text
    assert "| diagnosis | Sensitive | `hierarchy_diagnosis.csv` | 0–2 |  |  |  |" in text
    assert "Identifier columns are left out of `data.csv`" in text and "name" in text
    assert "gs-factor): 0.3" in text
    again = run("export-arx", imported.project_path, "-o", tmp_path / "arx")
    assert again.exit_code == 2 and "--force" in again.output
    assert run("export-arx", imported.project_path, "-o", tmp_path / "arx", "--force").exit_code == 0


def test_commands_have_help_with_an_example():
    for command in ("import-arx", "export-arx"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example: eucaim-wizard " + command in result.output


def test_imported_models_load_wherever_eucaim_wizard_has_them(tmp_path):
    from eucaim_wizard.privacy import MODELS, parse_privacy_models

    imported = import_arx(write_deid(tmp_path / "s.deid"), tmp_path / "p.yaml")
    entries = yaml.safe_load(imported.project_path.read_text())["privacy"]
    # (a k-map entry whose population ARX's file does not give cannot load: that is warned about)
    known = [entry for entry in entries if next(iter(entry)) in MODELS
             and not ("k-map" in entry and "population" not in entry["k-map"])]
    assert {"k-anonymity": {"k": 3}} in known
    for entry, model in zip(known, parse_privacy_models(known)):
        (key, params), = entry.items()
        assert model.key == key and params.items() <= model.to_config()[key].items()
