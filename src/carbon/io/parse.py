"""Vectorized parsing of text columns as people type them: numbers and dates.

Each parser takes a whole column of strings (blank = "") and returns the parsed values and a mask
of cells that are not blank yet do not parse. The fast path handles clean columns in one call;
only the cells it rejects go through the tolerant path.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd

_THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"
_PLAIN = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"


def _nfkc(s: pd.Series) -> pd.Series:
    return s.map(lambda v: unicodedata.normalize("NFKC", v).strip()).astype("str")


def numbers(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse numbers: ``1234.5``, ``1,234.5``, ``１２３``, `` 12 ``.

    ``8,278,39`` (a misplaced separator) does not parse. Returns (float64 values with NaN for
    blank or bad cells, bad mask).
    """
    s = s.astype("str").str.strip()
    values = pd.to_numeric(s.where(s.str.fullmatch(_PLAIN), None), errors="coerce")
    need = values.isna() & (s != "")
    if need.any():
        t = _nfkc(s[need]).str.replace(" ", "", regex=False)
        t = t.where(~t.str.fullmatch(_THOUSANDS), t.str.replace(",", "", regex=False))
        fixed = pd.to_numeric(t.where(t.str.fullmatch(_PLAIN), None), errors="coerce")
        values = values.astype("float64")
        values[need] = fixed
    out = values.to_numpy(dtype="float64", na_value=np.nan, copy=True)
    bad = (s != "").to_numpy() & ~np.isfinite(out)
    out[bad] = np.nan
    return out, bad


_YMD = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]00:00(?::00)?)?$"
_YM = r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$"


def dates(s: pd.Series, *, end: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Parse dates: ``2024-01-01``, ``2024/1/1``, ``2024年1月1日``, ``2024-03`` (a month).

    A month means its first day, or with ``end=True`` its last day. Returns (datetime64[s]
    values with NaT for blank or bad cells, bad mask).
    """
    s = s.astype("str").str.strip()
    values = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    need = values.isna() & (s != "")
    if need.any():
        t = _nfkc(s[need])
        ymd = t.str.extract(_YMD).astype("float64")
        ym = t.str.extract(_YM).astype("float64")
        year = ymd[0].fillna(ym[0])
        month = ymd[1].fillna(ym[1])
        is_month = ymd[0].isna() & ym[0].notna()
        day = ymd[2].where(~is_month, 1.0)
        parts = pd.DataFrame({"year": year, "month": month, "day": day})
        ok = parts.notna().all(axis=1)
        fixed = pd.Series(pd.NaT, index=t.index, dtype="datetime64[s]")
        if ok.any():
            got = pd.to_datetime(parts[ok].astype("int64"), errors="coerce")
            got = got.where(~is_month[ok], got + pd.offsets.MonthEnd(0) if end else got)
            fixed[ok] = got
        values = values.astype("datetime64[s]")
        values[need] = fixed
    out = values.to_numpy(dtype="datetime64[s]", copy=True)
    bad = (s != "").to_numpy() & np.isnat(out)
    return out, bad


def years(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Parse four-digit years (``2024``, ``2024.0`` from a spreadsheet, ``2024年``)."""
    t = s.astype("str").str.strip().str.replace("年", "", regex=False)
    values, bad = numbers(t)
    whole = np.isfinite(values) & (values == np.round(values)) & (values >= 1900) & (values <= 2200)
    bad = bad | (np.isfinite(values) & ~whole)
    values[~whole] = np.nan
    return values, bad
