"""The Privacy page's forms, built from the library's model classes (without Streamlit): every
model of :data:`eucaim_wizard.privacy.MODELS`, its parameters with their bounds, plain-language
help and sensible defaults."""

from __future__ import annotations

import typing
from dataclasses import dataclass
from typing import Any

from ..privacy import MODELS

#: what each model guarantees, in plain words (the formulas are in the models' docstrings)
MODEL_HELP = {
    "k-anonymity": "Every record shares its quasi-identifiers with at least k−1 others, so no one can be "
                   "singled out by them (Sweeney 2002). The basis of every release.",
    "distinct-l-diversity": "Every group of look-alike records holds at least l different values of the "
                            "sensitive attribute, so knowing someone's group does not reveal it.",
    "entropy-l-diversity": "Like distinct l-diversity, but the values must also be evenly spread: the "
                           "entropy of each group's values is at least log(l) (Machanavajjhala et al. 2007).",
    "recursive-cl-diversity": "The most frequent sensitive value of a group must not dominate: it occurs "
                              "less than c times the count of the less frequent ones.",
    "t-closeness": "Each group's distribution of the sensitive attribute is close (earth mover's distance "
                   "≤ t) to the whole table's, so a group tells little more than the table (Li et al. 2007).",
    "delta-disclosure": "No sensitive value is much more or much less frequent in a group than in the table "
                        "(|log2 ratio| < δ; Brickell & Shmatikov 2008).",
    "beta-likeness": "No sensitive value gains more than β in relative frequency within a group (Cao & "
                     "Karras 2012).",
    "average-risk": "The average re-identification risk (1 / average group size) stays at or below a "
                    "threshold; optionally also the highest risk and the share of records at risk.",
    "sample-uniqueness": "At most this share of the released records is unique on its quasi-identifiers.",
    "k-map": "Each group matches at least k people of the population the table is drawn from (estimated "
             "from the population's size), not only k records of the table.",
}

#: starting values a curator rarely needs to change
DEFAULTS: dict[str, Any] = {"k": 10, "l": 2, "c": 3.0, "t": 0.2, "delta": 1.0, "beta": 1.0, "threshold": 0.05,
                            "population": "EU-27"}


@dataclass(frozen=True)
class Parameter:
    """One parameter of a model, for a form field."""

    name: str
    kind: str  # "int", "float", "choice", "attribute", "population", "optional-float"
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()


def parameters(key: str) -> list[Parameter]:
    """The form fields of model ``key``, from its pydantic fields."""
    out = []
    for name, info in MODELS[key].model_fields.items():
        minimum = maximum = None
        for bound in info.metadata:
            minimum = getattr(bound, "ge", getattr(bound, "gt", minimum))
            maximum = getattr(bound, "le", getattr(bound, "lt", maximum))
        annotation = info.annotation
        default = None if info.is_required() else info.default
        if name == "attribute":
            kind, choices = "attribute", ()
        elif typing.get_origin(annotation) is typing.Literal:
            kind, choices = "choice", tuple(typing.get_args(annotation))
        elif name == "population":
            kind, choices = "population", ()
        elif annotation is int:
            kind, choices = "int", ()
        elif annotation is float:
            kind, choices = "float", ()
        else:
            kind, choices = "optional-float", ()
        if default is None and name in DEFAULTS:
            default = DEFAULTS[name]
        out.append(Parameter(name, kind, default, info.description or "", minimum, maximum, choices))
    return out


def needs_sensitive(key: str) -> bool:
    """Whether model ``key`` protects a sensitive attribute."""
    return "attribute" in MODELS[key].model_fields


def default_model(key: str, sensitive: list[str]) -> dict[str, Any]:
    """A new entry of ``privacy:`` with sensible defaults (the first sensitive attribute)."""
    params: dict[str, Any] = {}
    for p in parameters(key):
        if p.kind == "attribute":
            if sensitive:
                params["attribute"] = sensitive[0]
        elif p.default is not None:
            params[p.name] = p.default
    return {key: params}


def describe(entry: dict[str, Any]) -> str:
    """``k-anonymity (k=10)``."""
    (key, params), = entry.items()
    inside = ", ".join(f"{k}={v}" for k, v in (params or {}).items())
    return f"{key} ({inside})" if inside else key


def check_models(entries: list[dict[str, Any]]) -> str | None:
    """The library's message when the models cannot be built (None: they can)."""
    from ..privacy import parse_privacy_models

    try:
        parse_privacy_models([dict(e) for e in entries])
    except ValueError as error:
        return str(error)
    return None
