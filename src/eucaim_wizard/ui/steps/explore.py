"""Step 6, Explore: ARX's "Explore results" — the candidates as a scatter of information loss
against risk and as a lattice by height, colour-coded; filters; a click (or the list) selects
the candidate to release; its per-attribute quality, equivalence classes and output rows by class."""

from __future__ import annotations

import streamlit as st

from ...explore import NotAnonymousError, candidate, choose
from ..explore_view import (CHARTED, candidates_frame, chart_spec, class_colours, data_by_class,
                            equivalence_classes, filtered, labels, per_attribute_loss, with_marks)
from ..session import EVERYTHING_UP_TO, Session

#: rows of the candidates' table (the charts show them all)
LISTED_ROWS = 2_000



def render(session: Session) -> None:
    st.header("6. Explore")
    if not session.has_result():
        st.info("Run the search first (step 5, Run).")
        return
    result = session.result()
    candidates = session.candidates()
    optimum = dict(result.optimum.levels) if result.optimum is not None else None
    levels = session.chosen_levels()
    frame = with_marks(session.cached("candidates frame", lambda: candidates_frame(candidates)), optimum,
                       levels if levels != optimum else None)
    listed = "every transformation" if result.lattice_size <= EVERYTHING_UP_TO else (
        f"the {len(candidates):,} the search checked and those nearest the optimum "
        f"(of {result.lattice_size:,}; evaluate any other below)")
    st.write(f"{len(candidates):,} candidates: {listed}. Click a point to select it for release; the "
             f"optimum is the search's answer, any anonymous candidate may be released instead.")
    shown = _filters(result, frame)
    left, right = st.columns(2)
    with left:
        _pick_from(session, result, shown, "scatter")
    with right:
        _pick_from(session, result, shown, "lattice")
    _listing(session, result, shown)
    _on_demand(session, result)
    if levels is not None:
        _selected(session, result, levels, optimum)


def _filters(result, frame):
    with st.expander("Filters", expanded=True):
        a, b, c = st.columns(3)
        anonymous = a.checkbox("Anonymous only", value=False, key="f-anonymous")
        top_loss = float(frame["loss"].max()) if len(frame) else 1.0
        max_loss = b.slider("Max information loss", 0.0, max(top_loss, 1e-9), max(top_loss, 1e-9), key="f-loss")
        max_risk = c.slider("Max highest risk (prosecutor)", 0.0, 1.0, 1.0, 0.01, key="f-risk")
        columns = st.columns(max(1, len(result.quasi_identifiers)))
        allowed = {}
        for column, name in zip(columns, result.quasi_identifiers):
            low, high = int(frame[name].min()), int(frame[name].max())
            if low == high:
                column.caption(f"{name}: level {low}")
                continue
            chosen = column.slider(f"{name} levels", low, high, (low, high), key=f"f-level-{name}")
            allowed[name] = range(chosen[0], chosen[1] + 1)
    shown = filtered(frame, anonymous_only=anonymous, max_loss=max_loss, max_risk=max_risk, levels=allowed)
    st.caption(f"{len(shown):,} of {len(frame):,} candidates pass the filters. Solid points were checked by the "
               f"search, faded ones settled by monotonicity or bounds (evaluated for this view); the large "
               f"points are the optimum and (blue ring) the candidate selected for release.")
    return shown


def _pick_from(session: Session, result, shown, kind: str) -> None:
    state = st.vega_lite_chart(shown[CHARTED], chart_spec(kind), key=f"chart-{kind}", on_select="rerun",
                               selection_mode="pick", width="stretch")
    points = (getattr(state, "selection", None) or {}).get("pick") or []
    if points and points[0].get("levels"):
        text = points[0]["levels"]
        if st.session_state.get(f"picked-{kind}") != text:
            st.session_state[f"picked-{kind}"] = text
            _select(session, result, _parse(text))


def _parse(text: str) -> dict[str, int]:
    return {name: int(level) for name, level in (part.split("=") for part in text.split(","))}


def _select(session: Session, result, levels: dict[str, int]) -> None:
    """Select ``levels`` for release if anonymous; else say why not."""
    try:
        choose(result, levels)
    except NotAnonymousError as error:
        st.session_state["explore-refused"] = str(error)
        return
    session.selected = None if result.optimum is not None and levels == dict(result.optimum.levels) else levels
    st.session_state.pop("explore-refused", None)
    st.rerun()


def _listing(session: Session, result, shown) -> None:
    st.subheader("Candidates")
    if "explore-refused" in st.session_state:
        st.error(st.session_state["explore-refused"])
    anonymous = shown[shown["anonymous"]]
    options = anonymous["levels"].tolist()
    current = ",".join(f"{k}={v}" for k, v in (session.chosen_levels() or {}).items())
    index = options.index(current) if current in options else None
    label = labels(anonymous).get

    chosen = st.selectbox("Candidate to release (anonymous candidates, by loss)", options, index=index,
                          format_func=label, key="release-candidate", placeholder="the optimum")
    if chosen is not None and chosen != current:
        _select(session, result, _parse(chosen))
    if len(shown) > LISTED_ROWS:
        st.caption(f"The table lists the first {LISTED_ROWS:,} of {len(shown):,} by loss; filter to see others.")
    st.dataframe(shown.drop(columns=["position"]).head(LISTED_ROWS), hide_index=True, height=260,
                 column_config={"loss": st.column_config.NumberColumn(format="%.4f"),
                                "highest risk": st.column_config.NumberColumn(format="%.4f"),
                                "average risk": st.column_config.NumberColumn(format="%.4f")})


def _on_demand(session: Session, result) -> None:
    with st.expander("Evaluate any transformation"):
        st.caption("Any node of the lattice, evaluated now (also outside the listed candidates).")
        project = result.project
        columns = st.columns(max(1, len(result.quasi_identifiers)))
        levels = {}
        for column, name in zip(columns, result.quasi_identifiers):
            low, high = project.level_range(name, project.load_hierarchy(name))
            levels[name] = int(column.number_input(name, min_value=low, max_value=high, value=low, step=1,
                                                   key=f"demand-{name}"))
        if st.button("Evaluate", key="demand-evaluate"):
            node = result.node_of(levels)
            found = candidate(node, result.evaluate(node), result.n_records, "checked")
            st.session_state["demand"] = found
        found = st.session_state.get("demand")
        if found is not None and set(found.levels) == set(result.quasi_identifiers):
            verdict = "anonymous" if found.anonymous else "not anonymous"
            st.write(f"**{found.levels_text}**: {verdict}; loss {found.information_loss:.4f}, highest risk "
                     f"{found.highest_risk:.3f}, {found.suppressed_records:,} suppressed, "
                     f"{found.equivalence_classes:,} classes (smallest {found.min_class_size:,}).")
            if found.anonymous and st.button("Select it for release", key="demand-select"):
                _select(session, result, dict(found.levels))


def _selected(session: Session, result, levels: dict[str, int], optimum) -> None:
    which = "the optimum" if levels == optimum else "selected instead of the optimum"
    st.subheader(f"For release: {', '.join(f'{k}={v}' for k, v in levels.items())} ({which})")
    quality = session.cached("quality", lambda: per_attribute_loss(result, levels), levels=levels)
    st.caption("Per-attribute quality (ARX's models; 1 is the original data, 0 nothing left):")
    st.dataframe(quality, hide_index=True)
    classes = session.cached("classes", lambda: equivalence_classes(result, levels), levels=levels)
    kept = classes[~classes["suppressed"]]
    st.caption(f"{len(kept):,} equivalence classes of the kept records; sizes from {int(kept['records'].min()) if len(kept) else 0:,} "
               f"to {int(kept['records'].max()) if len(kept) else 0:,}.")
    view = st.segmented_control("Show", ["Equivalence classes", "Data by class"], default="Equivalence classes",
                                key="class-view")
    if view == "Data by class":
        data = session.cached("data by class", lambda: data_by_class(result, levels), levels=levels)
        st.caption(f"The first {len(data):,} output records, grouped by class (alternate colours); "
                   f"identifiers removed as in the export.")
        st.dataframe(data.style.apply(lambda column: class_colours(data["class"]), axis=0), hide_index=True, height=360)
    else:
        st.dataframe(classes, hide_index=True, height=300)
