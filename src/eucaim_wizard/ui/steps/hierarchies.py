"""Step 3, Hierarchies: each quasi-identifier's generalization hierarchy, as ARX's hierarchy
editor shows it — the values and their generalization at every level, the tree as an icicle
chart, the records in every group — with the data values it misses and how to fix them; the
hierarchy's source (a preset, an uploaded ARX CSV file or a builder, previewed on the column
before it is applied), the levels the search may use and the weight, and the ARX CSV to download.

What is computed is in :mod:`..hierarchy_view` and :mod:`..hierarchy_edit` (tested without a
browser); this module only draws.
"""

from __future__ import annotations

import streamlit as st

from ...errors import WizardError
from ...hierarchies.presets import PRESET_PREFIX, load_library
from ...release import hierarchy_file_name
from ...roles import suggest
from ..hierarchy_edit import (BUILDER_FORMS, BUILDER_TITLES, apply_hierarchy, form_texts, level_settings,
                              preset_builder, proposed_fixes, read_upload, set_level_settings, spec_from_form,
                              use_upload)
from ..hierarchy_view import (HierarchyView, attribute_view, describe_source, group_counts, icicle_chart,
                              icicle_frame, leaf_frame, source_kind)
from ..session import Session
from . import has_table

_SOURCES = {"preset": "Preset of the library", "file": "ARX hierarchy file (CSV)", "builder": "Builder"}
_PROBLEM = "background-color: #fde8e7"


def render(session: Session) -> None:
    if not has_table(session, "3. Hierarchies"):
        return
    names = session.quasi_identifiers
    if not names:
        st.info("No quasi-identifier yet: give the columns an attacker may know the role quasi-identifier "
                "in step 2, Roles.")
        return
    st.write("Each quasi-identifier is generalized along its hierarchy: level 0 is the value itself, every "
             "level above merges groups, the top level is usually `*`. The search picks one level per "
             "quasi-identifier, between the lowest and the highest allowed here.")
    name = st.selectbox("Quasi-identifier", names, key="hierarchy-attribute",
                        format_func=lambda q: f"{q}  ·  {describe_source(session.attributes[q].get('hierarchy'))}")
    try:
        view = attribute_view(session, name)
    except WizardError as error:
        view = None
        st.error(str(error))
    _coverage(session, name, view)
    if view is not None:
        _settings(session, name, view)
        _show(view)
    st.divider()
    _change(session, name, view)


# -- the hierarchy in use ------------------------------------------------------------------------------
def _coverage(session: Session, name: str, view: HierarchyView | None) -> None:
    """What the hierarchy is, what the checks found, and the fixes proposed."""
    if view is not None:
        st.markdown(f"**{describe_source(view.given)}** · levels 0–{view.top} · {len(view.values):,} distinct "
                    f"value(s) in {view.n_records:,} record(s)")
        for note in view.notes:
            st.caption(note)
        findings = view.findings(session.attributes[name])
        for finding in findings:
            if finding.severity in ("error", "warning"):
                (st.error if finding.severity == "error" else st.warning)(finding.message)
        if view.unknown:
            shown = ", ".join(repr(v) for v in view.unknown[:10]) + (", …" if len(view.unknown) > 10 else "")
            st.warning(f"{len(view.unknown):,} value(s) of {name} ({view.unknown_records:,} record(s)) were not "
                       f"recognised and are generalized in the Unknown branch: {shown}. Correct them in the data, or "
                       f"choose a hierarchy that knows them.")
        if not view.missing and not view.unknown and not any(f.severity == "error" for f in findings):
            st.success(f"The hierarchy covers every value of {name}.")
    fixes = session.cached("hierarchy fixes", lambda: proposed_fixes(session, name, view), extra=(name,))
    for i, fix in enumerate(fixes):
        with st.container(border=True, horizontal=True, vertical_alignment="center"):
            st.markdown(f"**Proposed: {fix.title}.** {fix.explanation}", width="stretch")
            if st.button("Apply", key=f"hierarchy-fix-{name}-{i}", type="primary"):
                top = (fix.hierarchy.n_levels - 1 if fix.hierarchy is not None
                       else attribute_view(session, name, fix.given).top)
                apply_hierarchy(session, name, fix.given, hierarchy=fix.hierarchy, top=top)
                st.rerun()


def _settings(session: Session, name: str, view: HierarchyView) -> None:
    """The lowest and highest level the search may use, the weight, and the download."""
    entry, top = session.attributes[name], view.top
    low, high, weight = level_settings(entry, top)
    first, second, third, fourth = st.columns([1, 1, 1, 1.2], vertical_alignment="bottom")
    new_low = first.number_input("Lowest level", min_value=0, max_value=top, value=low, step=1,
                                 key=f"hierarchy-min-{name}-{top}",
                                 help="ARX's minimum: the search never releases this column below this level.")
    new_high = second.number_input("Highest level", min_value=0, max_value=top, value=high, step=1,
                                   key=f"hierarchy-max-{name}-{top}",
                                   help="ARX's maximum: the search never generalizes this column above this level.")
    new_weight = third.number_input("Weight", min_value=0.0, max_value=1.0, value=weight, step=0.05, format="%.2f",
                                    key=f"hierarchy-weight-{name}",
                                    help="How much the information lost in this column counts (ARX's attribute "
                                         "weight, 0.5 by default).")
    fourth.download_button("Download as ARX CSV", data=view.hierarchy.to_csv_text(),
                           file_name=hierarchy_file_name(name), mime="text/csv", icon=":material/download:",
                           key=f"hierarchy-download-{name}", on_click="ignore", disabled=view.hidden, width="stretch",
                           help="The hierarchy the project uses (';'-separated, no header), for ARX or the "
                                "command line.")
    if new_low > new_high:
        st.warning(f"The lowest level ({new_low}) is above the highest ({new_high}); nothing was changed.")
    elif set_level_settings(entry, new_low, new_high, new_weight, top):
        st.rerun()


def _show(view: HierarchyView) -> None:
    """The hierarchy as a table, as a tree, and its groups' records."""
    values_tab, tree_tab, groups_tab = st.tabs(["Values and levels", "Tree", "Records per group"])
    with values_tab:
        search = st.text_input("Find a value", key=f"hierarchy-search-{view.name}", placeholder="part of a value",
                               icon=":material/search:")
        table, note = leaf_frame(view, search=search)
        st.dataframe(table.style.apply(lambda row: [_PROBLEM if row["note"] else ""] * len(row), axis=1),
                     hide_index=True, height=min(38 + 35 * len(table), 420),
                     column_config={"records": st.column_config.NumberColumn("records", format="localized")})
        st.caption(note)
    with tree_tab:
        chart, note = icicle_frame(view)
        st.altair_chart(icicle_chart(chart, view.top), width="stretch")
        st.caption("One band per level, the root on top; each rectangle is a group, as wide as its records. "
                   "Hover over a group for its records. Grey: the root; red: values not in the hierarchy; orange: "
                   "groups holding values not recognised. " + note)
    with groups_tab:
        counts = group_counts(view)
        levels = st.multiselect("Levels", list(range(view.top + 1)), default=[min(1, view.top)],
                                key=f"hierarchy-levels-{view.name}", placeholder="every level")
        shown = counts[counts["level"].isin(levels)] if levels else counts
        st.dataframe(shown, hide_index=True, height=min(38 + 35 * len(shown), 420), column_config={
            "records": st.column_config.NumberColumn("records", format="localized"),
            "share": st.column_config.ProgressColumn("share", format="percent", min_value=0.0, max_value=1.0),
            "values": st.column_config.NumberColumn("distinct values", help="values of the data in the group")})
        st.caption("A group with few records is a group an attacker can single out: the search generalizes "
                   "until every combination of groups holds enough records.")


# -- choosing another hierarchy -------------------------------------------------------------------------
def _change(session: Session, name: str, view: HierarchyView | None) -> None:
    st.subheader("Choose the hierarchy")
    current = session.attributes[name].get("hierarchy")
    kinds = list(_SOURCES)
    kind = st.radio("Source", kinds, index=kinds.index(source_kind(current) or "preset"), format_func=_SOURCES.get,
                    horizontal=True, key=f"hierarchy-source-{name}")
    try:
        {"preset": _preset, "file": _upload, "builder": _builder}[kind](session, name)
    except WizardError as error:
        st.error(str(error))


def _preview(session: Session, name: str, given, label: str) -> HierarchyView | None:
    """``given`` fitted to the column: what it covers, its first values; and the button that
    applies it (its view is returned when the button is pressed)."""
    view = attribute_view(session, name, given)
    groups = group_counts(view).groupby("level").size()
    st.markdown(f"**Preview on {name}** · levels 0–{view.top} · groups per level: "
                + ", ".join(f"{int(n):,}" for n in groups.tolist()))
    problems = view.missing_records + view.unknown_records
    if problems:
        st.warning(f"{problems:,} record(s) with {len(view.missing) + len(view.unknown):,} value(s) it does not "
                   f"know (first rows below).")
    else:
        st.caption("It covers every value of the column.")
    table, _ = leaf_frame(view, limit=12)
    st.dataframe(table, hide_index=True, height=38 + 35 * len(table))
    same = session.attributes[name].get("hierarchy") == given
    if st.button(label, key=f"hierarchy-apply-{name}", type="primary", disabled=same,
                 help="in use" if same else "use it for this quasi-identifier"):
        return view
    return None


def _preset(session: Session, name: str) -> None:
    library = load_library()
    current = session.attributes[name].get("hierarchy")
    names = library.names()
    suggested = session.cached("suggested preset", lambda: suggest(session.table, name).preset, extra=(name,))
    start = current.removeprefix(PRESET_PREFIX) if source_kind(current) == "preset" else suggested
    def label(n: str) -> str:
        return f"{n} — {library.get(n).title}" + ("  (suggested)" if n == suggested else "")

    chosen = st.selectbox("Preset", names, index=names.index(start) if start in names else 0,
                          key=f"hierarchy-preset-{name}", format_func=label)
    preset = library.get(chosen)
    left, right = st.columns([2, 3])
    with left:
        st.caption(f"Source: {preset.source}. Fits {', '.join(preset.kinds) or 'any column'}; columns such as "
                   f"{', '.join(preset.columns[:6])}.")
        st.markdown("\n".join(f"- **level {j}**: {what}" for j, what in enumerate(preset.levels)))
    with right:
        view = _preview(session, name, f"{PRESET_PREFIX}{chosen}", f"Use preset {chosen}")
    if view is not None:
        apply_hierarchy(session, name, f"{PRESET_PREFIX}{chosen}", top=view.top)
        st.rerun()


def _upload(session: Session, name: str) -> None:
    current = session.attributes[name].get("hierarchy")
    if source_kind(current) == "file":
        st.caption(f"In use: {current} (in the session's folder, written beside the project file on export).")
    uploaded = st.file_uploader("ARX hierarchy CSV: one row per value, its generalization at each level, "
                                "';' or ',' separated", type=["csv", "txt"], key=f"hierarchy-upload-{name}")
    if uploaded is None:
        return
    in_use = session.workdir / str(current)
    if source_kind(current) == "file" and in_use.is_file() and in_use.read_bytes() == uploaded.getvalue():
        st.success(f"{uploaded.name} is the hierarchy in use.")
        return
    saved = read_upload(session, name, uploaded.getvalue())
    view = _preview(session, name, saved, "Use this file")
    if view is not None:
        use_upload(session, name, saved, view.top)
        st.rerun()


def _builder(session: Session, name: str) -> None:
    current = session.attributes[name].get("hierarchy")
    start = preset_builder(current)
    kinds = list(BUILDER_FORMS)
    kind = st.selectbox("Builder", kinds, index=kinds.index(start["builder"]) if start else 0,
                        format_func=BUILDER_TITLES.get, key=f"hierarchy-builder-{name}")
    values = [str(v) for v in session.table.categories(name)]
    texts = form_texts(kind, start, values)
    left, right = st.columns([2, 3])
    with left:
        st.caption("Edit the options: the preview on the right follows. Options not shown here are kept "
                   "from the hierarchy in use.")
        for option in BUILDER_FORMS[kind]:
            key = f"hierarchy-builder-{name}-{kind}-{option.name}"
            if option.kind == "choice":
                choices = list(option.choices)
                at = choices.index(texts[option.name]) if texts[option.name] in choices else 0
                texts[option.name] = st.selectbox(option.label, choices, index=at, key=key, help=option.help or None)
            elif option.kind == "yaml":
                texts[option.name] = st.text_area(option.label, texts[option.name], key=key, help=option.help,
                                                  height=220)
            else:
                texts[option.name] = st.text_input(option.label, texts[option.name], key=key, help=option.help)
    with right:
        try:
            spec = spec_from_form(kind, texts, start)
            view = _preview(session, name, spec, "Use this builder")
        except WizardError as error:
            st.error(str(error))
            return
    if view is not None:
        apply_hierarchy(session, name, spec, top=view.top)
        st.rerun()
