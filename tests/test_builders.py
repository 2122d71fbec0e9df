"""Hierarchy builders: hand-computed rows, errors, and trees for any input (hypothesis)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eucaim_wizard.hierarchies.builders import (BuilderSpec, build, dates, dicom_age, field_strength,
                                                icdo3_morphology, intervals, mapping, masking, ordered,
                                                parse_number, times)
from eucaim_wizard.hierarchies.temporal import dicom_years
from eucaim_wizard.errors import HierarchyError
from eucaim_wizard.hierarchies.hierarchy import has_errors


def rows(result) -> dict[str, list[str]]:
    """value -> its generalizations (levels 1..top)."""
    return {row[0]: row[1:] for row in result.hierarchy.table.tolist()}


# --- masking ------------------------------------------------------------------------------------
def test_masking_from_the_right_with_given_steps():
    result = masking(["20230514", "20230601"], steps=[2, 4])
    assert rows(result) == {"20230514": ["202305**", "2023****", "*"], "20230601": ["202306**", "2023****", "*"]}


def test_masking_by_default_masks_one_more_character_per_level():
    assert rows(masking(["123"])) == {"123": ["12*", "1**", "*"]}


def test_masking_from_the_left_with_another_mask_character():
    assert rows(masking(["37933"], steps=[1, 3], direction="left", mask="x")) == {"37933": ["x7933", "xxx33", "*"]}


def test_masking_pads_short_values_so_that_they_mask_alike():
    result = masking(["7933", "37933"], steps=[1, 2], pad="0")
    assert rows(result) == {"7933": ["0793*", "079**", "*"], "37933": ["3793*", "379**", "*"]}


def test_masking_gives_empty_values_a_missing_branch():
    result = masking(["12", ""], steps=[1])
    assert rows(result)[""] == ["Missing", "*"] and result.missing and result.unknown == ()


def test_masking_refuses_decreasing_steps():
    with pytest.raises(HierarchyError, match="increasing"):
        masking(["123"], steps=[2, 1])


# --- intervals ----------------------------------------------------------------------------------
def test_intervals_label_integer_bands_by_the_integers_they_hold():
    result = intervals(["45", "49", "50", "0"], widths=[5, 10, 20])
    assert rows(result) == {"45": ["45-49", "40-49", "40-59", "*"], "49": ["45-49", "40-49", "40-59", "*"],
                            "50": ["50-54", "50-59", "40-59", "*"], "0": ["0-4", "0-9", "0-19", "*"]}


def test_intervals_read_decimals_decimal_commas_and_units():
    result = intervals(["77.4", "77,4", "77.4 kg", "79.99 KG"], widths=[5], units={"": 1, "kg": 1})
    assert {v: c[0] for v, c in rows(result).items()} == {"77.4": "75-79", "77,4": "75-79", "77.4 kg": "75-79",
                                                         "79.99 KG": "75-79"}
    assert result.unknown == ()


def test_intervals_convert_units_to_the_label_unit():
    result = intervals(["1.68", "168 cm", "1.7m"], widths=[5], units={"": 100, "m": 100, "cm": 1})
    assert {v: c[0] for v, c in rows(result).items()} == {"1.68": "165-169", "168 cm": "165-169", "1.7m": "170-174"}


def test_intervals_top_code_at_the_start_of_the_band_holding_top_on_each_level():
    result = intervals(["89", "90", "97", "80"], widths=[5, 10, 20], top=90)
    assert rows(result) == {"89": ["85-89", "80-89", "80+", "*"], "90": ["90+", "90+", "80+", "*"],
                            "97": ["90+", "90+", "80+", "*"], "80": ["80-84", "80-89", "80+", "*"]}


def test_intervals_bottom_code_below_the_end_of_the_band_holding_bottom():
    result = intervals(["38", "40", "42", "45"], widths=[5, 10], bottom=42, bottom_label="<{}")
    assert rows(result) == {"38": ["<45", "<50", "*"], "40": ["<45", "<50", "*"], "42": ["<45", "<50", "*"],
                            "45": ["45-49", "<50", "*"]}


def test_intervals_non_integer_widths_label_half_open_bands():
    assert rows(intervals(["2.5", "4.99", "5"], widths=[2.5]))["4.99"] == ["2.5-5", "*"]


def test_intervals_negative_numbers_fall_in_the_band_below_zero():
    assert rows(intervals(["-3", "-5", "-6"], widths=[5])) == {"-3": ["-5--1", "*"], "-5": ["-5--1", "*"],
                                                               "-6": ["-10--6", "*"]}


def test_intervals_with_left_closed_edges():
    result = intervals(["18.4", "18.5", "29.9", "30", "40"], edges=[[18.5, 25, 30, 35, 40], [30]])
    assert rows(result) == {"18.4": ["<18.5", "<30", "*"], "18.5": ["18.5-25", "<30", "*"],
                            "29.9": ["25-29", "<30", "*"], "30": ["30-34", "≥30", "*"], "40": ["≥40", "≥30", "*"]}


def test_intervals_with_right_closed_edges_and_labels():
    result = intervals(["1", "1.01", "2.5", "5", "5.5"], edges=[[1, 2.5, 5], [2.5]], closed="right",
                       labels=[None, ["thin", "thick"]])
    assert rows(result) == {"1": ["≤1", "thin", "*"], "1.01": ["1-2.5", "thin", "*"], "2.5": ["1-2.5", "thin", "*"],
                            "5": ["2.5-5", "thick", "*"], "5.5": [">5", "thick", "*"]}


def test_intervals_put_unreadable_and_implausible_values_in_unknown():
    result = intervals(["45", "abc", "12 st", "-1", "200", ""], widths=[10], valid=[0, 150])
    assert result.unknown == ("abc", "12 st", "-1", "200")
    assert rows(result)["abc"] == ["Unknown", "*"] and rows(result)[""] == ["Missing", "*"]
    assert result.findings()[0].code == "unknown-values"


@pytest.mark.parametrize("options, message", [
    ({"widths": [5, 7]}, "multiple of"),
    ({"edges": [[1, 2], [3]]}, "subset"),
    ({"widths": [5], "edges": [[1]]}, "either widths"),
    ({"widths": [10], "top": 20, "bottom": 15}, "no band"),
    ({"edges": [[1, 2]], "labels": [["a", "b"]]}, "one label per bin"),
    ({"widths": [5], "closed": "right"}, "explicit edges"),
])
def test_intervals_refuse_levels_that_would_not_nest(options, message):
    with pytest.raises(HierarchyError, match=message):
        intervals(["1"], **options)


def test_parse_number_reads_units_and_refuses_others():
    assert parse_number("77.4 kg", {"": 1, "kg": 1}) == Decimal("77.4")
    assert parse_number("1,5", None) == Decimal("1.5")
    assert parse_number("1,5.0") is None and parse_number("kg 70", {"kg": 1}) is None
    assert parse_number("70 lb", {"": 1, "kg": 1}) is None


# --- dates and times ----------------------------------------------------------------------------
def test_dates_follow_the_eucaim_design():
    assert rows(dates(["20230514"])) == {"20230514": ["202305**", "2023****", "2020-2024", "2020-2029", "*"]}


def test_dates_read_iso_dicom_dt_dotted_and_european_forms():
    result = dates(["2023-05-14", "20230514101523.123+0100", "2023.05.14", "14.05.2023", "2023-05-14T10:15:00"],
                   levels=["month"])
    assert {c[0] for c in rows(result).values()} == {"202305**"} and result.unknown == ()


def test_dates_use_iso_labels_when_every_value_is_iso():
    assert rows(dates(["2023-05-14", "1999-12-31"], levels=["month", "year", "decade"])) == {
        "2023-05-14": ["2023-05", "2023", "2020-2029", "*"], "1999-12-31": ["1999-12", "1999", "1990-1999", "*"]}


def test_dates_less_precise_than_a_month_take_the_year_label():
    assert rows(dates(["2023", "202305"], levels=["month", "year"])) == {
        "2023": ["2023****", "2023****", "*"], "202305": ["202305**", "2023****", "*"]}


@pytest.mark.parametrize("value", ["20230230", "20231301", "20230014", "2023-02-29", "abc", "1750-01-01", "230514"])
def test_dates_that_are_not_in_the_calendar_are_unknown(value):
    assert dates([value]).unknown == (value,)


def test_dates_know_leap_years():
    assert dates(["20240229"]).unknown == ()


def test_dates_refuse_levels_that_do_not_nest():
    with pytest.raises(HierarchyError, match="nest"):
        dates(["20230514"], levels=["year", "5-year", "3-year"])
    with pytest.raises(HierarchyError, match="unknown date level"):
        dates(["20230514"], levels=["week"])


def test_times_follow_the_eucaim_design():
    assert rows(times(["101523"])) == {"101523": ["1015**", "10****", "06-12", "*"]}


def test_times_day_parts_change_on_the_hour():
    result = times(["055959", "060000", "115959", "120000", "235959"], levels=["day-part"])
    assert {v: c[0] for v, c in rows(result).items()} == {"055959": "00-06", "060000": "06-12", "115959": "06-12",
                                                         "120000": "12-18", "235959": "18-24"}


def test_times_read_partial_tm_fractions_and_clock_times():
    result = times(["10", "1015", "101523.5", "10:15", "7:05:00"], levels=["minute", "hour"])
    assert rows(result) == {"10": ["10****", "10****", "*"], "1015": ["1015**", "10****", "*"],
                            "101523.5": ["1015**", "10****", "*"], "10:15": ["1015**", "10****", "*"],
                            "7:05:00": ["0705**", "07****", "*"]}


def test_times_with_colons_only_get_clock_labels():
    assert rows(times(["10:15:23"])) == {"10:15:23": ["10:15", "10:00-10:59", "06-12", "*"]}


@pytest.mark.parametrize("value", ["240000", "106000", "101561", "25:00", "noon"])
def test_impossible_times_are_unknown(value):
    assert times([value]).unknown == (value,)


# --- DICOM ages -----------------------------------------------------------------------------------
@pytest.mark.parametrize("value, years", [("045Y", 45), ("006M", 0), ("018M", 1), ("010W", 0), ("400W", 7),
                                          ("003D", 0), ("999D", 2), ("45", 45), ("45.9", 45), ("045", 45)])
def test_dicom_ages_in_whole_years(value, years):
    assert dicom_years(value) == years


def test_dicom_age_feeds_the_interval_bands():
    result = dicom_age(["045Y", "097Y", "006M", "abcY", "151Y", ""])
    assert rows(result)["045Y"] == ["45", "45-49", "40-49", "40-59", "*"]
    assert rows(result)["097Y"] == ["97", "90+", "90+", "80+", "*"]
    assert rows(result)["006M"] == ["0", "0-4", "0-9", "0-19", "*"]
    assert result.unknown == ("abcY", "151Y") and rows(result)[""][0] == "Missing"


# --- ordered and mapping ------------------------------------------------------------------------
STAGES = ["0", "I", "II", "III", "IV"]


def test_ordered_groups_adjacent_values():
    result = ordered(["0", "II", "IV", "V"], order=STAGES, levels=[2, 4])
    assert rows(result) == {"0": ["0-I", "0-III", "*"], "II": ["II-III", "0-III", "*"], "IV": ["IV", "IV", "*"],
                            "V": ["Unknown", "Unknown", "*"]}


def test_ordered_with_group_sizes_and_labels():
    result = ordered(["I", "III"], order=STAGES, levels=[[3, 2]], labels=[["early", "advanced"]])
    assert rows(result) == {"I": ["early", "*"], "III": ["advanced", "*"]}


def test_ordered_refuses_groups_that_split_the_level_below():
    with pytest.raises(HierarchyError, match="split"):
        ordered(["I"], order=STAGES, levels=[[2, 3], [3, 2]])


def test_mapping_follows_the_tables_level_by_level():
    tables = [{"CT": "X-ray", "CR": "X-ray", "MR": "MR"}, {"X-ray": "ionising", "MR": "non-ionising"}]
    result = mapping(["CT", "MR", "US", ""], levels=tables)
    assert rows(result) == {"CT": ["X-ray", "ionising", "*"], "MR": ["MR", "non-ionising", "*"],
                            "US": ["Unknown", "Unknown", "*"], "": ["Missing", "Missing", "*"]}


def test_mapping_sends_unknown_values_where_the_table_sends_unknown():
    result = mapping(["zz"], levels=[{"Unknown": "Other"}, {"Other": "Rest"}])
    assert rows(result) == {"zz": ["Other", "Rest", "*"]}


def test_mapping_refuses_a_group_without_an_entry_in_the_next_table():
    with pytest.raises(HierarchyError, match="'MR' of level 1 has no entry"):
        mapping(["CT"], levels=[{"CT": "X-ray", "MR": "MR"}, {"X-ray": "ionising"}])


# --- domain builders ------------------------------------------------------------------------------
@pytest.mark.parametrize("value, nominal, band", [
    ("1.5", "1.5T", "1-2T"), ("1.494", "1.5T", "1-2T"), ("2.89362", "3T", "2-4T"), ("3", "3T", "2-4T"),
    ("15000", "1.5T", "1-2T"), ("30000", "3T", "2-4T"), ("3 T", "3T", "2-4T"), ("15000 G", "1.5T", "1-2T"),
    ("0.35", "0.35T", "<1T"), ("7", "7T", "≥4T"), ("2.2", "2.2T", "2-4T"), ("1.0", "1T", "1-2T")])
def test_field_strength_nominal_and_band(value, nominal, band):
    assert rows(field_strength([value]))[value] == [nominal, band, "*"]


@pytest.mark.parametrize("value", ["0", "-1.5", "25", "abc", "3 kg"])
def test_field_strength_rejects_impossible_values(value):
    assert field_strength([value]).unknown == (value,)


def test_icdo3_morphology_type_and_group():
    result = icdo3_morphology(["8140/3", "M-8500/2", "9680/3", "8046/3", "8140", "8140/7", "1234/3"])
    assert rows(result)["8140/3"] == ["8140", "814-838 Adenomas and adenocarcinomas", "*"]
    assert rows(result)["M-8500/2"] == ["8500", "850-854 Ductal and lobular neoplasms", "*"]
    assert rows(result)["9680/3"] == ["9680", "959-972 Hodgkin and non-Hodgkin lymphomas", "*"]
    assert rows(result)["8046/3"] == ["8046", "801-804 Epithelial neoplasms, NOS", "*"]
    assert rows(result)["8140"] == rows(result)["8140/3"]
    assert result.unknown == ("8140/7", "1234/3")


# --- specs ----------------------------------------------------------------------------------------
def test_builder_spec_parses_checks_and_builds():
    spec = BuilderSpec.parse({"builder": "intervals", "widths": [10], "top": 90})
    assert spec == BuilderSpec("intervals", widths=[10], top=90)
    assert rows(spec.build(["95"])) == {"95": ["90+", "*"]}
    assert rows(build({"builder": "masking", "steps": [1]}, ["ab"])) == {"ab": ["a*", "*"]}


@pytest.mark.parametrize("spec, message", [
    ({"builder": "nope"}, "unknown builder 'nope'"),
    ({"builder": "intervals", "width": [5]}, "no option 'width'"),
    ({"builder": "intervals", "widths": [5, 7]}, "multiple of"),
    ({"builder": "intervals", "widths": "5"}, "must be a list"),
    ({"builder": "dates", "levels": "month"}, "must be a list"),
    ({"widths": [5]}, "key `builder`"),
])
def test_builder_spec_errors_name_the_problem(spec, message):
    with pytest.raises(HierarchyError, match=message):
        BuilderSpec.parse(spec)


# --- every builder output is a tree covering every value (hypothesis) ------------------------------
# (a value that is '*' itself is refused as data: it reads as a suppressed record, see
# test_a_data_value_star_is_refused)
_TEXT = st.text(alphabet="0123456789.,-/:*TYMDWkgcm GEab ", max_size=14).filter(lambda v: v != "*")
_NUMERIC = st.decimals(min_value=-50, max_value=400, places=2, allow_nan=False).map(str)
_DATE = st.dates().map(lambda d: d.strftime("%Y%m%d"))
_TIME = st.times().map(lambda t: t.strftime("%H%M%S"))
_AS = st.builds(lambda n, u: f"{n:03d}{u}", st.integers(0, 999), st.sampled_from("DWMY"))
_VALUES = st.lists(st.one_of(_TEXT, _NUMERIC, _DATE, _TIME, _AS, st.just("")), max_size=25)

BUILT = [
    ("masking", {"steps": [1, 2, 3]}), ("masking", {"direction": "left", "pad": "0"}),
    ("intervals", {"widths": [5, 10, 20], "top": 90, "bottom": 10, "units": {"": 1, "kg": 1}}),
    ("intervals", {"widths": [0.5, 1.5], "offset": 0.25}),
    ("intervals", {"edges": [[1, 2.5, 5], [2.5]], "closed": "right", "valid": [0, 100]}),
    ("dates", {}), ("dates", {"levels": ["year", "2-year", "decade"], "style": "iso"}),
    ("times", {}), ("dicom-age", {}), ("field-strength", {}), ("icdo3-morphology", {}),
    ("ordered", {"order": ["1", "2", "3", "4", "5"], "levels": [2, 4]}),
    ("mapping", {"levels": [{"1": "a", "2": "a", "3": "b", "Unknown": "b"}, {"a": "x", "b": "x"}]}),
]


@pytest.mark.parametrize("builder, options", BUILT, ids=[f"{b}-{i}" for i, (b, _) in enumerate(BUILT)])
@settings(max_examples=40, deadline=None)
@given(values=_VALUES)
def test_every_builder_output_is_a_tree_covering_every_value(builder, options, values):
    result = BuilderSpec(builder, **options).build(values)
    hierarchy = result.hierarchy
    assert not has_errors(hierarchy.findings())
    assert hierarchy.findings() == []  # no duplicates, one root, no empty labels either
    distinct = list(dict.fromkeys(values)) or [""]
    assert hierarchy.values().tolist() == distinct
    assert not hierarchy.check_values(distinct)
    assert set(result.unknown) <= set(values) and "" not in result.unknown
    assert result.missing == any(not v.strip() for v in values)
    for value in result.unknown:
        assert hierarchy.table[hierarchy.index_of()[value], 1] in ("Unknown", "b")


def test_a_data_value_star_is_refused():
    """'*' as a value of the data (level 0) reads as a suppressed record in the output."""
    from eucaim_wizard.hierarchies.hierarchy import Hierarchy

    hierarchy = Hierarchy([["*", "x", "*"], ["ab", "x", "*"]])
    assert [f.code for f in hierarchy.findings()] == ["star-below-top"]


def test_a_one_character_value_masked_whole_is_not_the_suppression_mark():
    table = BuilderSpec("masking", steps=[1, 2]).build(["7", "42"]).hierarchy.table.tolist()
    assert table == [["7", "**", "**", "*"], ["42", "4*", "**", "*"]]
