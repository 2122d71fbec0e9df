"""Step 7, Risk: the re-identification risk of the input and of the candidate to release.

The attacker models (prosecutor, journalist, marketer; El Emam 2013, as ARX 3.9 computes them),
the records per band of risk, population uniqueness in the chosen region (Dankar et al.
2012) and which quasi-identifiers drive the risk (α-distinction and α-separation; Motwani &
Xu 2007), each with the library's sentence.  The figures are computed by
:mod:`eucaim_wizard.ui.analysis_view`, which this page only draws.
"""

from __future__ import annotations

import altair as alt
import streamlit as st

from ...risk.words import percent
from .. import analysis_view as view
from ..session import Session

REGION_KEY, SIZE_KEY, THRESHOLD_KEY = "risk_region", "risk_population_size", "risk_threshold"


def render(session: Session) -> None:
    """Draw the Risk page."""
    st.header("7. Risk")
    levels = session.chosen_levels()
    if not session.has_result():
        st.info("Run the search first (step 5, Run): the risk is measured on the candidate it finds.")
        return
    if levels is None:
        st.warning("No transformation is anonymous under these privacy models, so there is no candidate to "
                   "measure: relax the models or the suppression limit (step 4), or choose a candidate in Explore.")
        return
    st.caption(f"The input against the candidate to release ({view.levels_text(levels)}): the selected candidate "
               f"of step 6, Explore, else the optimum. A record's risk is the chance that an attacker who knows "
               f"its quasi-identifiers picks it out: 1 over the number of records sharing them.")
    _settings(session)
    pair = view.risk_pair(session, levels)
    mark_visited(session, "risk")
    _attackers(pair)
    _distribution(pair)
    _population(pair)
    _attributes(pair)


def mark_visited(session: Session, key: str) -> None:
    """Mark step ``key`` complete once its figures are computed, and draw the page again so that
    the sidebar shows the mark at once."""
    if key not in session.visited:
        session.visited.add(key)
        st.rerun()


def _settings(session: Session) -> None:
    """The population the table is a sample of and the risk threshold, stored in the session."""
    region, size = view.region_of(session.population)
    st.session_state.setdefault(REGION_KEY, region)
    st.session_state.setdefault(THRESHOLD_KEY, float(session.threshold))
    left, middle, right = st.columns([2, 1, 1])
    chosen = left.selectbox("Population the table is a sample of", view.region_options(), key=REGION_KEY,
                            format_func=view.region_label,
                            help="Eurostat's population on 1 January 2024 for the EU and its member states; "
                                 "it changes only the population estimates.")
    if chosen == view.OTHER_SIZE:
        records = session.table.n_rows if session.table is not None else 1
        st.session_state.setdefault(SIZE_KEY, max(size, records))
        session.population = int(middle.number_input("Number of people", min_value=records, step=1000,
                                                      key=SIZE_KEY))
    else:
        session.population = chosen
    session.threshold = float(right.number_input(
        "Risk threshold", min_value=0.001, max_value=1.0, step=0.01, format="%.3f", key=THRESHOLD_KEY,
        help="The highest acceptable chance of re-identifying one record: 0.2 puts records in groups of "
             "fewer than 5 at risk."))


def _attackers(pair: view.RiskPair) -> None:
    """The attacker models' figures: metrics of the output with their change, then every figure."""
    st.subheader("Attacker models")
    figures = view.risk_figures(pair)
    for column, figure in zip(st.columns(5), figures[:5]):
        change = view.delta(figure)
        column.metric(figure.label, figure.shown_after, delta=change or "unchanged",
                      delta_color="inverse" if change else "off", delta_arrow="auto" if change else "off",
                      delta_description="from the input", help=figure.sentence_after, border=True)
    st.markdown("**What the figures mean for the candidate** (input → output)")
    st.markdown("\n".join(f"- **{f.label}**: {f.shown_before} → **{f.shown_after}**. "
                           f"{view.escaped(f.sentence_after)}" for f in figures))
    with st.expander("What the input's figures mean"):
        st.markdown("\n".join(f"- **{f.label}** ({f.shown_before}): {view.escaped(f.sentence_before)}"
                               for f in figures))


def _distribution(pair: view.RiskPair) -> None:
    """The records per band of risk, input against output (the report's chart)."""
    st.subheader("Risk distribution")
    rows = view.distribution_rows(pair)
    order = list(dict.fromkeys(row["band"] for row in rows))
    chart = alt.Chart(alt.Data(values=rows)).mark_bar().encode(
        x=alt.X("band:N", sort=order, title="re-identification risk of a record (prosecutor), by band",
                axis=alt.Axis(labelAngle=-40 if len(order) > 6 else 0, labelOverlap=False)),
        xOffset=alt.XOffset("table:N", sort=["input", "output"]),
        y=alt.Y("records (%):Q", title="records (%)"),
        color=alt.Color("table:N", title=None, sort=["input", "output"],
                        scale=alt.Scale(domain=["input", "output"], range=[view.INPUT_COLOUR, view.OUTPUT_COLOUR]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("table:N"), alt.Tooltip("band:N", title="risk"),
                 alt.Tooltip("records:Q", format=","), alt.Tooltip("records (%):Q", format=".2f"),
                 alt.Tooltip("cumulative (%):Q", format=".2f")],
    ).properties(height=340)
    st.altair_chart(chart, width="stretch")
    st.caption("Share of records per band of risk (ARX's bands), before and after; bands holding no record are "
               "left out. Suppressed records form no group and carry no risk.")


def _population(pair: view.RiskPair) -> None:
    """Population uniqueness: the estimates of the share of the region unique on the quasi-identifiers."""
    st.subheader("Population uniqueness")
    before, after = pair.before.population, pair.after.population
    if before is None or after is None:
        st.info("Population uniqueness was not estimated.")
        return
    region = view.region_label(before.region) if before.region else f"a population of {before.population_size:,}"
    left, middle, right = st.columns(3)
    left.metric("Sampling fraction", percent(before.sampling_fraction), border=True,
                help=f"The share of {region} the table holds.")
    said = "Dankar et al.'s estimate of the share of the population unique on the quasi-identifiers."
    middle.metric("Population uniques, input", view.population_uniques(pair.before), border=True, help=said)
    right.metric("Population uniques, output", view.population_uniques(pair.after), border=True, help=said)
    st.dataframe(view.population_rows(pair), hide_index=True, width="stretch", placeholder="–")
    with st.expander("What these estimates mean", expanded=False):
        for side, analysis in (("Input", pair.before), ("Output", pair.after)):
            st.markdown(f"**{side}**")
            for sentence in view.population_sentences(analysis):
                st.markdown(f"- {view.escaped(sentence)}")


def _attributes(pair: view.RiskPair) -> None:
    """Which quasi-identifiers single records out: distinction and separation of the highlights."""
    st.subheader("Which attributes drive the risk")
    rows = view.attribute_rows(pair)
    if not rows:
        st.info("The attribute risk was not computed.")
        return
    st.caption("α-distinction: distinct values (or combinations) per record, 1 when every record is unique on "
               "them. α-separation: the share of pairs of records that differ on them. Each single attribute "
               "(most separating first), then the most distinguishing combination of each size.")
    number = st.column_config.NumberColumn(format="%.4f")
    st.dataframe(rows, hide_index=True, width="stretch", placeholder="–", height=35 * (len(rows) + 1) + 3,
                 column_order=("quasi-identifiers", "distinction in", "distinction out", "separation in",
                               "separation out"),
                 column_config={"distinction in": number, "distinction out": number,
                                "separation in": number, "separation out": number})
    singles = [row for row in rows if row["size"] == 1]
    left, right = st.columns([2, 3])
    left.altair_chart(_separation_chart(view.separation_rows(pair)), width="stretch")
    right.markdown("\n".join(f"- {view.escaped(row['meaning'])}" for row in singles))
    if len(rows) > len(singles):
        with st.expander("What the combinations mean for the input"):
            st.markdown("\n".join(f"- {view.escaped(row['meaning'])}" for row in rows if row not in singles))


def _separation_chart(rows: list[dict]) -> alt.Chart:
    """α-separation of each single quasi-identifier, input against output (horizontal bars)."""
    order = list(dict.fromkeys(row["attribute"] for row in rows))
    return alt.Chart(alt.Data(values=rows), title="α-separation of each attribute alone").mark_bar().encode(
        y=alt.Y("attribute:N", sort=order, title=None),
        yOffset=alt.YOffset("table:N", sort=["input", "output"]),
        x=alt.X("separation:Q", title="α-separation", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("table:N", title=None, sort=["input", "output"],
                        scale=alt.Scale(domain=["input", "output"], range=[view.INPUT_COLOUR, view.OUTPUT_COLOUR]),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("attribute:N"), alt.Tooltip("table:N"), alt.Tooltip("separation:Q", format=".4f"),
                 alt.Tooltip("distinct values:Q", format=",")],
    ).properties(height=alt.Step(12))
