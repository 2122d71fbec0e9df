"""Shared parts of the example generators: seeded draws, EUCAIM facts, reproducible files.

Every figure comes from ``/work/shared/domain/EUCAIM.md`` ("Realistic synthetic data");
``examples/README.md`` lists them with the sources.  Only the standard library, numpy and
openpyxl (for the ``.xlsx`` copies) are used; nothing touches the network.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np


class Draw:
    """Seeded draws.  Everything goes through ``Generator.random()`` and ``Generator.bytes()``
    of PCG64, whose streams numpy keeps stable across versions; normal variates come from a
    Box-Muller step here, not from numpy's sampler (whose algorithm may change)."""

    def __init__(self, seed: int):
        self.rng = np.random.Generator(np.random.PCG64(seed))

    def random(self) -> float:
        return self.rng.random()

    def pick(self, weights: dict):
        """One key of ``weights`` with probability proportional to its value."""
        keys = list(weights)
        cumulative = np.cumsum([float(weights[k]) for k in keys])
        return keys[min(int(np.searchsorted(cumulative, self.rng.random() * cumulative[-1], side="right")),
                        len(keys) - 1)]

    def choice(self, options: list):
        return options[int(self.rng.random() * len(options))]

    def integer(self, low: int, high: int) -> int:
        """A whole number from ``low`` to ``high``, both included."""
        return low + int(self.rng.random() * (high - low + 1))

    def normal(self, mean: float, sd: float) -> float:
        u1, u2 = 1.0 - self.rng.random(), self.rng.random()
        return mean + sd * math.sqrt(-2.0 * math.log(u1)) * math.cos(2.0 * math.pi * u2)

    def hex(self, n_bytes: int) -> str:
        return self.rng.bytes(n_bytes).hex()

    def uid(self) -> str:
        """A UID under the ``2.25.`` root (a UUID as a decimal number), as the EUCAIM profile writes."""
        return "2.25." + str(int.from_bytes(self.rng.bytes(16), "big") >> 1)

    def pseudonym(self, seen: set, prefix: str = "EUCAIM-") -> str:
        while (value := prefix + self.hex(8)) in seen:
            pass
        seen.add(value)
        return value


# -- the four cancer types (EU-27 2020) ------------------------------------------------------
# share of new cancers, age at diagnosis (median, sd, floor), P(male)
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

# -- sites: one country each; a hashed site id as the EUCAIM profile writes InstitutionName --
# site id -> (ISO 3166 country, UN M49 sub-region, share of the patients)
SITES = {
    "SITE-3F9A21": ("ES", "Southern Europe", 35),
    "SITE-8C04D7": ("IT", "Southern Europe", 25),
    "SITE-B51E6C": ("GR", "Southern Europe", 20),
    "SITE-E27730": ("NL", "Western Europe", 20),
}


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator="\n").writerows(rows)


def write_xlsx(path: Path, rows: list[list[str]], sheet: str) -> None:
    """``rows`` (header first) as one sheet of text cells, byte-identical on every run (the
    package's XLSX writer stamps no clock time)."""
    from eucaim_wizard.tables import Table, TableFormat, write_table

    header, body = rows[0], rows[1:]
    table = Table.from_columns({name: [row[i] for row in body] for i, name in enumerate(header)})
    write_table(table, path, TableFormat("xlsx", sheet=sheet))
