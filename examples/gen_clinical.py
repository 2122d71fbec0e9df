"""The clinical example: 2,000 synthetic cancer patients, one row each (``clinical/``).

Each patient has a cancer type (breast, colorectal, prostate, lung, in their EU-27 shares), a
sex and an age at diagnosis that follow the type, a site in one EU country, a nationality
that is the site's country for about 90 %, TNM categories drawn per type and the AJCC 8th
edition stage group computed from them (prostate also from a PSA level and a Grade Group
that are drawn but not written), an ICD-10 topography and an ICD-O-3 morphology that fit
the type, a first treatment that fits type and stage, smoking, allergies, weight and
height by sex, and the dates of detection, pathology confirmation (the diagnosis) and first
treatment, in that order.  About 2 % of the cells of every column except the patient id
and the site are empty; five planted patients give risk analysis something to find.

The rows also carry what ``gen_imaging.py`` needs (birth date, site, cancer type), so that
the imaging example shows the same patients.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from gen_common import CANCERS, SITES, Draw, write_csv, write_xlsx

SEED = 20240502
N_PATIENTS = 2000
MISSING = 0.02
FIRST_DIAGNOSIS, LAST_DIAGNOSIS = date(2015, 1, 1), date(2023, 12, 31)
COLUMNS = ["patient_id", "sex", "age_at_diagnosis", "date_of_detection", "date_of_diagnosis",
           "date_of_first_treatment", "icd10", "icdo3_morphology", "tnm_t", "tnm_n", "tnm_m", "stage",
           "first_treatment", "smoking_status", "allergies", "weight_kg", "height_cm", "nationality", "site"]
NEVER_MISSING = {"patient_id", "site"}

# ICD-10 topography (subsites of the WHO classification) and ICD-O-3 morphology, per type
TOPOGRAPHY = {
    "breast": {"C50.1": 5, "C50.2": 10, "C50.3": 6, "C50.4": 40, "C50.5": 8, "C50.8": 15, "C50.9": 16},
    "colorectal": {"C18.0": 12, "C18.2": 10, "C18.4": 6, "C18.6": 4, "C18.7": 25, "C18.9": 3, "C19": 10,
                   "C20": 30},
    "prostate": {"C61": 1},
    "lung": {"C34.0": 5, "C34.1": 50, "C34.2": 5, "C34.3": 32, "C34.8": 3, "C34.9": 5},
}
MORPHOLOGY = {
    "breast": {"8500/3": 75, "8520/3": 12, "8522/3": 5, "8480/3": 2, "8211/3": 2, "8010/3": 4},
    "colorectal": {"8140/3": 85, "8480/3": 10, "8490/3": 2, "8010/3": 3},
    "prostate": {"8140/3": 95, "8500/3": 3, "8041/3": 1, "8010/3": 1},
    "lung": {"8140/3": 40, "8070/3": 25, "8041/3": 15, "8046/3": 10, "8010/3": 5, "8012/3": 3, "8250/3": 2},
}
# TNM categories (clinical, cTNM) per type: shares of T, N and M
TNM = {
    "breast": ({"T1a": 5, "T1b": 15, "T1c": 35, "T2": 30, "T3": 8, "T4a": 1, "T4b": 4, "T4d": 2},
               {"N0": 60, "N1": 25, "N2": 10, "N3": 5}, {"M0": 94, "M1": 6}),
    "colorectal": ({"T1": 8, "T2": 14, "T3": 52, "T4a": 18, "T4b": 8},
                   {"N0": 50, "N1a": 12, "N1b": 13, "N1c": 2, "N2a": 12, "N2b": 11},
                   {"M0": 80, "M1a": 12, "M1b": 6, "M1c": 2}),
    "prostate": ({"T1c": 40, "T2a": 15, "T2b": 8, "T2c": 15, "T3a": 14, "T3b": 6, "T4": 2},
                 {"N0": 88, "N1": 12}, {"M0": 91, "M1a": 1, "M1b": 7, "M1c": 1}),
    "lung": ({"T1a": 4, "T1b": 8, "T1c": 8, "T2a": 18, "T2b": 8, "T3": 22, "T4": 32},
             {"N0": 38, "N1": 12, "N2": 32, "N3": 18}, {"M0": 55, "M1a": 15, "M1b": 10, "M1c": 20}),
}
BREAST_IN_SITU = 0.05  # DCIS: ICD-10 D05.1, ICD-O-3 8500/2, Tis N0 M0, stage 0
PSA = {"<10": 55, "10-20": 25, ">=20": 20}  # ng/ml at diagnosis (prostate; not written)
GRADE_GROUP = {1: 30, 2: 30, 3: 18, 4: 10, 5: 12}  # ISUP Grade Group (prostate; not written)
SMOKING = {"lung": {"current": 40, "former": 45, "never": 15}}
SMOKING_OTHER = {"current": 22, "former": 30, "never": 48}
# allergen names as in the EUCAIM Wizard's allergy list; "none" for no known allergy
ALLERGIES = {"none": 70, "Penicillin": 7, "Amoxicillin": 2, "Iodinated contrast dye": 3, "NSAIDs": 2,
             "Aspirin": 1, "Latex": 2, "Peanut": 1, "Tree nuts": 1, "Crustacean shellfish": 1,
             "Grass pollen": 4, "Tree pollen": 2, "Dust mites": 3, "Cat dander": 1, "Bee venom": 1,
             "Nickel": 1}
# nationality of the other 10 %: EU neighbours and the largest groups of non-EU residents
OTHER_NATIONALITIES = {"DE": 12, "FR": 10, "RO": 12, "PL": 8, "PT": 6, "BE": 4, "BG": 5, "ES": 4,
                       "IT": 4, "GR": 3, "NL": 3, "MA": 10, "AL": 6, "UA": 8, "TR": 6, "GB": 6, "CO": 4,
                       "CN": 3}


def breast_stage(t: str, n: str, m: str) -> str:
    """AJCC 8th edition anatomic stage groups of breast cancer (Amin et al. 2017, ch. 48)."""
    if m == "M1":
        return "IV"
    if t == "Tis":
        return "0"
    if n == "N3":
        return "IIIC"
    if t.startswith("T4"):
        return "IIIB"
    if n == "N2" or (t == "T3" and n == "N1"):
        return "IIIA"
    if (t == "T2" and n == "N1") or (t == "T3" and n == "N0"):
        return "IIB"
    if (t.startswith("T1") and n == "N1") or (t == "T2" and n == "N0"):
        return "IIA"
    return "IA"  # T1 N0 M0


def colorectal_stage(t: str, n: str, m: str) -> str:
    """AJCC 8th edition stage groups of colon and rectum cancer (Amin et al. 2017, ch. 20)."""
    if m != "M0":
        return {"M1a": "IVA", "M1b": "IVB", "M1c": "IVC"}[m]
    if n == "N0":
        return {"T1": "I", "T2": "I", "T3": "IIA", "T4a": "IIB", "T4b": "IIC"}[t]
    if n in ("N1a", "N1b", "N1c"):
        return {"T1": "IIIA", "T2": "IIIA", "T3": "IIIB", "T4a": "IIIB", "T4b": "IIIC"}[t]
    if n == "N2a":
        return {"T1": "IIIA", "T2": "IIIB", "T3": "IIIB", "T4a": "IIIC", "T4b": "IIIC"}[t]
    return {"T1": "IIIB", "T2": "IIIB", "T3": "IIIC", "T4a": "IIIC", "T4b": "IIIC"}[t]  # N2b


def lung_stage(t: str, n: str, m: str) -> str:
    """AJCC 8th edition stage groups of lung cancer (Amin et al. 2017, ch. 36)."""
    if m != "M0":
        return "IVB" if m == "M1c" else "IVA"
    early = t.startswith(("T1", "T2"))
    if n == "N0":
        return {"T1a": "IA1", "T1b": "IA2", "T1c": "IA3", "T2a": "IB", "T2b": "IIA", "T3": "IIB", "T4": "IIIA"}[t]
    if n == "N1":
        return "IIB" if early else "IIIA"
    if n == "N2":
        return "IIIA" if early else "IIIB"
    return "IIIB" if early else "IIIC"  # N3


def prostate_stage(t: str, n: str, m: str, psa: str, grade_group: int) -> str:
    """AJCC 8th edition prognostic stage groups of prostate cancer (Amin et al. 2017, ch. 58),
    from cT, cN, cM, the PSA level and the Grade Group."""
    if m != "M0":
        return "IVB"
    if n == "N1":
        return "IVA"
    if grade_group == 5:
        return "IIIC"
    if t.startswith(("T3", "T4")):
        return "IIIB"
    if psa == ">=20":
        return "IIIA"
    if grade_group in (3, 4):
        return "IIC"
    if grade_group == 2:
        return "IIB"
    if t in ("T1c", "T2a") and psa == "<10":
        return "I"
    return "IIA"


def first_treatment(draw: Draw, cancer: str, stage: str, topography: str, morphology: str) -> str:
    """A first treatment that fits the type and the stage (broad lines of the ESMO guidelines)."""
    group = "IV" if stage.startswith("IV") else "III" if stage.startswith("III") else "early"
    if cancer == "lung" and morphology == "8041/3":  # small cell: systemic from the start
        return draw.pick({"chemotherapy": 60, "chemoradiotherapy": 40})
    options = {
        "breast": {"early": {"surgery": 85, "chemotherapy": 15},
                   "III": {"chemotherapy": 70, "surgery": 30},
                   "IV": {"hormone therapy": 40, "chemotherapy": 40, "targeted therapy": 20}},
        "colorectal": {"early": {"surgery": 1}, "III": {"surgery": 1},
                       "IV": {"chemotherapy": 70, "targeted therapy": 30}},
        "prostate": {"early": {"active surveillance": 40, "surgery": 35, "radiotherapy": 25},
                     "III": {"surgery": 45, "radiotherapy": 45, "hormone therapy": 10},
                     "IV": {"hormone therapy": 80, "chemotherapy": 20}},
        "lung": {"early": {"surgery": 80, "radiotherapy": 20},
                 "III": {"chemoradiotherapy": 70, "surgery": 15, "chemotherapy": 15},
                 "IV": {"immunotherapy": 40, "chemotherapy": 35, "targeted therapy": 25}},
    }[cancer][group]
    if cancer == "colorectal" and topography == "C20" and group != "IV" and stage not in ("I",):
        options = {"chemoradiotherapy": 70, "surgery": 30}  # rectum: neoadjuvant treatment
    if cancer == "prostate" and stage not in ("I", "IIA") and group == "early":
        options = {"surgery": 50, "radiotherapy": 50}
    return draw.pick(options)


def _iso(day: date) -> str:
    return day.isoformat()


def patient(draw: Draw, seen: set, *, cancer=None, sex=None, age=None, site=None, nationality=None,
            weight=None, height=None) -> dict:
    """One patient; keyword arguments fix a value (for the planted patients)."""
    cancer = cancer or draw.pick({c: v[0] for c, v in CANCERS.items()})
    _, median, sd, floor, p_male = CANCERS[cancer]
    drawn_sex = "M" if draw.random() < p_male else "F"
    sex = sex or drawn_sex
    site = site or draw.pick({s: share for s, (_, _, share) in SITES.items()})
    country = SITES[site][0]
    drawn_nationality = country if draw.random() < 0.9 else draw.pick(
        {c: w for c, w in OTHER_NATIONALITIES.items() if c != country})
    nationality = nationality or drawn_nationality
    diagnosis = FIRST_DIAGNOSIS + timedelta(days=draw.integer(0, (LAST_DIAGNOSIS - FIRST_DIAGNOSIS).days))
    drawn_age = min(max(draw.normal(median, sd), floor), 95.0) + draw.random()
    age = age if age is not None else drawn_age
    birth = diagnosis - timedelta(days=int(age * 365.25))
    detection = diagnosis - timedelta(days=draw.integer(3, 40))
    treatment_day = diagnosis + timedelta(days=draw.integer(7, 60))

    t_shares, n_shares, m_shares = TNM[cancer]
    topography, morphology = draw.pick(TOPOGRAPHY[cancer]), draw.pick(MORPHOLOGY[cancer])
    t, n, m = draw.pick(t_shares), draw.pick(n_shares), draw.pick(m_shares)
    if cancer == "breast":
        if draw.random() < BREAST_IN_SITU:
            topography, morphology, t, n, m = "D05.1", "8500/2", "Tis", "N0", "M0"
        stage = breast_stage(t, n, m)
    elif cancer == "colorectal":
        stage = colorectal_stage(t, n, m)
    elif cancer == "lung":
        stage = lung_stage(t, n, m)
    else:
        stage = prostate_stage(t, n, m, draw.pick(PSA), draw.pick(GRADE_GROUP))
    treatment = first_treatment(draw, cancer, stage, topography, morphology)

    mean_weight, sd_weight, mean_height, sd_height = (82, 14, 176, 7) if sex == "M" else (68, 13, 163, 7)
    drawn_weight = min(max(draw.normal(mean_weight, sd_weight), 38.0), 160.0)
    drawn_height = min(max(draw.normal(mean_height, sd_height), 140.0), 200.0)
    weight = weight if weight is not None else drawn_weight
    height = height if height is not None else drawn_height
    # one decimal, rounded down: 61.97 years is "61.9", never the birthday not yet reached
    exact_age = (diagnosis - birth).days / 365.25
    return {
        "patient_id": draw.pseudonym(seen), "sex": sex, "age_at_diagnosis": f"{int(exact_age * 10) / 10:.1f}",
        "date_of_detection": _iso(detection), "date_of_diagnosis": _iso(diagnosis),
        "date_of_first_treatment": _iso(treatment_day), "icd10": topography, "icdo3_morphology": morphology,
        "tnm_t": "c" + t, "tnm_n": "c" + n, "tnm_m": "c" + m, "stage": stage, "first_treatment": treatment,
        "smoking_status": draw.pick(SMOKING.get(cancer, SMOKING_OTHER)), "allergies": draw.pick(ALLERGIES),
        "weight_kg": f"{weight:.1f}", "height_cm": f"{height:.0f}", "nationality": nationality, "site": site,
        # for gen_imaging.py, never written
        "_cancer": cancer, "_birth": birth, "_detection": detection, "_sex": sex, "_weight": weight,
        "_height": height, "_planted": "",
    }


#: planted patients (see README): what is fixed, and the imaging outlier they carry
PLANTED = [
    ("age 97", dict(cancer="lung", sex="F", age=97.35, site="SITE-3F9A21", nationality="ES")),
    ("sex O", dict(cancer="colorectal", sex="O", age=58.2, site="SITE-8C04D7", nationality="IT")),
    ("rare nationality", dict(cancer="breast", sex="F", age=49.6, site="SITE-E27730", nationality="IS")),
    ("extreme size", dict(cancer="prostate", sex="M", age=66.1, site="SITE-E27730", nationality="NL",
                          weight=183.5, height=201.0)),
    ("rare vendor", dict(cancer="prostate", sex="M", age=71.4, site="SITE-B51E6C", nationality="GR")),
    ("0.35 T MR", dict(cancer="prostate", sex="M", age=63.8, site="SITE-8C04D7", nationality="IT")),
    ("field strength in gauss", dict(cancer="breast", sex="F", age=55.3, site="SITE-E27730", nationality="NL")),
]


def make_patients() -> list[dict]:
    """All patients, sorted by pseudonym; planted ones carry their label in ``_planted``."""
    draw, seen = Draw(SEED), set()
    patients = []
    for label, fixed in PLANTED:
        planted = patient(draw, seen, **fixed)
        planted["_planted"] = label
        patients.append(planted)
    while len(patients) < N_PATIENTS:
        patients.append(patient(draw, seen))
    for row in patients:  # about 2 % missing per column (planted patients stay complete)
        if row["_planted"]:
            continue
        for column in COLUMNS:
            if column not in NEVER_MISSING and draw.random() < MISSING:
                row[column] = ""
    return sorted(patients, key=lambda p: p["patient_id"])


def site_hierarchy() -> list[list[str]]:
    """site → country → UN M49 sub-region → ``*`` (no site is ever missing)."""
    return [[site, country, region, "*"] for site, (country, region, _) in SITES.items()]


PROJECT = """\
# Synthetic clinical data of 2,000 cancer patients (examples/generate.py; see examples/README.md).
# Release for research on stage and treatment: the diagnosis stays exact, and diverse in
# every group of patients that look alike.
data: clinical.csv
attributes:
  patient_id: {role: identifier}              # pseudonym: removed
  # what an attacker may know from elsewhere (a registry, a neighbour, the news)
  sex: {role: quasi-identifier, hierarchy: preset:sex}
  age_at_diagnosis: {role: quasi-identifier, hierarchy: preset:age}
  date_of_diagnosis: {role: quasi-identifier, hierarchy: preset:date, min_level: 1}  # never the day (EUCAIM: year and month)
  nationality: {role: quasi-identifier, hierarchy: preset:country-eu}
  site: {role: quasi-identifier, hierarchy: hierarchy_site.csv}   # site -> country -> region
  # quasi-identifiers this release does without (removed); to keep one, make it a
  # quasi-identifier with its preset (weight, height-cm, date, smoking, allergies)
  weight_kg: {role: identifier}
  height_cm: {role: identifier}
  date_of_detection: {role: identifier}       # would pin the diagnosis date down again
  date_of_first_treatment: {role: identifier}
  smoking_status: {role: identifier}
  allergies: {role: identifier}
  # health data to protect: kept exact
  icd10: {role: sensitive}
  icdo3_morphology: {role: sensitive}
  tnm_t: {role: sensitive}
  tnm_n: {role: sensitive}
  tnm_m: {role: sensitive}
  stage: {role: sensitive}
  first_treatment: {role: sensitive}
privacy:
  - k-anonymity: {k: 10}
  - distinct-l-diversity: {attribute: icd10, l: 2}
suppression_limit: 0.05
metric: loss
"""


def write(out: Path, patients: list[dict], *, xlsx: bool = True) -> str:
    out.mkdir(parents=True, exist_ok=True)
    rows = [COLUMNS] + [[p[c] for c in COLUMNS] for p in patients]
    write_csv(out / "clinical.csv", rows)
    if xlsx:
        write_xlsx(out / "clinical.xlsx", rows, "clinical")
    write_csv(out / "hierarchy_site.csv", site_hierarchy(), ";")
    (out / "project.yaml").write_text(PROJECT, encoding="utf-8", newline="\n")
    return f"wrote {len(patients)} patients to {out}"
