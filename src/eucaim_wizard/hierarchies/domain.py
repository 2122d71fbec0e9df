"""Builders for EUCAIM fields: :func:`field_strength` (MagneticFieldStrength) and
:func:`icdo3_morphology` (ICD-O-3 morphology codes)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from decimal import Decimal

from ._built import BuildResult, _assemble
from .numeric import _NUMBER, _decimal, _text, parse_number


# --- domain builders ----------------------------------------------------------------------------
_NOMINAL_TESLA = (0.2, 0.23, 0.25, 0.3, 0.35, 0.4, 0.5, 0.55, 0.6, 0.7, 1.0, 1.2, 1.5, 2.0, 3.0, 4.0,
                  4.7, 7.0, 9.4, 10.5, 11.7)


def field_strength(values: Iterable[str], *, edges: Sequence[float] = (1, 2, 4), tolerance: float = 0.05,
                   root: str = "*", name: str | None = None, source: str = "builder:field-strength") -> BuildResult:
    """MagneticFieldStrength → nominal field (``1.5T``) → band (``1-2T``) → root.

    Values are tesla (DICOM (0018,0087) is in T; Siemens writes the measured ``1.494`` or
    ``2.89362``); a number above 100, or a unit ``G``/``gauss``, is gauss (``15000`` → 1.5 T),
    ``mT`` millitesla.  The nominal field is the nearest usual one (0.2 … 11.7 T) within
    ``tolerance`` (5 %), else the value rounded to 0.1 T.  Zero, negative values and more than
    20 T are unknown.

    Examples
    --------
    >>> [list(r) for r in field_strength(["1.494", "3", "15000"]).hierarchy.table]
    [['1.494', '1.5T', '1-2T', '*'], ['3', '3T', '2-4T', '*'], ['15000', '1.5T', '1-2T', '*']]
    """
    units = {"": 1, "t": 1, "tesla": 1, "g": Decimal("0.0001"), "gauss": Decimal("0.0001"), "mt": Decimal("0.001")}
    cuts = sorted(_decimal(e) for e in edges)
    band_names = ([f"<{_text(cuts[0])}T"] + [f"{_text(a)}-{_text(b)}T" for a, b in zip(cuts, cuts[1:])]
                  + [f"≥{_text(cuts[-1])}T"])

    def chain_of(value: str) -> list[str] | None:
        match = _NUMBER.match(value)
        tesla = parse_number(value, units)
        if tesla is None or match is None:
            return None
        if not match.group(2) and tesla > 100:
            tesla = tesla / 10000
        if not 0 < tesla <= 20:
            return None
        nearest = min(_NOMINAL_TESLA, key=lambda t: abs(float(tesla) - t))
        nominal = (_decimal(nearest) if abs(float(tesla) - nearest) <= tolerance * nearest
                   else tesla.quantize(Decimal("0.1")))
        if nominal <= 0:
            return None
        position = sum(1 for c in cuts if nominal >= c)
        return [f"{_text(nominal)}T", band_names[position]]

    return _assemble(values, chain_of, 2, root=root, name=name, source=source)


# ICD-O-3 morphology groups (first three digits of the type), per the ICD-O-3 morphology list.
_ICDO3_GROUPS = [
    (800, 800, "Neoplasms, NOS"), (801, 804, "Epithelial neoplasms, NOS"),
    (805, 808, "Squamous cell neoplasms"), (809, 811, "Basal cell neoplasms"),
    (812, 813, "Transitional cell papillomas and carcinomas"), (814, 838, "Adenomas and adenocarcinomas"),
    (839, 842, "Adnexal and skin appendage neoplasms"), (843, 843, "Mucoepidermoid neoplasms"),
    (844, 849, "Cystic, mucinous and serous neoplasms"), (850, 854, "Ductal and lobular neoplasms"),
    (855, 855, "Acinar cell neoplasms"), (856, 857, "Complex epithelial neoplasms"),
    (858, 858, "Thymic epithelial neoplasms"), (859, 867, "Specialized gonadal neoplasms"),
    (868, 871, "Paragangliomas and glomus tumors"), (872, 879, "Nevi and melanomas"),
    (880, 880, "Soft tissue tumors and sarcomas, NOS"), (881, 883, "Fibromatous neoplasms"),
    (884, 884, "Myxomatous neoplasms"), (885, 888, "Lipomatous neoplasms"),
    (889, 892, "Myomatous neoplasms"), (893, 899, "Complex mixed and stromal neoplasms"),
    (900, 903, "Fibroepithelial neoplasms"), (904, 904, "Synovial-like neoplasms"),
    (905, 905, "Mesothelial neoplasms"), (906, 909, "Germ cell neoplasms"),
    (910, 910, "Trophoblastic neoplasms"), (911, 911, "Mesonephromas"),
    (912, 916, "Blood vessel tumors"), (917, 917, "Lymphatic vessel tumors"),
    (918, 924, "Osseous and chondromatous neoplasms"), (925, 925, "Giant cell tumors"),
    (926, 926, "Miscellaneous bone tumors"), (927, 934, "Odontogenic tumors"),
    (935, 937, "Miscellaneous tumors"), (938, 948, "Gliomas"),
    (949, 952, "Neuroepitheliomatous neoplasms"), (953, 953, "Meningiomas"),
    (954, 957, "Nerve sheath tumors"), (958, 958, "Granular cell tumors and alveolar soft part sarcomas"),
    (959, 972, "Hodgkin and non-Hodgkin lymphomas"), (973, 973, "Plasma cell tumors"),
    (974, 974, "Mast cell tumors"), (975, 975, "Neoplasms of histiocytes and accessory lymphoid cells"),
    (976, 976, "Immunoproliferative diseases"), (980, 994, "Leukemias"),
    (995, 996, "Chronic myeloproliferative disorders"), (997, 997, "Other hematologic disorders"),
    (998, 999, "Myelodysplastic syndromes"),
]
_ICDO3 = re.compile(r"^\s*(?:M-?)?([89]\d{3})\s*(?:/\s*([012369]))?\s*$", re.IGNORECASE)


def icdo3_group(type_code: int) -> str | None:
    """The morphology group label of a 4-digit ICD-O-3 type (``8140`` → ``814-838 Adenomas and
    adenocarcinomas``), or None outside the groups."""
    head = type_code // 10
    for first, last, title in _ICDO3_GROUPS:
        if first <= head <= last:
            return f"{first}-{last} {title}" if first != last else f"{first} {title}"
    return None


def icdo3_morphology(values: Iterable[str], *, root: str = "*", name: str | None = None,
                     source: str = "builder:icdo3-morphology") -> BuildResult:
    """ICD-O-3 morphology ``8140/3`` → type ``8140`` → group ``814-838 Adenomas and
    adenocarcinomas`` → root [4]_.

    Reads ``tttt/b`` (behaviour 0, 1, 2, 3, 6 or 9), ``tttt``, and a leading ``M-``.  The
    behaviour is dropped at level 1: it cannot sit above the groups, because one group holds
    codes of every behaviour (a hierarchy type → group → behaviour would not be a tree).

    Examples
    --------
    >>> [list(r) for r in icdo3_morphology(["8500/3"]).hierarchy.table]
    [['8500/3', '8500', '850-854 Ductal and lobular neoplasms', '*']]
    """
    def chain_of(value: str) -> list[str] | None:
        match = _ICDO3.match(value)
        if not match:
            return None
        group = icdo3_group(int(match.group(1)))
        return None if group is None else [match.group(1), group]

    return _assemble(values, chain_of, 2, root=root, name=name, source=source)
