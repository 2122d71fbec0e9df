"""Hierarchy builders: make a generalization hierarchy from the values of a column.

Every builder takes the distinct values of a column and returns a :class:`BuildResult`
whose :class:`~eucaim_wizard.hierarchies.hierarchy.Hierarchy` has one row per value, the same number of
levels for every row, a single root and a tree shape (each label has one parent [1]_):

* a value the builder cannot read (``abc`` for a number, ``20231345`` for a date) goes to an
  ``Unknown`` branch, and the result lists it in :attr:`BuildResult.unknown`;
* an empty value (``""`` or only spaces) goes to a ``Missing`` branch of its own.

Builders (name in a project file → function):

* ``masking`` → :func:`masking`: ``37933 → 3793* → 379** → *`` (ARX's redaction builder [2]_);
* ``intervals`` → :func:`intervals`: numbers (decimals, units such as ``77.4 kg``) into bands of
  fixed widths or explicit edges, with top and bottom coding (``90+``, ``<40``);
* ``dates`` → :func:`dates`: DICOM DA/DT, ISO dates → month, year, N-year, decade;
* ``times`` → :func:`times`: DICOM TM, ``HH:MM:SS`` → minute, hour, part of the day;
* ``dicom-age`` → :func:`dicom_age`: DICOM AS (``045Y``, ``006M``, ``010W``, ``003D``) → whole
  years → the bands of :func:`intervals`;
* ``ordered`` → :func:`ordered`: merge adjacent values of an ordinal scale;
* ``mapping`` → :func:`mapping`: explicit tables value → group, one per level;
* ``field-strength`` → :func:`field_strength`: MagneticFieldStrength (tesla, Siemens-style
  ``1.494``, gauss) → nominal field → band;
* ``icdo3-morphology`` → :func:`icdo3_morphology`: ``8140/3 → 8140 → 814-838 … → *``.

:class:`BuilderSpec` is a builder with its options, as written in a project file
(``hierarchy: {builder: intervals, widths: [5, 10, 20], top: 90}``).

References
----------
.. [1] P. Samarati, "Protecting respondents' identities in microdata release", *IEEE TKDE*
   13(6):1010-1027, 2001 (each level of a value generalization hierarchy is a function of
   the level below).
.. [2] F. Prasser, F. Kohlmayer, "Putting Statistical Disclosure Control into Practice: The ARX
   Data Anonymization Tool", in *Medical Data Privacy Handbook*, Springer, 2015; ARX source
   ``org.deidentifier.arx.aggregates.HierarchyBuilderRedactionBased``, ``…IntervalBased``,
   ``…OrderBased``.
.. [3] DICOM PS3.5 §6.2, value representations AS, DA, DT, TM; PS3.3 C.7.1.1 (PatientAge).
.. [4] ICD-O-3, 3rd ed., WHO 2000 (morphology code ``tttt/b``; the groups of its morphology
   list, as tabulated by SEER).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping

from ..errors import HierarchyError
from ._built import MISSING, UNKNOWN, BuildResult
from .categorical import mapping, masking, ordered
from .domain import field_strength, icdo3_morphology
from .numeric import intervals, parse_number
from .temporal import dates, dicom_age, times

__all__ = ["BuildResult", "BuilderSpec", "BUILDERS", "UNKNOWN", "MISSING", "build", "masking",
           "intervals", "dates", "times", "dicom_age", "ordered", "mapping", "field_strength",
           "icdo3_morphology", "parse_number"]

# --- specs --------------------------------------------------------------------------------------
BUILDERS: dict[str, Callable[..., BuildResult]] = {
    "masking": masking, "intervals": intervals, "dates": dates, "times": times, "dicom-age": dicom_age,
    "ordered": ordered, "mapping": mapping, "field-strength": field_strength,
    "icdo3-morphology": icdo3_morphology,
}
_INTERNAL = {"values", "name", "source"}


class BuilderSpec:
    """A builder and its options, as in a project file: ``{builder: intervals, widths: [5, 10]}``.

    The options are checked when the spec is made (unknown option names, and a trial build on
    no values catches bad widths, edges or groups), so a project file fails when it is loaded.

    Examples
    --------
    >>> spec = BuilderSpec.parse({"builder": "intervals", "widths": [10], "top": 90})
    >>> [list(r) for r in spec.build(["42"]).hierarchy.table]
    [['42', '40-49', '*']]
    """

    __slots__ = ("builder", "options")

    def __init__(self, builder: str, **options):
        function = BUILDERS.get(builder)
        if function is None:
            raise HierarchyError(f"unknown builder {builder!r}; the builders are: {', '.join(BUILDERS)}.")
        accepted = [p for p in inspect.signature(function).parameters if p not in _INTERNAL]
        unknown = [key for key in options if key not in accepted]
        if unknown:
            raise HierarchyError(f"builder {builder!r} has no option {unknown[0]!r}; its options are: "
                                 f"{', '.join(accepted)}.")
        self.builder = builder
        self.options = dict(options)
        self.build([])  # the parameters' own errors now, not at the first build

    @classmethod
    def parse(cls, spec: Mapping) -> BuilderSpec:
        """A spec from a mapping with the key ``builder`` (and the builder's options)."""
        if not isinstance(spec, Mapping) or "builder" not in spec:
            raise HierarchyError("a built hierarchy is a mapping with the key `builder`, e.g. "
                                 "`{builder: intervals, widths: [5, 10, 20]}`; builders: "
                                 f"{', '.join(BUILDERS)}.")
        options = {str(k): v for k, v in spec.items() if k != "builder"}
        return cls(str(spec["builder"]), **options)

    def build(self, values: Iterable[str], *, name: str | None = None, source: str | None = None) -> BuildResult:
        """Apply the builder to the distinct ``values`` of a column."""
        try:
            return BUILDERS[self.builder](values, name=name, source=source or f"builder:{self.builder}",
                                          **self.options)
        except TypeError as error:  # e.g. a string where a list of widths was expected
            raise HierarchyError(f"builder {self.builder!r}: an option has the wrong type ({error}); see "
                                 f"the builder's documentation for the expected values.") from None
        except (ValueError, ArithmeticError) as error:
            raise HierarchyError(f"builder {self.builder!r}: an option has a wrong value ({error}).") from None

    def to_dict(self) -> dict:
        return {"builder": self.builder, **self.options}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BuilderSpec) and self.to_dict() == other.to_dict()

    def __hash__(self) -> int:
        return hash(repr(self))

    def __repr__(self) -> str:
        options = ", ".join(f"{k}={v!r}" for k, v in self.options.items())
        return f"BuilderSpec({self.builder!r}{', ' if options else ''}{options})"


def build(spec: BuilderSpec | Mapping, values: Iterable[str], *, name: str | None = None) -> BuildResult:
    """Build a hierarchy from a spec (a :class:`BuilderSpec` or a mapping with ``builder``)."""
    spec = spec if isinstance(spec, BuilderSpec) else BuilderSpec.parse(spec)
    return spec.build(values, name=name)
