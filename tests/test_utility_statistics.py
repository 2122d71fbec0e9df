"""Summary statistics, frequency tables and contingency tables, checked by hand."""

from __future__ import annotations

import statistics as py

import pytest

from eucaim_wizard import Table
from eucaim_wizard.errors import ProjectError
from eucaim_wizard.utility.statistics import as_range, contingency, frequencies, summarize

TABLE = Table.from_columns({
    "age": ["31", "32", "41", "42", "43", "*"],
    "decade": ["30-39", "30-39", "40-49", "40-49", "40-49", "*"],
    "sex": ["F", "F", "M", "M", "F", "F"],
    "zip": ["537**", "537**", "538**", "538**", "538**", ""],
})


def summary(name, table=TABLE):
    return next(s for s in summarize(table) if s.attribute == name)


def test_numeric_column():
    s = summary("age")
    values = [31, 32, 41, 42, 43]
    assert (s.scale, s.count, s.missing, s.distinct) == ("numeric", 5, 1, 5)
    assert (s.minimum, s.maximum, s.median) == (31, 43, 41)
    assert s.mean == pytest.approx(py.mean(values))
    assert s.sd == pytest.approx(py.stdev(values))  # sample standard deviation
    assert s.mode == "31" and s.mode_count == 1  # all tie: the lowest


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    table = Table.from_columns({"x": ["1", "2", "2", "10"]})
    assert summary("x", table).median == 2.0
    table = Table.from_columns({"x": ["1", "2", "3", "10"]})
    assert summary("x", table).median == 2.5


def test_interval_column_uses_bounds_and_midpoints():
    s = summary("decade")
    assert (s.scale, s.count, s.missing, s.distinct) == ("interval", 5, 1, 2)
    assert (s.minimum, s.maximum) == (30, 49)
    assert s.median == "40-49"  # the third of five records
    midpoints = [34.5, 34.5, 44.5, 44.5, 44.5]
    assert s.mean == pytest.approx(py.mean(midpoints))
    assert s.sd == pytest.approx(py.stdev(midpoints))
    assert s.mode == "40-49" and s.mode_count == 3


def test_masked_digits_are_ranges_and_empty_cells_missing():
    s = summary("zip")
    assert (s.scale, s.missing, s.minimum, s.maximum) == ("interval", 1, 53700, 53899)
    assert as_range("[20, 30[") == (20, 30) and as_range("(1;2]") == (1, 2) and as_range("-5--1") == (-5, -1)
    assert as_range("abc") is None and as_range("30-20") is None


def test_nominal_column():
    s = summary("sex")
    assert (s.scale, s.count, s.missing, s.distinct, s.mode, s.mode_count) == ("nominal", 6, 0, 2, "F", 4)
    assert s.minimum is s.mean is s.median is None


def test_a_column_of_missing_values_only():
    s = summary("x", Table.from_columns({"x": ["*", "*"]}))
    assert (s.count, s.missing, s.distinct, s.mode) == (0, 2, 0, None)


def test_frequencies_most_frequent_first():
    table = frequencies(TABLE, "decade")
    assert table.values == ["40-49", "30-39", "*"]
    assert table.counts == [3, 2, 1]
    assert table.share("40-49") == pytest.approx(0.5)
    assert table.to_dict()["values"][0] == {"value": "40-49", "count": 3, "share": 0.5}


def test_contingency_counts_every_record_once_in_reading_order():
    grid = contingency(TABLE, "decade", "sex")
    assert grid.rows == ["30-39", "40-49", "*"]  # ranges by their bounds, missing last
    assert grid.columns == ["F", "M"]
    assert grid.counts == [[2, 0], [1, 2], [1, 0]]
    assert grid.count("40-49", "M") == 2
    assert sum(map(sum, grid.counts)) == TABLE.n_rows


def test_contingency_needs_two_attributes():
    with pytest.raises(ProjectError, match="two different attributes"):
        contingency(TABLE, "sex", "sex")


def test_dates_and_codes_are_not_summarized_as_numbers():
    """"mean 2.024e+07" of YYYYMMDD dates and the mean of zip codes are no statistics: a date
    column gets its earliest, median and latest date; a code column is counted as categories."""
    from eucaim_wizard.tables import Table
    from eucaim_wizard.utility.statistics import summarize

    table = Table.from_columns({
        "StudyDate": ["20230101", "20230201", "20220301", "20230201", "*"],
        "admitted": ["2023-01-02", "2024-05-06", "2020-01-01", "2020-01-01", "2021-07-31"],
        "Zip_Code": ["37933", "78890", "01234", "37933", "12000"],
        "plz": ["10", "20", "30", "10", "20"],
        "age": ["45", "54", "30", "61", "45"],
        "year": ["2023", "2022", "2021", "2021", "2020"],
    })
    by_name = {s.attribute: s for s in summarize(table)}
    date = by_name["StudyDate"]
    assert (date.scale, date.minimum, date.median, date.maximum, date.mean, date.sd) == \
        ("date", "20220301", "20230101", "20230201", None, None)
    assert by_name["admitted"].scale == "date" and by_name["admitted"].median == "2021-07-31"
    for name in ("Zip_Code", "plz"):
        assert by_name[name].scale == "code" and by_name[name].mean is None and by_name[name].mode is not None
    assert by_name["age"].scale == by_name["year"].scale == "numeric"


def test_numbers_are_charted_in_bins_of_equal_width():
    from eucaim_wizard.report.charts import binned

    pairs = [(str(x), 1) for x in range(100)] + [("1000", 5)]
    bars, title = binned(pairs, 10)
    assert title.endswith("bars of equal width") and len(bars) == 10
    assert bars[0] == ("0–100", 100) and bars[-1] == ("900–1000", 5) and sum(c for _, c in bars) == 105
    codes = [(f"{53000 + x}", 1) for x in range(100)]  # zip codes: consecutive values per bar, as before
    assert binned(codes, 10)[1] == "input: 100 values, 10 consecutive values per bar"
