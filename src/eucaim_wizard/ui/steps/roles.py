"""Step 2, Roles: one row per column (an editable table) with its role, the suggestion and why,
the guard's findings, its hierarchy, levels and weight; and one column at a time in a form."""

from __future__ import annotations

import streamlit as st

from ..data_view import apply_roles, findings_by_column, hierarchy_options, lattice_size, roles_frame
from ..session import ROLES, Session
from . import has_table

_HELP = {
    "identifier": "names a person directly (PatientID, a UID, a name): removed from the output "
                  "(or replaced by a keyed pseudonym)",
    "quasi-identifier": "an attacker may know it (age, sex, dates, site, scanner): generalized by its hierarchy",
    "sensitive": "what must be protected (a diagnosis): kept as is, guarded by l-diversity or t-closeness",
    "insensitive": "kept as is, not considered by the privacy models",
}


def render(session: Session) -> None:
    if not has_table(session, "2. Roles"):
        return
    st.write("Give every column a role. The suggestions come from the column's name (DICOM keywords, "
             "clinical names) and values; check each one.")
    st.caption(" · ".join(f"**{role}**: {text}" for role, text in _HELP.items()))
    findings = session.cached("findings", lambda: findings_by_column(session))
    _guard(session, findings)
    frame = roles_frame(session, findings)
    edited = st.data_editor(
        frame, key=f"roles-{session.key()[:12]}", hide_index=True, disabled=["column", "suggestion", "findings"],
        column_config={
            "column": st.column_config.TextColumn("column", pinned=True),
            "suggestion": st.column_config.TextColumn("suggestion and why", width="large"),
            "findings": st.column_config.TextColumn("guard and checks", width="medium"),
            "role": st.column_config.SelectboxColumn("role", options=list(ROLES), required=True),
            "hierarchy": st.column_config.SelectboxColumn("hierarchy", options=hierarchy_options(session),
                                                          help="a preset, a file or a builder (step 3)"),
            "min level": st.column_config.NumberColumn("min level", min_value=0, step=1),
            "max level": st.column_config.NumberColumn("max level", min_value=0, step=1),
            "weight": st.column_config.NumberColumn("weight", min_value=0.0, max_value=1.0, step=0.05),
        })
    if apply_roles(session, edited):
        st.rerun()
    _one_column(session)
    _summary(session)


def _guard(session: Session, findings) -> None:
    """The guard's findings (the table's and each column's) with the confirm box."""
    from ... import guard

    every = [f for group in findings.values() for f in group]
    identified = guard.looks_identified(every) or session.confirmed_deidentified
    general = [f for f in findings.get("", []) if f.severity in ("error", "warning")]
    for finding in general:
        (st.error if finding.severity == "error" else st.warning)(finding.message)
    if not identified:
        return
    st.warning("The guard sees signs that this table is not de-identified (see the findings beside the "
               "columns). Make the columns it names identifiers (removed), or confirm below.")
    confirmed = st.checkbox(
        "I confirm this data is de-identified despite these signs", value=session.confirmed_deidentified,
        key="confirm-deidentified",
        help="What it means: you take responsibility that the flagged values identify no one (e.g. synthetic "
             "names, study codes that look like record numbers). The confirmation and the findings are recorded "
             "in result.json and the report; the flagged columns are still never quoted or analysed.")
    if confirmed != session.confirmed_deidentified:
        session.confirmed_deidentified = confirmed
        session.cache.clear()
        st.rerun()


def _one_column(session: Session) -> None:
    """One column's settings in a form: what a curator edits without the table."""
    with st.expander("Edit one column", expanded=False):
        name = st.selectbox("Column", list(session.attributes), key="role-column")
        entry = session.attributes[name]
        st.caption(session.reasons.get(name, ""))
        with st.form("one-column"):
            role = st.radio("Role", ROLES, index=ROLES.index(entry.get("role", "insensitive")), horizontal=True,
                            key="role-radio")
            options = hierarchy_options(session)
            current = entry.get("hierarchy") if isinstance(entry.get("hierarchy"), str) else ""
            hierarchy = st.selectbox("Hierarchy (quasi-identifiers)", options,
                                     index=options.index(current) if current in options else 0, key="role-hierarchy")
            if st.form_submit_button("Apply", type="primary"):
                changed = dict(entry, role=role)
                if hierarchy:
                    changed["hierarchy"] = hierarchy
                if role != "quasi-identifier":
                    changed.update(min_level=None, max_level=None)
                session.attributes[name] = changed
                session.selected = None
                if role == "quasi-identifier" and not changed.get("hierarchy"):
                    st.warning(f"{name} needs a hierarchy: choose one here or in step 3, Hierarchies.")
                st.rerun()


def _summary(session: Session) -> None:
    counts = {role: sum(e.get("role") == role for e in session.attributes.values()) for role in ROLES}
    st.caption(" · ".join(f"{count} {role}{'s' if count != 1 else ''}" for role, count in counts.items()))
    size = lattice_size(session)
    if size is not None:
        from ...pipeline import MAX_LATTICE

        note = (f"{size:,} transformations to search." if size <= MAX_LATTICE else
                f"{size:,} transformations: more than the {MAX_LATTICE:,} an optimal search holds, so a "
                f"best-first search will run, within its time limit, and say whether its answer is proven "
                f"optimal. For an exact answer, make a quasi-identifier insensitive or an identifier, or "
                f"raise min levels / lower max levels.")
        (st.info if size <= MAX_LATTICE else st.warning)(note)
