"""Generate the synthetic EUCAIM examples: ``demo/``, ``imaging/`` and ``clinical/``.

Every record is invented; no real patient is behind any row.  Run ``python examples/generate.py``
to rewrite the three folders byte-identically (fixed seeds, stdlib + numpy + openpyxl, no
network); ``--out DIR`` writes them under another folder.

- ``demo/``: 3,000 imaging studies, hand-written ARX hierarchies, a small project (this file);
- ``clinical/``: 2,000 patients, one row each (``gen_clinical.py``);
- ``imaging/``: about 5,000 series, one row each, of some of those patients (``gen_imaging.py``).

All randomness is drawn through ``Generator.random()`` / ``Generator.bytes()`` of PCG64, whose
streams numpy keeps stable across versions (``gen_common.Draw``).  Distributions: docs in
``examples/README.md``, figures from ``/work/shared/domain/EUCAIM.md`` ("Realistic synthetic data").
"""

from __future__ import annotations

import argparse
from pathlib import Path

from gen_common import (BIG4, CANCERS, CT_SLICES, PROTOCOLS, SLICES, STUDIES_PER_PATIENT, VENDOR_SHARE,
                        VENDORS, Draw, write_csv)

SEED = 20240501
N_ROWS = 3000
MISSING = 0.02  # share of blanked cells per non-key column
HERE = Path(__file__).resolve().parent
COLUMNS = ["PatientID", "PatientSex", "PatientAge", "StudyDate", "Modality", "BodyPartExamined",
           "Manufacturer", "ManufacturerModelName", "CancerType", "SliceThickness"]

FIRST_MONTH, LAST_MONTH = 2015 * 12, 2024 * 12 + 11  # months since year 0

def study(draw: Draw, pid, sex, age, month, cancer, modality=None, vendor=None, model=None, body=None) -> dict:
    modality = modality or draw.pick({m: share for m, (share, _) in PROTOCOLS[cancer].items()})
    body = body or draw.pick(PROTOCOLS[cancer][modality][1])
    vendor = vendor or draw.pick(VENDOR_SHARE[modality])
    aliases, models = VENDORS[vendor]
    slices = CT_SLICES.get(vendor, SLICES["CT"]) if modality == "CT" else SLICES.get(modality)
    return {"PatientID": pid, "PatientSex": sex, "PatientAge": f"{age:03d}Y",
            "StudyDate": f"{month // 12}{month % 12 + 1:02d}01", "Modality": modality,
            "BodyPartExamined": body, "Manufacturer": draw.pick(aliases),
            "ManufacturerModelName": model or draw.choice(models[modality]), "CancerType": cancer,
            "SliceThickness": draw.choice(slices) if slices else ""}


def patient_studies(draw: Draw, seen: set, n_max: int) -> list[dict]:
    cancer = draw.pick({c: v[0] for c, v in CANCERS.items()})
    _, median, sd, low, p_male = CANCERS[cancer]
    sex = "M" if draw.random() < p_male else "F"
    age0 = min(max(draw.normal(median, sd), low), 89) + draw.random()  # exact age at the first study
    pid, month = draw.pseudonym(seen), FIRST_MONTH + int(draw.random() * (LAST_MONTH - FIRST_MONTH + 1))
    rows, first = [], month
    for _ in range(min(draw.pick(STUDIES_PER_PATIENT), n_max)):
        if month > LAST_MONTH:
            break
        rows.append(study(draw, pid, sex, int(age0 + (month - first) / 12), month, cancer))
        month += 3 + int(draw.random() * 10)  # follow-up after 3-12 months
    return rows


def planted(draw: Draw, seen: set) -> list[dict]:
    """A few records that risk analysis should flag (see README)."""
    m = lambda year, mon: year * 12 + mon - 1  # noqa: E731
    return [
        study(draw, draw.pseudonym(seen), "F", 98, m(2019, 3), "lung", "CT", "Siemens", body="CHEST"),
        study(draw, draw.pseudonym(seen), "F", 23, m(2021, 9), "breast", "MR", "Philips", body="BREAST"),
        *[study(draw, pid, "O", 58, m(2022, mon), "colorectal", "CT", "GE", body="CHESTABDPELVIS")
          for pid in [draw.pseudonym(seen)] for mon in (2, 8)],
        study(draw, draw.pseudonym(seen), "M", 64, m(2023, 6), "lung", "CT", "United Imaging", "uCT 780", "CHEST"),
        study(draw, draw.pseudonym(seen), "M", 71, m(2023, 11), "prostate", "MR", "United Imaging", "uMR 780",
              "PROSTATE"),
    ]


def make_rows(draw: Draw) -> list[dict]:
    seen: set = set()
    extra = planted(draw, seen)
    rows: list[dict] = []
    while len(rows) < N_ROWS - len(extra):
        rows += patient_studies(draw, seen, N_ROWS - len(extra) - len(rows))
    for row in rows:  # about 2 % missing per non-key column (planted records stay complete)
        for column in COLUMNS[1:]:
            if draw.random() < MISSING:
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


def write_demo(out: Path) -> str:
    out.mkdir(parents=True, exist_ok=True)
    rows = make_rows(Draw(SEED))
    write_csv(out / "imaging_studies.csv", [COLUMNS] + [[r[c] for c in COLUMNS] for r in rows], ",")
    for column, table in hierarchies().items():
        assert len({len(r) for r in table}) == 1 and len({r[0] for r in table}) == len(table), column
        covered = {r[0] for r in table}
        missing = {r[column] for r in rows} - covered
        assert not missing, f"{column}: values without a hierarchy row: {sorted(missing)}"
        write_csv(out / f"hierarchy_{column}.csv", table, ";")
    (out / "project.yaml").write_text(PROJECT, encoding="utf-8", newline="\n")
    return f"wrote {len(rows)} studies of {len({r['PatientID'] for r in rows})} patients to {out}"


def main(argv: list[str] | None = None) -> None:
    import gen_clinical
    import gen_imaging

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for demo/, imaging/, clinical/ "
                        "(default: examples/)")
    parser.add_argument("--no-xlsx", action="store_true", help="skip the .xlsx copies (faster)")
    args = parser.parse_args(argv)
    print(write_demo(args.out / "demo"))
    patients = gen_clinical.make_patients()
    print(gen_clinical.write(args.out / "clinical", patients, xlsx=not args.no_xlsx))
    print(gen_imaging.write(args.out / "imaging", patients, xlsx=not args.no_xlsx))


if __name__ == "__main__":
    main()
