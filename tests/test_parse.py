"""``carbon.io.parse``: numbers, dates and years as people type them, cell by cell.

Each expected value is what the text means to a reader (``1 234.5`` is one thousand two hundred
and thirty-four and a half; ``2024-03`` as an end date is 31 March), written out by hand. Every
parser is also run on a categorical column (the CSV reader's dictionary-encoded form), which must
give the same answers.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest

from carbon.io import parse

NUMBERS = [  # text, value (None = blank), bad
    ("1234.5", 1234.5, False), ("1,234.5", 1234.5, False), ("1,234", 1234.0, False),
    ("12,345,678", 12345678.0, False), ("１２３", 123.0, False), (" 12 ", 12.0, False),
    ("1 234.5", 1234.5, False), ("+5", 5.0, False), ("-5", -5.0, False), (".5", 0.5, False),
    ("5.", 5.0, False), ("1e3", 1000.0, False), ("2.5E-2", 0.025, False),
    ("8,278,39", None, True), ("1,23", None, True), ("12 34", None, True), ("abc", None, True),
    ("nan", None, True), ("inf", None, True), ("1e999", None, True), ("1.2.3", None, True),
    ("", None, False), ("   ", None, False),
]


def _check_numbers(values, bad, cases):
    for (text, expected, is_bad), v, b in zip(cases, values, bad, strict=True):
        assert bool(b) is is_bad, text
        if expected is None:
            assert math.isnan(v), text
        else:
            assert v == expected, text


@pytest.mark.parametrize("categorical", [False, True])
def test_numbers_as_typed(categorical):
    s = pd.Series([t for t, _, _ in NUMBERS], dtype="category" if categorical else object)
    _check_numbers(*parse.numbers(s), NUMBERS)


def test_numbers_clean_column_in_one_cast_and_missing_cells():
    values, bad = parse.numbers(pd.Series(["1", "2.5", "", None], dtype=object))
    assert values[:2].tolist() == [1.0, 2.5] and np.isnan(values[2:]).all()
    assert bad.tolist() == [False] * 4
    values, bad = parse.numbers(pd.Series(["1", None, "x"], dtype="category"))
    assert values[0] == 1.0 and np.isnan(values[1]) and bad.tolist() == [False, False, True]


def D(text: str) -> np.datetime64:
    return np.datetime64(text, "s")


DATES = [  # text, as a start, as an end (None = blank or bad), bad
    ("2024-01-31", "2024-01-31", "2024-01-31", False),
    ("2024/1/31", "2024-01-31", "2024-01-31", False),
    ("2024年1月31日", "2024-01-31", "2024-01-31", False),
    ("2024.1.5", "2024-01-05", "2024-01-05", False),
    ("2024 年 1 月 5 日", "2024-01-05", "2024-01-05", False),
    ("２０２４－０１－３１", "2024-01-31", "2024-01-31", False),
    ("2024-01-31 00:00:00", "2024-01-31", "2024-01-31", False),
    ("2024-01-31T00:00", "2024-01-31", "2024-01-31", False),
    ("2024-03", "2024-03-01", "2024-03-31", False),
    ("2024年2月", "2024-02-01", "2024-02-29", False),  # a leap year
    ("2023/2", "2023-02-01", "2023-02-28", False),
    ("1900-01-01", "1900-01-01", "1900-01-01", False),
    ("2200-12-31", "2200-12-31", "2200-12-31", False),
    ("1899-12-31", None, None, True), ("2201-01-01", None, None, True),
    ("0024-01-01", None, None, True), ("2024-02-30", None, None, True),
    ("2024-13", None, None, True), ("2024-01-31 12:00", None, None, True),
    ("31/01/2024", None, None, True), ("soon", None, None, True), ("", None, None, False),
    ("24-01-31", None, None, True),  # a two-digit year is year 24, not 2024
]


@pytest.mark.parametrize("categorical", [False, True])
@pytest.mark.parametrize("end", [False, True])
def test_dates_as_typed(categorical, end):
    s = pd.Series([t for t, *_ in DATES], dtype="category" if categorical else object)
    values, bad = parse.dates(s, end=end)
    assert values.dtype == np.dtype("datetime64[s]") and bad.dtype == np.dtype(bool)
    for (text, start, stop, is_bad), v, b in zip(DATES, values, bad, strict=True):
        assert bool(b) is is_bad, text
        expected = stop if end else start
        if expected is None:
            assert np.isnat(v), text
        else:
            assert v == D(expected), text


def test_dates_a_month_is_its_first_day_unless_asked_for_the_end():
    assert parse.dates(pd.Series(["2024-03"]))[0].tolist() == parse.dates(
        pd.Series(["2024-03-01"]))[0].tolist()


def test_dates_and_numbers_of_an_empty_or_missing_column():
    for s in (pd.Series([], dtype=object), pd.Series([], dtype="category")):
        values, bad = parse.dates(s)
        assert values.dtype == np.dtype("datetime64[s]") and len(values) == len(bad) == 0
        values, bad = parse.numbers(s)
        assert len(values) == len(bad) == 0
    # cells a DataFrame holds as None or NaN are blank, not bad
    for missing in (None, np.nan):
        values, bad = parse.numbers(pd.Series(["1", missing], dtype=object))
        assert values[0] == 1 and np.isnan(values[1]) and bad.tolist() == [False, False]
        values, bad = parse.numbers(pd.Series([missing, missing], dtype=object))
        assert np.isnan(values).all() and bad.tolist() == [False, False]
        values, bad = parse.years(pd.Series(["2024", missing], dtype=object))
        assert values[0] == 2024 and np.isnan(values[1]) and bad.tolist() == [False, False]


YEARS = [("2024", 2024.0, False), ("2024.0", 2024.0, False), ("2024年", 2024.0, False),
         ("1900", 1900.0, False), ("2200", 2200.0, False), ("1899", None, True),
         ("2201", None, True), ("2024.5", None, True), ("x", None, True), ("", None, False)]


def test_years_as_typed():
    values, bad = parse.years(pd.Series([t for t, _, _ in YEARS], dtype=object))
    _check_numbers(values, bad, YEARS)


@pytest.mark.parametrize(("text", "expected"), [
    ("2022-2024", [2022, 2023, 2024]), ("2022至2024", [2022, 2023, 2024]),
    ("2022 – 2023", [2022, 2023]), ("2022~2023", [2022, 2023]), ("2022到2023", [2022, 2023]),
    ("2022年-2024年", [2022, 2023, 2024]), ("2022、2023", [2022, 2023]),
    ("2023, 2022", [2022, 2023]), ("2022;2023", [2022, 2023]), ("2023 2022 2023", [2022, 2023]),
    ("2024年", [2024]), ("２０２４", [2024]), ("2024.0", [2024]), ("2024", [2024]),
    ("2000-2050", list(range(2000, 2051))), ("2024-2024", [2024]),
    ("2000-2051", None), ("2024-2022", None), ("", None), ("2022, x", None), ("22", None),
    ("2022.5", None),
])
def test_year_list_as_people_write_it(text, expected):
    assert parse.year_list(text) == expected


def test_cells_as_text_each_kind_of_cell():
    cells = ["text", 12, 49083.86, 1e16, True, False, None, dt.datetime(2024, 1, 31, 15, 30),
             dt.date(2024, 2, 29), pd.Timestamp("2023-12-31"), dt.time(8, 30), 10**20]
    got = parse.cells_as_text(cells).to_pylist()
    assert got == ["text", "12", "49083.86", "1e+16", "TRUE", "FALSE", None, "2024-01-31",
                   "2024-02-29", "2023-12-31", "08:30:00", "100000000000000000000"]


def test_cells_as_text_serial_dates_in_a_date_column():
    """A number in a date column is a spreadsheet serial date (counted from 1899-12-30) within
    20,000–80,000; a float outside is no date."""
    cells = [45322, 45322.75, 45292.0, 20000, 80000, 19999, 80001, 2024.1, 2024, "2024-01-31"]
    got = parse.cells_as_text(cells, date=True).to_pylist()
    # 1899-12-30 + 80,000 days is 2119-01-11 (parse.SERIAL_DATES's comment says 01-10)
    assert got == ["2024-01-31", "2024-01-31", "2024-01-01", "1954-10-03", "2119-01-11",
                   "19999", "80001", "2024.1 (a number)", "2024", "2024-01-31"]
    # outside a date column the same numbers stay numbers
    assert parse.cells_as_text([45322, 2024.1]).to_pylist() == ["45322", "2024.1"]
    # the 1904 date system
    assert parse.cells_as_text([43830], date=True, epoch=dt.datetime(1904, 1, 1)).to_pylist() \
        == ["2024-01-01"]


def test_cells_as_text_all_text_and_empty():
    assert parse.cells_as_text(["a", None, "b"]).to_pylist() == ["a", None, "b"]
    assert parse.cells_as_text(["a", float("nan")]).to_pylist() == ["a", None]
    assert parse.cells_as_text([]).to_pylist() == []
    assert parse.cells_as_text([None, None]).to_pylist() == [None, None]
