"""Step 4, Privacy: the privacy models (every model of the library, with their parameters),
the suppression limit, the information-loss metric and the population."""

from __future__ import annotations

from typing import Any

import streamlit as st

from ...metrics.base import METRICS
from ...privacy import MODELS
from ...risk.regions import DEFAULT_REGION, REGIONS
from ..privacy_view import MODEL_HELP, Parameter, check_models, default_model, describe, parameters
from ..session import Session
from . import has_table

_METRIC_HELP = {
    "loss": "ARX's default: how much of each value's precision is lost, averaged over the attributes",
    "precision": "the share of the hierarchy's height each value climbs (Sweeney's Prec)",
    "height": "the sum of the generalization levels",
    "discernibility": "the sum of the squared class sizes (suppressed records count the whole table)",
    "aecs": "the average size of the equivalence classes",
    "entropy": "the information lost, in bits (non-uniform entropy)",
}


def render(session: Session) -> None:
    if not has_table(session, "4. Privacy"):
        return
    st.write("Every model listed must hold in the release. k-anonymity is the basis; add l-diversity or "
             "t-closeness to protect a sensitive attribute.")
    sensitive = [n for n, e in session.attributes.items() if e.get("role") == "sensitive"]
    for position, entry in enumerate(list(session.privacy)):
        _model(session, position, entry, sensitive)
    _add(session, sensitive)
    problem = check_models(session.privacy)
    if problem:
        st.error(problem)
    elif not session.privacy:
        st.warning("No privacy model yet: add one (k-anonymity with k=10 is the usual start).")
    st.subheader("Limits and metric")
    _limits(session)


def _model(session: Session, position: int, entry: dict[str, Any], sensitive: list[str]) -> None:
    (key, params), = entry.items()
    with st.container(border=True):
        top, remove = st.columns([6, 1])
        top.markdown(f"**{describe(entry)}**")
        top.caption(MODEL_HELP.get(key, ""))
        if remove.button("Remove", key=f"remove-{position}-{key}"):
            session.privacy.pop(position)
            st.rerun()
        fields = parameters(key)
        columns = st.columns(max(1, len(fields)))
        new = dict(params or {})
        for column, parameter in zip(columns, fields):
            with column:
                value = _field(parameter, new.get(parameter.name), sensitive, f"{position}-{key}-{parameter.name}")
            if value is None:
                new.pop(parameter.name, None)
            else:
                new[parameter.name] = value
        if new != (params or {}):
            session.privacy[position] = {key: new}
            st.rerun()


def _field(p: Parameter, value: Any, sensitive: list[str], key: str) -> Any:
    label, help_text = p.name, p.help or None
    if p.kind == "attribute":
        if not sensitive:
            st.warning("needs a sensitive attribute: give a column that role in step 2")
            return value
        return st.selectbox(label, sensitive, index=sensitive.index(value) if value in sensitive else 0,
                            key=key, help=help_text)
    if p.kind == "choice":
        current = value if value in p.choices else p.default
        return st.selectbox(label, p.choices, index=p.choices.index(current), key=key, help=help_text)
    if p.kind == "population":
        names = list(REGIONS)
        current = str(value) if str(value) in names else DEFAULT_REGION
        return st.selectbox(label, names, index=names.index(current), key=key, help=help_text)
    if p.kind == "int":
        return int(st.number_input(label, min_value=int(p.minimum or 0), value=int(value or p.default or 1),
                                   step=1, key=key, help=help_text))
    optional = p.kind == "optional-float"
    if optional and not st.checkbox(f"limit {label}", value=value is not None, key=f"{key}-on", help=help_text):
        return None
    low = float(p.minimum) if p.minimum is not None else 0.0
    high = float(p.maximum) if p.maximum is not None else None
    start = float(value if value is not None else (p.default if p.default is not None else max(low, 0.05)))
    return float(st.number_input(label, min_value=low, max_value=high, value=start, step=0.01, format="%.3f",
                                 key=key, help=help_text))


def _add(session: Session, sensitive: list[str]) -> None:
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    key = left.selectbox("Add a privacy model", list(MODELS), key="add-model",
                         help="\n\n".join(f"**{k}**: {text}" for k, text in MODEL_HELP.items()))
    if right.button("Add", key="add-model-button", width="stretch"):
        session.privacy.append(default_model(key, sensitive))
        st.rerun()


def _limits(session: Session) -> None:
    left, middle, right = st.columns(3)
    limit = left.slider("Suppression limit (share of records that may be removed)", 0.0, 1.0,
                        float(session.suppression_limit), 0.01, key="suppression",
                        help="Records in groups too small for the models are suppressed (written as *) "
                             "instead of generalizing every record further. ARX's default is 0; 5 % is usual.")
    name = session.metric if isinstance(session.metric, str) else next(iter(session.metric))
    params = {} if isinstance(session.metric, str) else dict(next(iter(session.metric.values())) or {})
    chosen = middle.selectbox("Information-loss metric", METRICS, index=METRICS.index(name), key="metric",
                              help="\n\n".join(f"**{m}**: {text}" for m, text in _METRIC_HELP.items()))
    middle.caption(_METRIC_HELP[chosen])
    gs = right.slider("Suppression against generalization (gs-factor)", 0.0, 1.0,
                      float(params.get("gs_factor", 0.5)), 0.05, key="gs-factor",
                      help="0.5 weighs both alike (ARX's default); towards 0 suppressing costs less, "
                           "towards 1 generalizing costs less.")
    metric: Any = chosen if gs == 0.5 and not {k for k in params if k != "gs_factor"} else {
        chosen: {**{k: v for k, v in params.items() if k != "gs_factor"}, **({"gs_factor": gs} if gs != 0.5 else {})}}
    regions = list(REGIONS)
    population = st.selectbox("Population the table is a sample of (for the risk estimates and k-map)", regions,
                              index=regions.index(session.population) if session.population in regions else
                              regions.index(DEFAULT_REGION), key="population",
                              format_func=lambda r: f"{r}: {REGIONS[r].name} ({REGIONS[r].population:,} people)")
    if (limit, metric, population) != (session.suppression_limit, session.metric, session.population):
        session.suppression_limit, session.metric, session.population = limit, metric, population
        st.rerun()
