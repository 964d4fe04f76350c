"""Plausibility: values far off their own series (a 度 figure typed into a 万千瓦时 row).

Pure functions on DataFrames (no I/O, no words). Two comparisons, each per day so that a
month, a quarter and a year compare:

- **a period against its meter**: a row's quantity per day (in the base unit of its dimension,
  converted once per distinct unit) against the median of the same meter's other periods;
- **a year against the entity's other years**: an entity and source's quantity per day of its
  rows in one calendar year against the median of its other years.

A value ``factor`` times its typical, or as many times less, is an outlier. Zero quantities are
left out (a meter that did not run). A series needs two values; of two, only the later is
flagged (the earlier is the reference it is checked against).

A series' typical value is its median (the value itself included, so that one value far off
cannot move it; of two values, the other one). Only the series whose values spread over the
factor can hold an outlier: they are found with one unbuffered maximum and minimum per series,
and only their rows are sorted (by series and value, two stable radix sorts on 16-bit keys:
the series and the logarithm of the rate quantised to 1/65535 of its range) to read the
medians off.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from carbon.coverage import calendar_years, column_codes, day_numbers, dense, series_codes
from carbon.units import parse_unit

#: Unit mix-ups and their factors (a power of ten): 万 against the base unit (万千瓦时 / 度,
#: 万立方米 / m³), then the thousands (MWh / kWh, t / kg, m³ / L). [1]
MIXUPS = (4, 3)


@lru_cache(maxsize=4096)
def unit_basis(text: str) -> tuple[str, float]:
    """A unit's dimension (text) and its size in the base unit of that dimension."""
    q = parse_unit(text)
    return str(q.dimensionality), float(q.to_base_units().magnitude)


def _unit_columns(unit: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Per row: a code for the unit's dimension (-1: no unit) and its size in base units."""
    codes, values = column_codes(unit)
    dims, sizes = [], []
    for v in values:  # once per distinct unit (a category no row uses may be blank)
        try:
            d, f = unit_basis(str(v))
        except ValueError:
            d, f = "", np.nan
        dims.append(d)
        sizes.append(f)
    dim_codes, _ = pd.factorize(np.asarray(dims, dtype=object))
    dim_codes = np.where(np.asarray(dims, dtype=object) == "", -1, dim_codes)
    dim = np.append(np.asarray(dim_codes, dtype=np.int64), -1)[codes]
    size = np.append(np.asarray(sizes, dtype=np.float64), np.nan)[codes]
    return dim, size


def _sorted_by_value(group: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Order by group, then value (two stable sorts; radix sorts on 16-bit keys where they
    fit). Values within 1/65535 of their range may come in either order."""
    if not len(group):
        return np.zeros(0, dtype=np.int64)
    span = float(value.max() - value.min())
    q = ((value - value.min()) / span * 65535).round() if span > 0 else np.zeros(len(value))
    by_value = np.argsort(q.astype(np.uint16), kind="stable")
    if group.max() < 1 << 16:
        return by_value[np.argsort(group[by_value].astype(np.uint16), kind="stable")]
    return by_value[np.argsort(group[by_value], kind="stable")]


def _wide_groups(group: np.ndarray, value: np.ndarray, limit: float) -> np.ndarray:
    """Mask of the elements whose group's values spread over ``limit`` or more (max - min):
    one unbuffered maximum and minimum per group, no sort."""
    if not len(group):
        return np.zeros(0, dtype=bool)
    size = int(group.max()) + 1
    hi = np.full(size, -np.inf)
    lo = np.full(size, np.inf)
    np.maximum.at(hi, group, value)
    np.minimum.at(lo, group, value)
    return (hi - lo >= limit)[group]


def far_off(group: np.ndarray, value: np.ndarray, limit: float
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The elements ``limit`` or more from their group's typical value (:func:`typical`).

    Only groups whose values spread over ``limit`` or more can hold one (the typical value lies
    between the group's least and greatest value): the medians are computed for those.

    Returns
    -------
    at : ndarray of int
        Positions of the elements that are far off. [-]
    typical, size : ndarray
        Their group's typical value and size. [-, -]
    """
    maybe = np.flatnonzero(_wide_groups(group, value, limit))
    med, size = typical(group[maybe], value[maybe])
    far = (size > 1) & (np.abs(value[maybe] - med) >= limit)
    return maybe[far], med[far], size[far]


def typical(group: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each element's group's typical value: the median of the group (itself included: one
    value far off cannot move it), or for a group of two, the other value.

    Parameters
    ----------
    group : ndarray of int
        Group of each element. [-]
    value : ndarray of float
        Values (here: base-10 logarithms, so that a median of two is their geometric mean). [-]

    Returns
    -------
    typical : ndarray of float
        NaN for an element alone in its group. [-]
    size : ndarray of int
        The size of its group. [-]
    """
    n = len(group)
    order = _sorted_by_value(group, value)
    g, v = group[order], value[order]
    starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if n else np.zeros(0, dtype=np.int64)
    sizes = np.diff(np.r_[starts, n])
    first = np.repeat(starts, sizes)
    size = np.repeat(sizes, sizes)
    top = max(n - 1, 0)
    med = (v[np.clip(first + (size - 1) // 2, 0, top)] + v[np.clip(first + size // 2, 0, top)]) / 2
    pos = np.arange(n) - first
    other = v[np.clip(first + 1 - pos, 0, top)]  # of two: the one that is not it
    med = np.where(size == 2, other, np.where(size > 2, med, np.nan))
    out_med, out_size = np.empty(n), np.empty(n, dtype=np.int64)
    out_med[order], out_size[order] = med, size
    return out_med, out_size


def likely_mixup(log_ratio: float, unit: str) -> int:
    """The unit mix-up (a power of ten, :data:`MIXUPS`) that best explains a value this far off
    its series, 0 when none does.

    A mix-up explains the value when undoing it brings the value within ten times its typical;
    of two that do, 万 is preferred for a unit written with 万 (a base-unit figure in a 万 row),
    else the one that brings the value nearest its typical.
    """
    fits = [c for c in MIXUPS if abs(abs(log_ratio) - c) < 1]
    if not fits:
        return 0
    if 4 in fits and ("万" in unit or "萬" in unit):
        return 4
    return min(fits, key=lambda c: abs(abs(log_ratio) - c))


@dataclass
class Outliers:
    """Rows and years far off their series.

    ``rows``: position (in the activity table), rate, typical (per day, base units), ratio,
    periods (how many periods the meter has, the typical being their median), size (the unit's
    size in base units), sorted by position.
    ``years``: entity_id, source, year, rate, typical (per day, base units), ratio, years (how
    many the entity and source has), first (position of the first row of that entity, source
    and year), rows (their count), sorted by entity, source and year.
    """

    rows: pd.DataFrame
    years: pd.DataFrame


def _year_pieces(start: np.ndarray, end: np.ndarray
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                            np.ndarray]:
    """Rows split by calendar year: each row's piece in the year it starts (its year and days
    in it), then the further pieces of the rows that cross a year end (row, year, days)."""
    y0, y1 = calendar_years(start), calendar_years(end)
    first = int(y0.min())
    jan1 = (np.arange(first, int(y1.max()) + 2) - 1970).astype("datetime64[Y]").astype(
        "datetime64[D]").astype(np.int64)  # January 1 of each year spanned, and of the next
    days0 = np.minimum(end, jan1[y0 - first + 1] - 1) - start + 1
    span = np.flatnonzero(y1 > y0)
    count = y1[span] - y0[span]
    at = np.repeat(span, count)
    year = y0[at] + 1 + np.arange(len(at)) - np.repeat(np.cumsum(count) - count, count)
    days = np.minimum(end[at], jan1[year - first + 1] - 1) - jan1[year - first] + 1
    return y0, days0, at, year, days, y1


def outliers(activity: pd.DataFrame, years: list[int], factor: float,
             factor_years: float, series: tuple[np.ndarray, pd.DataFrame] | None = None
             ) -> Outliers:
    """The rows and the entity-source-years of ``years`` far off their series.

    Parameters
    ----------
    activity : DataFrame
        ``entity_id``, ``source``, ``meter``, ``use``, ``instrument``, ``period_start``,
        ``period_end`` (inclusive), ``quantity``, ``unit``, ``row``. [-]
    years : list of int
        Only rows and years touching these are flagged (the series use every row). [a]
    factor : float
        A period this many times its meter's typical per day, or as many times less, is an
        outlier. [1]
    factor_years : float
        The same for a year against the entity and source's other years. [1]
    series : (ndarray, DataFrame), optional
        :func:`carbon.coverage.series_codes` of ``activity``, when already known. [-]
    """
    start, end = day_numbers(activity["period_start"]), day_numbers(activity["period_end"])
    dim, size = _unit_columns(activity["unit"])
    base = activity["quantity"].to_numpy(dtype=np.float64) * size
    days = end - start + 1
    rate = base / days
    valid = np.isfinite(rate) & (rate > 0) & (dim >= 0)
    wanted = np.array(sorted(set(years)), dtype=np.int64)
    first_day = (wanted - 1970).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64)
    last_day = (wanted - 1969).astype("datetime64[Y]").astype("datetime64[D]").astype(np.int64) - 1
    # a period against its meter
    codes, meters = series if series is not None else series_codes(activity)
    n_dim = int(dim.max()) + 2 if len(dim) else 1
    group = codes * n_dim + dim
    valid_at = np.flatnonzero(valid)
    far, med, periods = far_off(group[valid_at], np.log10(rate[valid_at]), np.log10(factor))
    at = valid_at[far]
    keep = np.zeros(len(at), dtype=bool)
    for a, b in zip(first_day, last_day, strict=True):  # rows touching the reported years
        keep |= (start[at] <= b) & (end[at] >= a)
    pairs = periods == 2
    if pairs.any():  # two periods: only the later one is checked against the earlier
        g = group[at]
        key = np.lexsort((activity["row"].to_numpy()[at], start[at], g))
        later = np.empty(len(at), dtype=bool)
        later[key] = np.r_[g[key][1:] != g[key][:-1], True]
        keep &= ~pairs | later
    hit, med, periods = at[keep], med[keep], periods[keep]
    rows = pd.DataFrame({"position": hit, "rate": rate[hit], "typical": 10 ** med,
                         "ratio": rate[hit] / 10 ** med, "periods": periods,
                         "size": size[hit]})
    es_of_meter, _ = pd.factorize(meters["entity_id"] + "\x1f" + meters["source"])
    es_of_meter = np.asarray(es_of_meter, dtype=np.int64)
    es = es_of_meter[codes]
    _, first = np.unique(es_of_meter, return_index=True)
    named = meters.iloc[first][["entity_id", "source"]].reset_index(drop=True)
    clean = valid.copy()
    clean[at] = False  # a row far off its meter does not weigh in its year
    return Outliers(rows, _year_outliers(es, named, start, end, dim, rate, clean, wanted,
                                          factor_years, hit))


def _year_outliers(es_all: np.ndarray, pairs: pd.DataFrame, start: np.ndarray, end: np.ndarray,
                   dim: np.ndarray, rate: np.ndarray, valid: np.ndarray, wanted: np.ndarray,
                   factor: float, row_hits: np.ndarray) -> pd.DataFrame:
    """Each entity and source's quantity per day in each year against its other years
    (``es_all``: each row's entity and source, a code into ``pairs``).

    One integer per row piece (entity and source, dimension, year) and a sum per integer of the
    quantities and of the days (rows that are no part of a series weigh nothing).
    """
    columns = ["entity_id", "source", "year", "rate", "typical", "ratio", "years", "first",
               "rows"]
    if not valid.any():
        return pd.DataFrame({c: [] for c in columns})
    y0, days0, at, year, days, y1 = _year_pieces(start, end)
    n_dim = int(dim.max()) + 2
    y_min = int(y0.min())
    n_years = int(y1.max()) - y_min + 1
    group = es_all * n_dim + np.where(valid, dim, 0)
    key0 = group * n_years + (y0 - y_min)
    key1 = group[at] * n_years + (year - y_min)
    w0 = np.where(valid, rate, 0.0)
    cell0, cells = dense(np.r_[key0, key1] if len(at) else key0, len(pairs) * n_dim * n_years)
    cell1, cell0 = cell0[len(key0):], cell0[:len(key0)]
    qty = np.bincount(cell0, weights=w0 * days0, minlength=len(cells))
    span = np.bincount(cell0, weights=np.where(valid, days0, 0), minlength=len(cells))
    if len(at):
        qty += np.bincount(cell1, weights=w0[at] * days, minlength=len(cells))
        span += np.bincount(cell1, weights=np.where(valid[at], days, 0), minlength=len(cells))
    has = np.flatnonzero(span > 0)
    c_year = cells[has] % n_years + y_min
    c_group = cells[has] // n_years
    log_rate = np.log10(qty[has] / span[has])
    f, med, n_years_of = far_off(c_group, log_rate, np.log10(factor))
    keep = np.isin(c_year[f], wanted)
    pairs_ = n_years_of == 2
    if pairs_.any():  # two years: only the later one is checked against the earlier
        later = np.r_[c_group[1:] != c_group[:-1], True]  # cells are sorted by group and year
        keep &= ~pairs_ | later[f]
    c_es = c_group // n_dim
    if len(row_hits):  # a year whose rows are flagged already is not flagged again
        years_hit = [(es_all[r], y) for r in row_hits
                     for y in range(int(y0[r]), int(y1[r]) + 1)]
        keep &= ~np.isin(c_es[f] * n_years + (c_year[f] - y_min),
                         [e * n_years + (y - y_min) for e, y in years_hit])
    f, med, n_years_of = f[keep], med[keep], n_years_of[keep]
    # the rows of each flagged cell: the first of them and how many (a row counts once)
    slot = np.full(len(cells), -1, dtype=np.int64)
    slot[has[f]] = np.arange(len(f))
    row_slot = np.where(valid, slot[cell0], -1)
    mine = np.flatnonzero(row_slot >= 0)
    rows_of = [(row_slot[mine], mine)]
    if len(at):
        extra = np.where(valid[at], slot[cell1], -1)
        ok = (extra >= 0) & (np.where(valid[at], slot[cell0[at]], -1) != extra)
        rows_of.append((extra[ok], at[ok]))
    which, pos = (np.concatenate(x) for x in zip(*rows_of, strict=True))
    first = np.full(len(f), np.iinfo(np.int64).max)
    np.minimum.at(first, which, pos)
    count = np.bincount(which, minlength=len(f))
    return pd.DataFrame({
        "entity_id": pairs["entity_id"].to_numpy()[c_es[f]],
        "source": pairs["source"].to_numpy()[c_es[f]], "year": c_year[f],
        "rate": 10 ** log_rate[f], "typical": 10 ** med, "ratio": 10 ** (log_rate[f] - med),
        "years": n_years_of, "first": first, "rows": count})
