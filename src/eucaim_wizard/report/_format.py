"""How the report writes numbers (shared by the PDF and the tests that read it back)."""

from __future__ import annotations

DASH = "–"


def count(value: int | None) -> str:
    """``3,000``; a dash for a missing value."""
    return DASH if value is None else f"{int(value):,}"


def decimal(value: float | None, digits: int = 4) -> str:
    """``0.1000``: a risk, a loss or a quality score with ``digits`` decimals, or more when
    that would round a value below 1 up to 1 (``0.99997``), as the risk module writes them."""
    from ..risk.words import decimal as risk_decimal

    return DASH if value is None else risk_decimal(value, digits)


def share(value: float | None) -> str:
    """``3.90 %``: a share of records as a percentage with two decimals."""
    return DASH if value is None else f"{100 * value:.2f} %"


def small_share(value: float | None) -> str:
    """A share that may be tiny (a sampling fraction): ``0.00067 %`` (the risk module's way)."""
    from ..risk.words import percent

    return DASH if value is None else percent(value)


def precise_share(value: float | None) -> str:
    """A share with four significant digits, ``3.890 %`` (population uniqueness, as the risk
    module writes it)."""
    from ..risk.words import precise_percent

    return DASH if value is None else precise_percent(value)


def general(value: float | int | None) -> str:
    """A value of any size: integers with separators, others with 6 significant digits."""
    if value is None:
        return DASH
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.6g}"


def levels(levels: dict[str, int]) -> str:
    """``PatientSex=0, PatientAge=4``."""
    return ", ".join(f"{name}={level}" for name, level in levels.items())


def parameters(params: dict) -> str:
    """``k=10`` / ``attribute=icd10, l=2``."""
    return ", ".join(f"{k}={v}" for k, v in params.items())


def value(text: str) -> str:
    """A data value as shown: the empty value named as such."""
    return "(empty)" if text == "" else text


FORMATS = {"count": count, "risk": decimal, "share": share, "size": lambda v: decimal(v, 2)}


def figure(value: float | int | None, kind: str) -> str:
    """A risk figure by its kind (``count``, ``risk``, ``share`` or ``size``)."""
    return FORMATS[kind](value)
