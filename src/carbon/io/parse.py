"""Vectorized parsing of text columns as people type them: numbers and dates.

Each parser takes a whole column of strings (blank = "") and returns the parsed values and a mask
of cells that are not blank yet do not parse. Each distinct text is parsed once (a column read from
CSV arrives dictionary-encoded, as a categorical). Clean texts are parsed by Arrow compute kernels;
only those they reject go through the tolerant (Python) path, which folds full-width characters,
thousands separators and Chinese date forms.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

_PLAIN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"
_YMD = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$"
_YM = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"


def _distinct(s: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes per row (-1 for a missing cell) and the distinct texts of a column."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(), pd.Series(s.cat.categories.astype(str))
    codes, uniques = pd.factorize(s)
    return codes, pd.Series(np.asarray(uniques, dtype=object).astype(str))


def _per_row(codes: np.ndarray, values: np.ndarray, bad: np.ndarray, missing: object
             ) -> tuple[np.ndarray, np.ndarray]:
    """Spread per-distinct results over rows; a missing cell is blank (not bad)."""
    values = np.append(values, np.array([missing], dtype=values.dtype))
    bad = np.append(bad, False)
    return values[codes], bad[codes]


def _arrow(s: pd.Series) -> pa.ChunkedArray | pa.Array:
    """The column as Arrow strings, trimmed; missing cells as ""."""
    arr = pa.array(s, type=pa.string(), from_pandas=True)
    return pc.fill_null(pc.utf8_trim_whitespace(arr), "")


def _mask(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(arr, False).to_numpy(zero_copy_only=False), dtype=bool)


def _blank(t: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return _mask(pc.equal(pc.binary_length(t), 0))


def _folded(texts: list[str], *, spaces: bool = False) -> list[str]:
    out = [unicodedata.normalize("NFKC", t).strip() for t in texts]
    return out if spaces else [t.replace(" ", "") for t in out]


def numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse numbers: ``1234.5``, ``1,234.5``, ``１２３``, `` 12 ``.

    ``8,278,39`` (a misplaced separator) does not parse. Returns (float64 values with NaN for
    blank or bad cells, bad mask). A text column is cast in one Arrow pass; a categorical one
    is parsed once per distinct text.
    """
    if not isinstance(s.dtype, pd.CategoricalDtype):
        return _numbers(s)
    codes, uniques = _distinct(s)
    values, bad = _numbers(uniques)
    return _per_row(codes, values, bad, np.nan)


def _numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    t = _arrow(s)
    blank = _blank(t)
    try:  # a clean column: one cast
        out = pc.cast(pc.if_else(pa.array(blank), pa.scalar(None, pa.string()), t), pa.float64())
        plain = np.ones(len(blank), dtype=bool)
    except pa.ArrowInvalid:
        match = pc.match_substring_regex(t, _PLAIN)
        out = pc.cast(pc.if_else(match, t, pa.scalar(None, pa.string())), pa.float64())
        plain = _mask(match)
    values = np.asarray(out.to_numpy(zero_copy_only=False), dtype="float64").copy()
    need = np.flatnonzero(~plain & ~blank)
    if len(need):
        # a space inside a number groups thousands like a comma (1 234.5), under the same rule
        texts = [x.replace(" ", ",") for x in _folded(pc.take(t, pa.array(need)).to_pylist(),
                                                      spaces=True)]
        fixed = pd.Series(texts, dtype="str")
        fixed = fixed.where(~fixed.str.fullmatch(_THOUSANDS),
                            fixed.str.replace(",", "", regex=False))
        ok = fixed.str.fullmatch(_PLAIN)
        values[need] = pd.to_numeric(fixed.where(ok, None), errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan)
    bad = ~blank & ~np.isfinite(values)
    values[bad] = np.nan
    return values, bad


def _dates_distinct(texts: list[str], end: bool) -> np.ndarray:
    """Parse a (small) list of distinct date texts; NaT where a text is not a date."""
    t = pd.Series(texts, dtype="str")
    out = pd.to_datetime(t, format="%Y-%m-%d", errors="coerce").to_numpy(dtype="datetime64[s]",
                                                                         copy=True)
    need = np.flatnonzero(np.isnat(out) & (t != "").to_numpy())
    if len(need):
        folded = pd.Series(_folded([texts[i] for i in need], spaces=True), dtype="str")
        ymd = folded.str.extract(_YMD).astype("float64")
        ym = folded.str.extract(_YM).astype("float64")
        is_month = ymd[0].isna() & ym[0].notna()
        parts = pd.DataFrame({"year": ymd[0].fillna(ym[0]), "month": ymd[1].fillna(ym[1]),
                              "day": ymd[2].where(~is_month, 1.0)})
        ok = parts.notna().all(axis=1).to_numpy()
        fixed = np.full(len(need), np.datetime64("NaT"), dtype="datetime64[s]")
        if ok.any():
            got = pd.to_datetime(parts[ok].astype("int64"), errors="coerce")
            if end:
                got = got.where(~is_month[ok], got + pd.offsets.MonthEnd(0))
            fixed[ok] = got.to_numpy(dtype="datetime64[s]")
        out[need] = fixed
    return out


#: Dates outside these are typing errors (0024 for 2024), not periods of an inventory.
DATE_RANGE = (np.datetime64("1900-01-01", "s"), np.datetime64("2200-12-31", "s"))


def dates(s: pd.Series, *, end: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Parse dates: ``2024-01-01``, ``2024/1/1``, ``2024年1月1日``, ``2024-03`` (a month).

    A month means its first day, or with ``end=True`` its last day. A date column holds few
    distinct values, so each distinct text is parsed once. Returns (datetime64[s] values with NaT
    for blank or bad cells, bad mask).
    """
    codes, uniques = _distinct(s)
    texts = [unicodedata.normalize("NFKC", t).strip() for t in uniques.tolist()]
    values = _dates_distinct(texts, end)
    values[(values < DATE_RANGE[0]) | (values > DATE_RANGE[1])] = np.datetime64("NaT")
    bad = np.isnat(values) & (np.array([t != "" for t in texts], dtype=bool)
                              if texts else np.zeros(0, dtype=bool))
    return _per_row(codes, values, bad, np.datetime64("NaT"))


def years(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse four-digit years (``2024``, ``2024.0`` from a spreadsheet, ``2024年``)."""
    t = pd.Series(pc.replace_substring(_arrow(s), "年", "").to_pylist(), dtype="str")
    values, bad = numbers(t)
    whole = np.isfinite(values) & (values == np.round(values)) & (values >= 1900) & (values <= 2200)
    bad = bad | (np.isfinite(values) & ~whole)
    values[~whole] = np.nan
    return values, bad


_YEAR_SPAN = re.compile(r"^(\d{4})年?\s*[-–~～至到]\s*(\d{4})年?$")
_YEAR = re.compile(r"^(\d{4})(?:\.0)?年?$")


def year_list(text: str) -> list[int] | None:
    """Years as people list them: ``2022-2024``, ``2022至2024``, ``2022, 2023``, ``2022、2023``,
    ``2024年``, ``２０２４``; None when the text is not such a list. A span runs at most 50 years.
    """
    folded = unicodedata.normalize("NFKC", text).strip()
    m = _YEAR_SPAN.match(folded)
    if m:
        first, last = int(m.group(1)), int(m.group(2))
        return list(range(first, last + 1)) if first <= last <= first + 50 else None
    parts = [p for p in re.split(r"[,;、\s]+", folded) if p]
    got = [_YEAR.match(p) for p in parts]
    if not parts or not all(got):
        return None
    return sorted({int(g.group(1)) for g in got if g})


#: Every month of the year as a set of months (bit ``m - 1`` for month ``m``).
ALL_MONTHS = 0xFFF
_MONTH_NAMES = {name: i for i, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}
_ALL_YEAR = {"全年", "全年运行", "全年運行", "allyear", "all", "yearround"}
_MONTH = r"(\d{1,2}|[a-z]+)\s*月?(?:份)?"
_MONTH_SPAN = re.compile(rf"^{_MONTH}\s*(?:[-–—~～至到]|to)\s*(?:次年|翌年)?\s*{_MONTH}$")
_ONE_MONTH = re.compile(rf"^{_MONTH}$")
#: A range typed into a spreadsheet cell that turned it into a date: 11-3 saved as 3 November.
_AS_DATE = re.compile(r"^\d{4}-(\d{2})-(\d{2})$")


def _month(text: str) -> int | None:
    if text.isdigit():
        return int(text) if 1 <= int(text) <= 12 else None
    return _MONTH_NAMES.get(text)


def month_set(text: str) -> int | None:
    """The months a meter runs, as people write them, as a set of months (bit ``m - 1``).

    ``11-3`` (November to March, across the year end), ``11月-3月``, ``11月至次年3月``,
    ``Nov-Mar``, ``5-9``, ``7``, several parts ``11-12, 1-3`` (``,`` ``，`` ``、`` ``;``), and
    ``1-12``, ``全年`` or blank for the whole year. A range a spreadsheet saved as a date (``11-3``
    typed into a date cell: ``2024-11-03``) reads as the range it was typed as. None when the
    text is not such a list.
    """
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    if not folded or folded.replace(" ", "") in _ALL_YEAR:
        return ALL_MONTHS
    date = _AS_DATE.match(folded)
    if date:
        folded = f"{int(date.group(1))}-{int(date.group(2))}"
    out = 0
    for part in (p.strip() for p in re.split(r"[,;、，；]+", folded)):
        if not part:
            continue
        span = _MONTH_SPAN.match(part)
        one = _ONE_MONTH.match(part)
        if span:
            first, last = _month(span.group(1)), _month(span.group(2))
        elif one:
            first = last = _month(one.group(1))
        else:
            return None
        if first is None or last is None:
            return None
        months = (range(first, last + 1) if first <= last
                  else [*range(first, 13), *range(1, last + 1)])
        for m in months:
            out |= 1 << (m - 1)
    return out or None


def months_text(months: int) -> str:
    """A set of months as the shortest ranges, starting after a month it does not run:
    ``11-3`` (November to March), ``1-12``, ``5-6, 9``."""
    if months & ALL_MONTHS == ALL_MONTHS:
        return "1-12"
    on = [bool(months >> i & 1) for i in range(12)]
    first_off = on.index(False)
    order = [(first_off + 1 + i) % 12 for i in range(12)]  # start just after a month it is off
    parts, run = [], []
    for i in order:
        if on[i]:
            run.append(i + 1)
        elif run:
            parts.append(run)
            run = []
    if run:
        parts.append(run)
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 1 else str(r[0]) for r in parts)


#: The values a spreadsheet shows in a cell whose formula failed.
EXCEL_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                          "#GETTING_DATA", "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!"})

#: A bare number in a date column is read as a spreadsheet serial date only within this range
#: (1954-10-03 to 2119-01-10 in the 1900 date system); outside it the number is reported.
SERIAL_DATES = (20000.0, 80000.0)


_BLANK, _TEXT, _INT, _FLOAT, _STAMP, _BOOL, _OTHER = range(7)
_CELL_KINDS: dict[type, int] = {type(None): _BLANK, str: _TEXT, int: _INT, float: _FLOAT,
                                dt.datetime: _STAMP, dt.date: _STAMP, pd.Timestamp: _STAMP,
                                bool: _BOOL}


def cells_as_text(values: Sequence[object], *, date: bool = False,
                  epoch: dt.datetime = dt.datetime(1899, 12, 30)) -> pa.Array:
    """Typed workbook cells (text, numbers, dates, booleans, blanks) as the text a CSV would hold.

    Numbers become their shortest round-trip text (``49083.86``), dates and date-times their day
    (``2024-01-31``), booleans ``TRUE`` / ``FALSE``, blanks null. In a date column a bare number in
    :data:`SERIAL_DATES` is a serial date counted from ``epoch`` (a cell that lost its date format).
    Each kind of value is converted as one array, not cell by cell.
    """
    n = len(values)
    arr = np.empty(n, dtype=object)
    arr[:] = values
    if pd.api.types.infer_dtype(arr, skipna=True) in ("string", "empty"):
        return pa.array(arr, type=pa.string(), from_pandas=True)
    kind = pd.Series(arr, dtype=object).map(type).map(_CELL_KINDS).fillna(_OTHER).to_numpy(
        dtype="int64")
    out = pa.array(np.where(kind == _TEXT, arr, np.array(None, dtype=object)), type=pa.string(),
                   from_pandas=True)
    text = np.array(out.to_numpy(zero_copy_only=False), dtype=object)
    ints = kind == _INT
    floats = kind == _FLOAT
    if ints.any():
        try:
            text[ints] = np.asarray(pc.cast(pa.array(arr[ints].astype("int64")), pa.string())
                                    .to_numpy(zero_copy_only=False), dtype=object)
        except OverflowError:  # beyond int64: rare enough for plain str()
            text[ints] = np.array([str(v) for v in arr[ints]], dtype=object)
    if floats.any():
        text[floats] = np.asarray(pc.cast(pa.array(arr[floats].astype("float64")), pa.string())
                                  .to_numpy(zero_copy_only=False), dtype=object)
    if date and (ints.any() or floats.any()):
        num = ints | floats
        serial = np.full(n, np.nan)
        serial[num] = arr[num].astype("float64")
        is_serial = (serial >= SERIAL_DATES[0]) & (serial <= SERIAL_DATES[1])
        # a float that is no serial date (2024.10 typed, stored as 2024.1) is no date either:
        # its text must not pass for a year and month
        odd = floats & ~is_serial & (np.floor(np.nan_to_num(serial)) != serial)
        text[odd] = np.array([f"{v} (a number)" for v in arr[odd]], dtype=object)
        if is_serial.any():
            days = np.floor(serial[is_serial]).astype("int64").astype("timedelta64[D]")
            day = np.datetime64(epoch.date(), "D") + days
            text[is_serial] = np.datetime_as_string(day, unit="D").astype(object)
    stamps = kind == _STAMP
    if stamps.any():
        day = pd.to_datetime(pd.Series(arr[stamps], dtype=object)).to_numpy().astype(
            "datetime64[D]")
        text[stamps] = np.datetime_as_string(day, unit="D").astype(object)
    bools = kind == _BOOL
    if bools.any():
        text[bools] = np.where(arr[bools].astype(bool), "TRUE", "FALSE").astype(object)
    rest = kind == _OTHER
    if rest.any():  # times of day, durations: shown as written, reported by the column's check
        text[rest] = np.array([str(v) for v in arr[rest]], dtype=object)
    return pa.array(text, type=pa.string(), from_pandas=True)
