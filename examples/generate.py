"""Generate the synthetic EUCAIM demo: imaging-study metadata, ARX hierarchies, a project.

Every record is invented; no real patient is behind any row.  Run ``python examples/generate.py``
to rewrite ``examples/demo/`` byte-identically (fixed seed, stdlib + numpy, no network).
All randomness is drawn through ``Generator.random()`` / ``Generator.bytes()`` of PCG64, whose
streams numpy keeps stable across versions.  Distributions: docs in ``examples/README.md``,
figures from ``/work/shared/domain/EUCAIM.md`` ("Realistic synthetic data").
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

SEED = 20240501
N_ROWS = 3000
MISSING = 0.02  # share of blanked cells per non-key column
OUT = Path(__file__).resolve().parent / "demo"
COLUMNS = ["PatientID", "PatientSex", "PatientAge", "StudyDate", "Modality", "BodyPartExamined",
           "Manufacturer", "ManufacturerModelName", "CancerType", "SliceThickness"]

# cancer type: share of new cancers (EU-27 2020), age at diagnosis (median, sd, min), P(male)
CANCERS = {"breast": (13.3, 62, 13, 25, 0.01), "colorectal": (12.7, 67, 11, 30, 0.56),
           "prostate": (12.5, 66, 8, 40, 1.00), "lung": (11.9, 71, 9, 30, 0.62)}
# cancer type -> modality -> (share, {BodyPartExamined: share})
PROTOCOLS = {
    "breast": {"MG": (50, {"BREAST": 1}), "MR": (30, {"BREAST": 1}), "US": (15, {"BREAST": 1}),
               "CT": (5, {"CHEST": 6, "CHESTABDPELVIS": 4})},
    "prostate": {"MR": (80, {"PROSTATE": 8, "PELVIS": 2}), "PT": (10, {"WHOLEBODY": 1}),
                 "CT": (10, {"ABDOMENPELVIS": 6, "PELVIS": 4})},
    "lung": {"CT": (80, {"CHEST": 75, "CHESTABDOMEN": 15, "LUNG": 10}), "PT": (15, {"WHOLEBODY": 1}),
             "DX": (5, {"CHEST": 1})},
    "colorectal": {"CT": (60, {"CHESTABDPELVIS": 5, "ABDOMENPELVIS": 3, "ABDOMEN": 2}),
                   "MR": (35, {"RECTUM": 6, "PELVIS": 25, "LIVER": 15}), "PT": (5, {"WHOLEBODY": 1})},
}
# normalised vendor -> (raw DICOM Manufacturer strings with weights, {modality: [real models]})
VENDORS = {
    "Siemens": ({"SIEMENS": 6, "Siemens Healthineers": 3, "Siemens": 1}, {
        "CT": ["SOMATOM Definition AS+", "SOMATOM Definition Edge", "SOMATOM Force", "Sensation 64"],
        "MR": ["Skyra", "Aera", "Avanto_fit", "Prisma_fit"], "PT": ["Biograph64", "Biograph Vision 600"],
        "MG": ["Mammomat Inspiration", "MAMMOMAT Revelation"], "US": ["ACUSON S2000"], "DX": ["Ysio Max"]}),
    "GE": ({"GE MEDICAL SYSTEMS": 8, "GE Healthcare": 2}, {
        "CT": ["Revolution CT", "Discovery CT750 HD", "Optima CT660", "LightSpeed VCT"],
        "MR": ["SIGNA Architect", "DISCOVERY MR750", "Optima MR450w", "Signa HDxt"],
        "PT": ["Discovery MI", "Discovery 710"], "MG": ["Senographe Pristina", "Senographe Essential"],
        "US": ["LOGIQ E9", "LOGIQ E10"], "DX": ["Definium 8000"]}),
    "Philips": ({"Philips": 4, "Philips Medical Systems": 5, "Philips Healthcare": 1}, {
        "CT": ["Brilliance 64", "iCT 256", "IQon - Spectral CT", "Ingenuity CT"],
        "MR": ["Ingenia", "Achieva", "Ingenia Elition X"], "PT": ["Vereos PET/CT", "GEMINI TF TOF 64"],
        "MG": ["MicroDose SI"], "US": ["EPIQ 7G", "iU22"], "DX": ["DigitalDiagnost"]}),
    "Canon": ({"TOSHIBA": 5, "Canon Medical Systems": 3, "CANON_MEC": 2}, {
        "CT": ["Aquilion ONE", "Aquilion PRIME", "Aquilion 64"], "MR": ["Vantage Titan", "Vantage Orian"],
        "PT": ["Celesteion"], "US": ["Aplio 500", "Aplio i800"]}),
    "Hologic": ({"HOLOGIC, Inc.": 1}, {"MG": ["Selenia Dimensions", "3Dimensions"]}),
    "Fujifilm": ({"FUJIFILM Corporation": 1}, {"MG": ["AMULET Innovality"]}),
    "Hitachi": ({"Hitachi Medical Corporation": 1}, {"CT": ["Supria"], "MR": ["ECHELON_OVAL", "OASIS"]}),
    "Carestream": ({"Carestream Health": 1}, {"DX": ["DRX-Evolution"]}),
    "Agfa": ({"Agfa": 1}, {"DX": ["DX-D 600"]}),
    "United Imaging": ({"UIH": 1}, {"CT": ["uCT 780"], "MR": ["uMR 780"]}),  # planted rare vendor only
}
BIG4 = {"Siemens", "GE", "Philips", "Canon"}
# modality -> vendor shares (CT/MR/PT: Siemens 30, GE 28, Philips 22, Canon 12, other 8)
VENDOR_SHARE = {
    "CT": {"Siemens": 30, "GE": 28, "Philips": 22, "Canon": 12, "Hitachi": 8},
    "MR": {"Siemens": 30, "GE": 28, "Philips": 22, "Canon": 12, "Hitachi": 8},
    "PT": {"Siemens": 33, "GE": 30, "Philips": 24, "Canon": 13},
    "MG": {"Hologic": 60, "GE": 15, "Siemens": 12, "Fujifilm": 10, "Philips": 3},
    "US": {"GE": 30, "Philips": 30, "Siemens": 20, "Canon": 20},
    "DX": {"Siemens": 25, "Philips": 25, "GE": 20, "Carestream": 15, "Agfa": 15},
}
# SliceThickness (DS, mm): CT depends on the vendor's detector rows; none for MG, DX, US
CT_SLICES = {"GE": ["0.625", "1.25", "2.5", "5"], "Siemens": ["1", "1.5", "2", "3", "5"],
             "Philips": ["0.9", "1", "2", "3", "5"], "Canon": ["0.5", "1", "2", "3", "5"]}
SLICES = {"CT": ["1", "2", "5"], "MR": ["1", "1.5", "3", "3.5", "4", "5"], "PT": ["2", "3", "3.27", "4", "5"]}
STUDIES_PER_PATIENT = {1: 45, 2: 25, 3: 15, 4: 10, 5: 5}
FIRST_MONTH, LAST_MONTH = 2015 * 12, 2024 * 12 + 11  # months since year 0

rng = np.random.Generator(np.random.PCG64(SEED))


def pick(weights: dict):
    """One key of ``weights`` with probability proportional to its value."""
    keys = list(weights)
    cumulative = np.cumsum([float(weights[k]) for k in keys])
    return keys[min(int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right")),
                    len(keys) - 1)]


def uniform_choice(options: list):
    return options[int(rng.random() * len(options))]


def normal(mean: float, sd: float) -> float:
    """Box-Muller on two uniforms (keeps the stream independent of numpy's normal sampler)."""
    u1, u2 = 1.0 - rng.random(), rng.random()
    return mean + sd * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)


def new_patient_id(seen: set) -> str:
    while (pid := "EUCAIM-" + rng.bytes(8).hex()) in seen:
        pass
    seen.add(pid)
    return pid


def study(pid, sex, age, month, cancer, modality=None, vendor=None, model=None, body=None) -> dict:
    modality = modality or pick({m: share for m, (share, _) in PROTOCOLS[cancer].items()})
    body = body or pick(PROTOCOLS[cancer][modality][1])
    vendor = vendor or pick(VENDOR_SHARE[modality])
    aliases, models = VENDORS[vendor]
    slices = CT_SLICES.get(vendor, SLICES["CT"]) if modality == "CT" else SLICES.get(modality)
    return {"PatientID": pid, "PatientSex": sex, "PatientAge": f"{age:03d}Y",
            "StudyDate": f"{month // 12}{month % 12 + 1:02d}01", "Modality": modality,
            "BodyPartExamined": body, "Manufacturer": pick(aliases),
            "ManufacturerModelName": model or uniform_choice(models[modality]), "CancerType": cancer,
            "SliceThickness": uniform_choice(slices) if slices else ""}


def patient_studies(seen: set, n_max: int) -> list[dict]:
    cancer = pick({c: v[0] for c, v in CANCERS.items()})
    _, median, sd, low, p_male = CANCERS[cancer]
    sex = "M" if rng.random() < p_male else "F"
    age0 = min(max(normal(median, sd), low), 89) + rng.random()  # exact age at the first study
    pid, month = new_patient_id(seen), FIRST_MONTH + int(rng.random() * (LAST_MONTH - FIRST_MONTH + 1))
    rows, first = [], month
    for _ in range(min(pick(STUDIES_PER_PATIENT), n_max)):
        if month > LAST_MONTH:
            break
        rows.append(study(pid, sex, int(age0 + (month - first) / 12), month, cancer))
        month += 3 + int(rng.random() * 10)  # follow-up after 3-12 months
    return rows


def planted(seen: set) -> list[dict]:
    """A few records that risk analysis should flag (see README)."""
    m = lambda year, mon: year * 12 + mon - 1  # noqa: E731
    return [
        study(new_patient_id(seen), "F", 98, m(2019, 3), "lung", "CT", "Siemens", body="CHEST"),
        study(new_patient_id(seen), "F", 23, m(2021, 9), "breast", "MR", "Philips", body="BREAST"),
        *[study(pid, "O", 58, m(2022, mon), "colorectal", "CT", "GE", body="CHESTABDPELVIS")
          for pid in [new_patient_id(seen)] for mon in (2, 8)],
        study(new_patient_id(seen), "M", 64, m(2023, 6), "lung", "CT", "United Imaging", "uCT 780", "CHEST"),
        study(new_patient_id(seen), "M", 71, m(2023, 11), "prostate", "MR", "United Imaging", "uMR 780",
              "PROSTATE"),
    ]


def make_rows() -> list[dict]:
    seen: set = set()
    extra = planted(seen)
    rows: list[dict] = []
    while len(rows) < N_ROWS - len(extra):
        rows += patient_studies(seen, N_ROWS - len(extra) - len(rows))
    for row in rows:  # about 2 % missing per non-key column (planted records stay complete)
        for column in COLUMNS[1:]:
            if rng.random() < MISSING:
                row[column] = ""
    return sorted(rows + extra, key=lambda r: (r["PatientID"], r["StudyDate"], r["Modality"]))


# --- hierarchies (level 0 -> root '*'; missing values get their own 'Unknown' branch) -------
def age_rows() -> list[list[str]]:
    def band(age, width, top):
        return f"{top}+" if age >= top else f"{age // width * width}-{age // width * width + width - 1}"
    rows = [[f"{a:03d}Y", band(a, 5, 90), band(a, 10, 90), band(a, 20, 80), "*"] for a in range(121)]
    return rows + [["", "Unknown", "Unknown", "Unknown", "*"]]


def date_rows() -> list[list[str]]:
    rows = [[f"{y}{mo:02d}01", str(y), f"{y // 5 * 5}-{y // 5 * 5 + 4}", "*"]
            for y in range(2010, 2031) for mo in range(1, 13)]
    return rows + [["", "Unknown", "Unknown", "*"]]


MODALITY_FAMILY = {"CT": "Tomographic X-ray", "CR": "Projection X-ray", "DX": "Projection X-ray",
                   "MG": "Projection X-ray", "XA": "Projection X-ray", "RF": "Projection X-ray",
                   "PT": "Nuclear medicine", "NM": "Nuclear medicine", "MR": "Magnetic resonance",
                   "US": "Ultrasound", "SEG": "Derived", "RTSTRUCT": "Derived", "SR": "Derived"}
FAMILY_CLASS = {"Tomographic X-ray": "Ionising", "Projection X-ray": "Ionising",
                "Nuclear medicine": "Ionising", "Magnetic resonance": "Non-ionising",
                "Ultrasound": "Non-ionising", "Derived": "Derived"}
BODY_REGION = {
    "Head and neck": ("Head and neck", ["HEAD", "BRAIN", "NECK", "HEADNECK"]),
    "Thorax": ("Trunk", ["BREAST", "CHEST", "LUNG", "HEART"]),
    "Abdomen": ("Trunk", ["ABDOMEN", "LIVER", "PANCREAS", "KIDNEY", "COLON"]),
    "Pelvis": ("Trunk", ["PELVIS", "PROSTATE", "RECTUM", "BLADDER", "UTERUS", "CERVIX", "OVARY"]),
    "Multiple regions": ("Trunk", ["CHESTABDOMEN", "ABDOMENPELVIS", "CHESTABDPELVIS"]),
    "Extremity": ("Limbs", ["EXTREMITY"]),
    "Whole body": ("Whole body", ["WHOLEBODY"]),
}
# raw strings seen in other exports (not in this data) so that new data fits too
EXTRA_ALIASES = {"Siemens Healthcare GmbH": "Siemens", "GE HealthCare": "GE", "Toshiba": "Canon",
                 "Picker International, Inc.": "Philips", "Marconi Medical Systems": "Philips",
                 "KODAK": "Carestream", "Hologic, Inc.": "Hologic", "FUJIFILM Healthcare": "Fujifilm"}


def vendor_class(vendor: str) -> str:
    return "Big-4" if vendor in BIG4 else "Other"


def hierarchies() -> dict[str, list[list[str]]]:
    raw = {alias: v for v, (aliases, _) in VENDORS.items() for alias in aliases} | EXTRA_ALIASES
    models = {model: v for v, (_, by_mod) in VENDORS.items() for ms in by_mod.values() for model in ms}
    unknown3 = [["", "Unknown", "Unknown", "*"]]
    return {
        "PatientAge": age_rows(),
        "PatientSex": [["M", "*"], ["F", "*"], ["O", "*"], ["", "*"]],
        "StudyDate": date_rows(),
        "Modality": [[m, f, FAMILY_CLASS[f], "*"] for m, f in MODALITY_FAMILY.items()] + unknown3,
        "BodyPartExamined": [[part, region, top, "*"] for region, (top, parts) in BODY_REGION.items()
                             for part in parts] + unknown3,
        "Manufacturer": [[a, v, vendor_class(v), "*"] for a, v in raw.items()] + unknown3,
        "ManufacturerModelName": [[m, v, vendor_class(v), "*"] for m, v in models.items()] + unknown3,
    }


PROJECT = """\
# Synthetic imaging-study metadata (examples/generate.py); see docs for the roles.
data: imaging_studies.csv
attributes:
  PatientID: {role: identifier}
  PatientSex: {role: quasi-identifier, hierarchy: hierarchy_PatientSex.csv}
  PatientAge: {role: quasi-identifier, hierarchy: hierarchy_PatientAge.csv}
  StudyDate: {role: quasi-identifier, hierarchy: hierarchy_StudyDate.csv}
  Modality: {role: quasi-identifier, hierarchy: hierarchy_Modality.csv}
  BodyPartExamined: {role: quasi-identifier, hierarchy: hierarchy_BodyPartExamined.csv}
  Manufacturer: {role: quasi-identifier, hierarchy: hierarchy_Manufacturer.csv}
  # A scanner model narrows down the site (and so the patient) more than the vendor does: a
  # curator would make it a quasi-identifier with the model -> vendor hierarchy written
  # alongside, i.e. {role: quasi-identifier, hierarchy: hierarchy_ManufacturerModelName.csv}.
  # The demo keeps it insensitive so that the search stays small.
  ManufacturerModelName: {role: insensitive}
  CancerType: {role: sensitive}
  SliceThickness: {role: insensitive}
privacy:
  - k-anonymity: {k: 10}
suppression_limit: 0.05
metric: loss
"""


def write_csv(path: Path, rows: list[list[str]], delimiter: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(rows)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    rows = make_rows()
    write_csv(OUT / "imaging_studies.csv", [COLUMNS] + [[r[c] for c in COLUMNS] for r in rows], ",")
    for column, table in hierarchies().items():
        assert len({len(r) for r in table}) == 1 and len({r[0] for r in table}) == len(table), column
        covered = {r[0] for r in table}
        missing = {r[column] for r in rows} - covered
        assert not missing, f"{column}: values without a hierarchy row: {sorted(missing)}"
        write_csv(OUT / f"hierarchy_{column}.csv", table, ";")
    (OUT / "project.yaml").write_text(PROJECT, encoding="utf-8", newline="\n")
    print(f"wrote {len(rows)} studies of {len({r['PatientID'] for r in rows})} patients to {OUT}")


if __name__ == "__main__":
    main()
