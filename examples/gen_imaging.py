"""The imaging example: 5,000 series of DICOM metadata, one row per series (``imaging/``).

The patients are those of the clinical example (same pseudonyms, sexes, birth dates, sites
and cancer types).  A patient's first study is on the day the cancer was detected, and
follow-ups come every 3-12 months until the end of 2024.  The modality and the body part
are drawn per cancer type, the vendor per modality; each site has up to three scanners per modality
and vendor, each with a fixed model of that vendor for that modality and a fixed raw
Manufacturer string, so a model always fits the row's vendor and modality.  Technical parameters fit the modality and the vendor (CT kernels, MG
matrices).  Values look as the EUCAIM de-identification profile leaves them: dates with the
day set to 01 (ages computed before), pseudonymous ids, UIDs under ``2.25.``, a hashed site id
in InstitutionName.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from gen_common import (CT_SLICES, PROTOCOLS, SITES, SLICES, STUDIES_PER_PATIENT, VENDOR_SHARE, VENDORS, Draw,
                        write_csv, write_xlsx)

SEED = 20240503
N_SERIES = 5000
P_IMAGED = 0.45  # share of the clinical patients whose imaging is in the table (until it is full)
MISSING = 0.02
LAST_STUDY = date(2024, 12, 31)
COLUMNS = [
    "PatientID", "PatientName", "PatientSex", "PatientAge", "PatientBirthDate", "PatientWeight", "PatientSize",
    "InstitutionName", "StudyInstanceUID", "AccessionNumber", "StudyDate", "StudyTime", "StudyDescription",
    "SeriesInstanceUID", "SeriesNumber", "SeriesDescription", "AcquisitionDate", "Modality", "BodyPartExamined",
    "Manufacturer", "ManufacturerModelName", "MagneticFieldStrength", "SliceThickness", "KVP",
    "XRayTubeCurrent", "Exposure", "ExposureTime", "ConvolutionKernel", "PixelSpacing", "Rows", "Columns",
    "PatientIdentityRemoved", "DeidentificationMethod",
]
#: cells that may be empty (about 2 % each, where the attribute applies)
MAY_BE_MISSING = ["PatientSex", "PatientAge", "PatientBirthDate", "PatientWeight", "PatientSize", "StudyDate",
                  "StudyTime", "AcquisitionDate", "BodyPartExamined", "Manufacturer", "ManufacturerModelName",
                  "MagneticFieldStrength", "SliceThickness"]

# MR models: nominal field strength in tesla (manufacturer data sheets)
FIELD = {"Skyra": 3, "Aera": 1.5, "Avanto_fit": 1.5, "Prisma_fit": 3, "MAGNETOM C!": 0.35,
         "SIGNA Architect": 3, "DISCOVERY MR750": 3, "Optima MR450w": 1.5, "Signa HDxt": 1.5,
         "Ingenia": 1.5, "Achieva": 1.5, "Ingenia Elition X": 3, "Vantage Titan": 1.5, "Vantage Orian": 1.5,
         "ECHELON_OVAL": 1.5, "OASIS": 1.2, "uMR 780": 3}
# Siemens writes the exact resonance field, not the nominal one
SIEMENS_FIELD = {1.5: "1.494", 3: "2.89362", 0.35: "0.35"}
KERNELS = {"Siemens": ["B30f", "B70f", "Br40d", "Bl57d"], "GE": ["STANDARD", "LUNG", "BONE", "SOFT"],
           "Philips": ["B", "C", "L", "YA"], "Canon": ["FC08", "FC13", "FC52"], "Hitachi": ["Standard", "Lung"],
           "United Imaging": ["B_SOFT_B", "B_LUNG_B"]}
# mammography detectors: rows, columns, pixel spacing (mm)
MG_DETECTOR = {"Hologic": ("4096", "3328", "0.07\\0.07"), "GE": ("2850", "2394", "0.1\\0.1"),
               "Siemens": ("3584", "2816", "0.085\\0.085"), "Fujifilm": ("5928", "4728", "0.05\\0.05"),
               "Philips": ("5200", "4800", "0.05\\0.05")}
MATRIX = {"CT": [("512", "0.68359375\\0.68359375"), ("512", "0.703125\\0.703125"), ("512", "0.78125\\0.78125"),
                 ("512", "0.9765625\\0.9765625")],
          "MR": [("256", "0.9375\\0.9375"), ("320", "0.625\\0.625"), ("384", "0.5208333\\0.5208333"),
                 ("512", "0.46875\\0.46875")],
          "PT": [("192", "3.6458333\\3.6458333"), ("200", "4.0728\\4.0728"), ("256", "2.734375\\2.734375")]}
SERIES_COUNT = {"CT": {1: 30, 2: 45, 3: 25}, "MR": {3: 20, 4: 35, 5: 35, 6: 10}, "PT": {1: 40, 2: 60},
                "MG": {2: 15, 4: 85}, "US": {1: 50, 2: 50}, "DX": {1: 40, 2: 60}}
SERIES = {("CT", ""): ["AX 5.0", "AX 1.0", "COR MPR 3.0"],
          ("MR", "BREAST"): ["T1 AX", "T2 STIR AX", "DWI b800", "ADC", "DCE", "DCE SUB"],
          ("MR", "PROSTATE"): ["T2 TSE TRA", "T2 TSE SAG", "DWI b1400", "ADC", "DCE", "T1 TSE TRA"],
          ("MR", "PELVIS"): ["T2 TSE TRA", "T2 TSE SAG", "DWI b1000", "ADC", "DCE", "T1 TSE TRA"],
          ("MR", "RECTUM"): ["T2 SAG", "T2 AX HR", "T2 COR", "DWI b1000", "ADC", "T1 AX"],
          ("MR", "LIVER"): ["T1 IN-OPP", "T2 HASTE", "DWI b800", "ADC", "T1 VIBE DYN", "T2 FS"],
          ("PT", ""): ["PET WB AC", "PET WB NAC"], ("MG", ""): ["R CC", "R MLO", "L CC", "L MLO"],
          ("US", ""): ["BREAST R", "BREAST L"], ("DX", ""): ["PA", "LAT"]}
STUDY_DESCRIPTION = {
    ("CT", "CHEST"): "CT THORAX", ("CT", "LUNG"): "CT THORAX LOW DOSE", ("CT", "CHESTABDOMEN"): "CT THORAX ABDOMEN",
    ("CT", "CHESTABDPELVIS"): "CT THORAX ABDOMEN PELVIS", ("CT", "ABDOMENPELVIS"): "CT ABDOMEN PELVIS",
    ("CT", "ABDOMEN"): "CT ABDOMEN", ("CT", "PELVIS"): "CT PELVIS", ("MR", "BREAST"): "MR BREAST BILATERAL",
    ("MR", "PROSTATE"): "MR PROSTATE MULTIPARAMETRIC", ("MR", "PELVIS"): "MR PELVIS", ("MR", "RECTUM"): "MR RECTUM",
    ("MR", "LIVER"): "MR LIVER", ("MG", "BREAST"): "MAMMOGRAPHY BILATERAL", ("US", "BREAST"): "US BREAST",
    ("DX", "CHEST"): "CHEST X-RAY",
}
DEIDENTIFICATION = "EUCAIM Deidentification v5: CTP DICOM Anonymizer"


def _age(birth: date, day: date) -> int:
    """Completed years on ``day`` (DICOM PatientAge is computed before dates are shifted)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _masked(day: date) -> str:
    """A DICOM date with the day set to 01, as the EUCAIM profile writes it."""
    return f"{day.year:04d}{day.month:02d}01"


class Fleet:
    """The scanners of the sites: per site, modality and vendor, up to three scanners, each with its
    model and its raw Manufacturer string (a scanner always writes the same one)."""

    SCANNERS_PER_VENDOR = 3

    def __init__(self, draw: Draw):
        self.draw = draw
        self.scanners: dict[tuple[str, str, str, int], tuple[str, str]] = {}

    def scanner(self, site: str, modality: str, vendor: str) -> tuple[str, str]:
        key = (site, modality, vendor, self.draw.integer(0, self.SCANNERS_PER_VENDOR - 1))
        if key not in self.scanners:
            aliases, models = VENDORS[vendor]
            self.scanners[key] = (self.draw.pick(aliases), self.draw.choice(models[modality]))
        return self.scanners[key]


def study_rows(draw: Draw, fleet: Fleet, p: dict, day: date, *, modality=None, body=None, vendor=None,
               scanner=None, field=None) -> list[dict]:
    """The series of one study of patient ``p`` on ``day``; keywords force a value (planted studies)."""
    cancer, site = p["_cancer"], p["site"]
    modality = modality or draw.pick({m: share for m, (share, _) in PROTOCOLS[cancer].items()})
    body = body or draw.pick(PROTOCOLS[cancer][modality][1])
    vendor = vendor or draw.pick(VENDOR_SHARE[modality])
    manufacturer, model = scanner or fleet.scanner(site, modality, vendor)
    if modality == "MR" and field is None:
        nominal = FIELD[model]
        field = SIEMENS_FIELD[nominal] if vendor == "Siemens" else f"{nominal:g}"
    minutes = draw.integer(7 * 60 + 30, 19 * 60 + 59)
    study = {
        "PatientID": p["patient_id"], "PatientName": p["_name"], "PatientSex": p["_sex"],
        "PatientAge": f"{_age(p['_birth'], day):03d}Y", "PatientBirthDate": _masked(p["_birth"]),
        "PatientWeight": f"{p['_weight']:.0f}", "PatientSize": f"{p['_height'] / 100:.2f}", "InstitutionName": site,
        "StudyInstanceUID": draw.uid(), "AccessionNumber": draw.hex(8).upper(), "StudyDate": _masked(day),
        "StudyTime": f"{minutes // 60:02d}{minutes % 60:02d}{draw.integer(0, 59):02d}",
        "StudyDescription": (f"PET-CT {'PSMA' if cancer == 'prostate' else 'FDG'} WHOLE BODY" if modality == "PT"
                             else STUDY_DESCRIPTION[(modality, body)]),
        "AcquisitionDate": _masked(day), "Modality": modality, "BodyPartExamined": body,
        "Manufacturer": manufacturer, "ManufacturerModelName": model, "MagneticFieldStrength": field or "",
        "PatientIdentityRemoved": "YES", "DeidentificationMethod": DEIDENTIFICATION,
    }
    names = SERIES[(modality, body if modality == "MR" else "")]
    count = min(draw.pick(SERIES_COUNT[modality]), len(names))
    if modality in ("MG", "US", "DX") and count < len(names):
        start = 2 * draw.integer(0, len(names) // 2 - 1) if modality == "MG" else draw.integer(0, 1)
        names = names[start:] + names[:start]  # one side only (MG: CC + MLO of that side)
    rows = []
    for number, description in enumerate(names[:count], start=1):
        row = dict(study, SeriesInstanceUID=draw.uid(), SeriesNumber=str(number), SeriesDescription=description)
        row.update(_technical(draw, modality, vendor, description))
        rows.append(row)
    return rows


def _technical(draw: Draw, modality: str, vendor: str, description: str) -> dict:
    """Acquisition parameters of one series, fitting the modality and the vendor."""
    empty = {"SliceThickness": "", "KVP": "", "XRayTubeCurrent": "", "Exposure": "", "ExposureTime": "",
             "ConvolutionKernel": "", "PixelSpacing": "", "Rows": "", "Columns": ""}
    if modality == "CT":
        slices = CT_SLICES.get(vendor, SLICES["CT"])
        thickness = "5" if description.startswith("AX 5") else slices[0] if description.startswith("AX 1") \
            else draw.choice(slices)
        current, time = draw.integer(100, 450), draw.choice([500, 600, 750, 1000])
        size, spacing = draw.choice(MATRIX["CT"])
        return dict(empty, SliceThickness=thickness, KVP=draw.pick({"120": 65, "100": 20, "140": 10, "80": 5}),
                    XRayTubeCurrent=str(current), Exposure=str(round(current * time / 1000)), ExposureTime=str(time),
                    ConvolutionKernel=draw.choice(KERNELS[vendor]), PixelSpacing=spacing, Rows=size, Columns=size)
    if modality in ("MR", "PT"):
        size, spacing = draw.choice(MATRIX[modality])
        return dict(empty, SliceThickness=draw.choice(SLICES[modality]), PixelSpacing=spacing, Rows=size, Columns=size)
    if modality == "MG":
        rows, columns, spacing = MG_DETECTOR[vendor]
        current, time = draw.integer(80, 180), draw.integer(600, 1800)
        return dict(empty, KVP=str(draw.integer(26, 34)), XRayTubeCurrent=str(current),
                    Exposure=str(round(current * time / 1000)), ExposureTime=str(time), PixelSpacing=spacing,
                    Rows=rows, Columns=columns)
    if modality == "DX":
        current, time = draw.integer(200, 500), draw.integer(5, 20)
        return dict(empty, KVP=str(draw.integer(110, 125) if description == "PA" else draw.integer(90, 109)),
                    XRayTubeCurrent=str(current), Exposure=str(max(1, round(current * time / 1000))),
                    ExposureTime=str(time), PixelSpacing="0.143\\0.143", Rows="3000", Columns="3000")
    return dict(empty, Rows="600", Columns="800")  # US: spacing lives in the ultrasound regions


def patient_rows(draw: Draw, fleet: Fleet, p: dict) -> list[dict]:
    """Every series of an ordinary patient: the first study on detection, then follow-ups."""
    rows, day = [], p["_detection"]
    for _ in range(draw.pick(STUDIES_PER_PATIENT)):
        if day > LAST_STUDY:
            break
        rows += study_rows(draw, fleet, p, day)
        day += timedelta(days=draw.integer(91, 365))
    return rows


def planted_rows(draw: Draw, fleet: Fleet, p: dict) -> list[dict]:
    """The imaging of a planted patient (see ``gen_clinical.PLANTED``)."""
    day, label = p["_detection"], p["_planted"]
    if label == "age 97":
        return study_rows(draw, fleet, p, day, modality="CT", body="CHEST")
    if label == "sex O":
        return [*study_rows(draw, fleet, p, day, modality="CT", body="CHESTABDPELVIS", vendor="GE"),
                *study_rows(draw, fleet, p, day + timedelta(days=182), modality="CT", body="CHESTABDPELVIS",
                            vendor="GE")]
    if label == "extreme size":
        return study_rows(draw, fleet, p, day, modality="MR", body="PROSTATE")
    if label == "rare vendor":
        return study_rows(draw, fleet, p, day, modality="MR", body="PROSTATE", vendor="United Imaging",
                          scanner=("UIH", "uMR 780"))
    if label == "0.35 T MR":
        return study_rows(draw, fleet, p, day, modality="MR", body="PROSTATE", vendor="Siemens",
                          scanner=("SIEMENS", "MAGNETOM C!"), field="0.35")
    if label == "field strength in gauss":
        return study_rows(draw, fleet, p, day, modality="MR", body="BREAST", vendor="GE",
                          scanner=("GE MEDICAL SYSTEMS", "Signa HDxt"), field="15000")
    return []  # the rare nationality is not in the imaging metadata


def make_rows(patients: list[dict]) -> list[dict]:
    draw, fleet = Draw(SEED), Fleet(Draw(SEED + 1))
    names: set = set()
    for p in patients:  # PatientName is pseudonymised apart from PatientID
        p["_name"] = draw.pseudonym(names) + "^Anonymous"
    rows = [row for p in patients if p["_planted"] for row in planted_rows(draw, fleet, p)]
    n_planted = len(rows)
    for p in patients:
        if len(rows) >= N_SERIES:
            break
        if not p["_planted"] and draw.random() < P_IMAGED:
            ordinary = patient_rows(draw, fleet, p)
            for row in ordinary:  # about 2 % missing per cell where the attribute applies
                for column in MAY_BE_MISSING:
                    if row[column] and draw.random() < MISSING:
                        row[column] = ""
            rows += ordinary
    del rows[N_SERIES:]  # the last study may lose its last series
    assert len(rows) == N_SERIES and n_planted < N_SERIES
    return sorted(rows, key=lambda r: (r["PatientID"], r["StudyDate"], r["StudyInstanceUID"], int(r["SeriesNumber"])))


def site_hierarchy() -> list[list[str]]:
    """InstitutionName (hashed site id) → country → UN M49 sub-region → ``*``; empty → Unknown."""
    return [[site, country, region, "*"] for site, (country, region, _) in SITES.items()]


PROJECT = """\
# Synthetic EUCAIM imaging metadata, one row per series (examples/generate.py; see examples/README.md).
# Release for the federated search: its facets (sex, age, study date, modality, body part,
# manufacturer) are the quasi-identifiers; k counts rows, i.e. series, not patients.
data: imaging_metadata.csv
attributes:
  # direct identifiers (DICOM PS3.15 Annex E): removed from the output
  PatientID: {role: identifier}
  PatientName: {role: identifier}
  StudyInstanceUID: {role: identifier}
  SeriesInstanceUID: {role: identifier}
  AccessionNumber: {role: identifier}
  # quasi-identifiers, with the presets of the hierarchy library
  PatientSex: {role: quasi-identifier, hierarchy: preset:sex}
  PatientAge: {role: quasi-identifier, hierarchy: preset:age-dicom}
  StudyDate: {role: quasi-identifier, hierarchy: preset:date}
  Modality: {role: quasi-identifier, hierarchy: preset:modality}
  BodyPartExamined: {role: quasi-identifier, hierarchy: preset:body-part}
  Manufacturer: {role: quasi-identifier, hierarchy: preset:manufacturer}
  # quasi-identifiers this release does without (removed); to keep one, make it a
  # quasi-identifier, e.g. ManufacturerModelName with preset:scanner-model, InstitutionName
  # with hierarchy_InstitutionName.csv (site -> country -> region)
  ManufacturerModelName: {role: identifier}   # points to the site
  InstitutionName: {role: identifier}         # the site
  MagneticFieldStrength: {role: identifier}   # points to the scanner model
  PatientBirthDate: {role: identifier}        # PatientAge says enough
  AcquisitionDate: {role: identifier}         # the same as StudyDate
  StudyTime: {role: identifier}
  PatientWeight: {role: identifier}
  PatientSize: {role: identifier}
  # free text: protocol names only here, but they repeat the modality and the body part,
  # also of suppressed records: removed
  StudyDescription: {role: identifier}
  SeriesDescription: {role: identifier}
  # technical parameters (insensitive in the EUCAIM roles) and de-identification markers.
  # Caution: a CT kernel, a slice thickness or a mammogram's matrix can tell the vendor even
  # where Manufacturer is generalized (see docs/guide.md, "Assign roles").
  SeriesNumber: {role: insensitive}
  SliceThickness: {role: insensitive}
  KVP: {role: insensitive}
  XRayTubeCurrent: {role: insensitive}
  Exposure: {role: insensitive}
  ExposureTime: {role: insensitive}
  ConvolutionKernel: {role: insensitive}
  PixelSpacing: {role: insensitive}
  Rows: {role: insensitive}
  Columns: {role: insensitive}
  PatientIdentityRemoved: {role: insensitive}
  DeidentificationMethod: {role: insensitive}
privacy:
  - k-anonymity: {k: 10}
suppression_limit: 0.05
metric: loss
"""


def write(out: Path, patients: list[dict], *, xlsx: bool = True) -> str:
    out.mkdir(parents=True, exist_ok=True)
    records = make_rows(patients)
    rows = [COLUMNS] + [[r[c] for c in COLUMNS] for r in records]
    write_csv(out / "imaging_metadata.csv", rows)
    if xlsx:
        write_xlsx(out / "imaging_metadata.xlsx", rows, "series")
    write_csv(out / "hierarchy_InstitutionName.csv", site_hierarchy(), ";")
    (out / "project.yaml").write_text(PROJECT, encoding="utf-8", newline="\n")
    n_patients = len({r["PatientID"] for r in records})
    n_studies = len({r["StudyInstanceUID"] for r in records})
    return f"wrote {len(records)} series of {n_studies} studies of {n_patients} patients to {out}"
