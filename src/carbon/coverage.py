"""Coverage: the days each meter recorded against the days it should have, per reporting year.

Pure functions on DataFrames (no I/O, no words). A meter (one series of periods) is an entity,
source, meter id, use and instrument, as for the overlap checks; a blank meter id is one meter
per entity and source. For each meter and reporting year:

- **days in boundary**: the days of the year the entity is inside the boundary (its window from
  ``included_from`` / ``included_to``, cut to its parents' windows and to the year:
  :func:`carbon.boundary.windows`);
- **days expected**: those of them in the months the meter runs (a declared seasonal meter, the
  ``meters`` table's ``months``; every month otherwise);
- **days recorded**: the days in boundary that some row of the meter covers (rows that overlap
  count their days once), **days estimated** those covered by ``data_quality = estimated`` rows;
- **days missing**: the expected days no row covers, listed as date ranges — at the edges of
  the year as well as inside it.

A meter has a record for a year when it has rows that year, when it is declared, or when its
entity and source have no rows at all that year but have rows in another year (the source is
missing that year: ``source_missing``).

Everything runs on integer day numbers. The rows are sorted once by meter and start (two stable
radix sorts on 16-bit keys where they fit), each meter's periods merged into the spans it
covers (a grouped running maximum of the ends), and every count is a difference of one
cumulative sum of span lengths looked up with ``searchsorted``: no loop over rows or meters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from carbon import boundary

#: What identifies one meter (one series of periods).
SERIES = ("entity_id", "source", "meter", "use", "instrument")
#: Every month (bit ``m - 1`` for month ``m``).
ALL_MONTHS = 0xFFF
#: Status of a meter's month: outside the boundary, not a month it runs, no day recorded, some
#: days recorded, every day recorded (some estimated), every day recorded.
OUTSIDE, NOT_EXPECTED, MISSING, PARTIAL, ESTIMATED, RECORDED = range(6)
STATUS = ("outside", "not_expected", "missing", "partial", "estimated", "recorded")

_EPOCH = np.datetime64("1970-01-01", "D")


_PER_DAY = {"s": 86_400, "ms": 86_400_000, "us": 86_400_000_000, "ns": 86_400_000_000_000}


def day_numbers(values: pd.Series | np.ndarray) -> np.ndarray:
    """Dates as day numbers since 1970-01-01 (a floor division of the stored integers). [d]"""
    v = np.asarray(values)
    unit = np.datetime_data(v.dtype)[0] if v.dtype.kind == "M" else ""
    if unit in _PER_DAY:
        return v.view(np.int64) // _PER_DAY[unit]
    return v.astype("datetime64[D]").astype(np.int64)


def calendar_years(days: np.ndarray) -> np.ndarray:
    """The calendar year of each day number, from a table of the days spanned (not a calendar
    computation per element). [a]"""
    if not len(days):
        return np.zeros(0, dtype=np.int64)
    lo = int(days.min())
    table = np.arange(lo, int(days.max()) + 1).astype("datetime64[D]").astype(
        "datetime64[Y]").astype(np.int64) + 1970
    return table[days - lo]


def _dates(days: np.ndarray) -> np.ndarray:
    return (np.asarray(days, dtype=np.int64)).astype("datetime64[D]")


def column_codes(s: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of a column (-1 for a missing cell; a categorical's own, in its narrow
    integer type) and its distinct values as text."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return (s.cat.codes.to_numpy(),
                np.asarray(s.cat.categories.astype(str), dtype=object))
    codes, uniques = pd.factorize(s, sort=True)
    return codes.astype(np.int64), np.asarray(pd.Index(uniques).astype(str), dtype=object)


def dense(key: np.ndarray, space: int) -> tuple[np.ndarray, np.ndarray]:
    """Integer keys (0 to ``space`` - 1) numbered densely in their order: a code per element
    and the distinct keys, sorted. A count per possible key where the space is small, a hash
    otherwise."""
    if space <= 4 * len(key) + (1 << 20):
        present = np.bincount(key, minlength=space) > 0
        number = np.cumsum(present) - 1
        return number.astype(np.int32 if len(number) < 1 << 31 else np.int64)[key], \
            np.flatnonzero(present)
    codes, distinct = pd.factorize(key, sort=True)
    return codes.astype(np.int64), np.asarray(distinct, dtype=np.int64)


def series_codes(activity: pd.DataFrame, columns: Sequence[str] = SERIES
                 ) -> tuple[np.ndarray, pd.DataFrame]:
    """The series (meter) of each activity row and the distinct series.

    One integer per row from the columns' codes, numbered densely in the order of the codes
    (a count per possible value where the space is small, a hash otherwise).

    Returns
    -------
    codes : ndarray of int64
        The series of each row, 0 to the number of series - 1. [-]
    series : DataFrame
        One row per series: the columns' values as text ("" for a blank). [-]
    """
    parts = []
    space = 1
    for col in columns:
        codes, values = column_codes(activity[col])
        space *= len(values) + 1  # the last code: a missing cell
        parts.append((col, codes, np.append(values, "")))
    key: np.ndarray = np.zeros(len(activity), dtype=np.int32 if space < 1 << 31 else np.int64)
    for _, codes, values in parts:  # in place, in the narrowest integers that hold the key
        np.multiply(key, len(values), out=key)
        np.add(key, np.where(codes < 0, len(values) - 1, codes) if codes.min(initial=0) < 0
               else codes, out=key, casting="unsafe")
    codes, distinct = dense(key, space)
    out: dict[str, np.ndarray] = {}
    rest = distinct.astype(np.int64)
    for col, _, values in reversed(parts):
        rest, code = np.divmod(rest, len(values))
        out[col] = values[code]
    return codes.astype(np.int64), pd.DataFrame({c: out[c].astype(str) for c in columns})


def _order(series: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Row order by series, then start: two stable sorts, radix sorts on 16-bit keys where the
    series and the span of days fit in 16 bits (a sort of one combined key otherwise)."""
    if not len(series):
        return np.zeros(0, dtype=np.int64)
    rel = start - start.min()
    if series.max() < 1 << 16 and rel.max() < 1 << 16:
        by_start = np.argsort(rel.astype(np.uint16), kind="stable")
        return by_start[np.argsort(series[by_start].astype(np.uint16), kind="stable")]
    return np.argsort(series * (int(rel.max()) + 1) + rel, kind="stable")


@dataclass
class Spans:
    """The days each series covers, as merged spans sorted by series and first day.

    ``first_row`` / ``last_row`` are the user's row numbers of the row a span starts with and of
    the row it ends with (the first entered, when several start or end on the same day): the
    rows either side of a gap.
    """

    series: np.ndarray
    start: np.ndarray
    end: np.ndarray
    first_row: np.ndarray
    last_row: np.ndarray
    n_series: int
    _key: np.ndarray = field(init=False, repr=False)
    _cum: np.ndarray = field(init=False, repr=False)
    _first: np.ndarray = field(init=False, repr=False)
    _base: int = field(init=False, repr=False)
    _width: int = field(init=False, repr=False)

    def __post_init__(self) -> None:
        lo = int(self.start.min()) if len(self.start) else 0
        hi = int(self.end.max()) if len(self.end) else 0
        self._base = lo - 1
        self._width = hi - self._base + 2
        self._key = self.series * self._width + (self.start - self._base)
        self._cum = np.r_[0, np.cumsum(self.end - self.start + 1)]
        self._first = np.searchsorted(self._key, np.arange(self.n_series + 1) * self._width)

    @classmethod
    def merge(cls, series: np.ndarray, start: np.ndarray, end: np.ndarray, rows: np.ndarray,
              n_series: int, until: int | None = None) -> Spans:
        """Merge each series' periods (inclusive day numbers) into the spans they cover.

        ``last_row`` is found for the spans that end before ``until`` (the last day of interest:
        a gap follows them); 0 for the others.
        """
        if not len(series):
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, empty, empty, empty, empty, n_series)
        order = _order(series, start)
        k, s, e = series[order], start[order], end[order]
        base = int(e.min())
        width = int(e.max()) - base + 2
        offset = k * width
        reach = np.maximum.accumulate(offset + (e - base)) - offset + base
        new = np.ones(len(k), dtype=bool)
        new[1:] = (k[1:] != k[:-1]) | (s[1:] > reach[:-1] + 1)
        first = np.flatnonzero(new)
        last = np.r_[first[1:] - 1, len(k) - 1]
        span_end = reach[last]
        last_row = np.zeros(len(first), dtype=np.int64)
        gap_after = np.flatnonzero(span_end < until) if until is not None else \
            np.arange(len(first))
        if len(gap_after):  # the row before a gap: of the rows reaching the span's end, the
            # first entered
            size = last[gap_after] - first[gap_after] + 1
            at = np.repeat(first[gap_after], size) + np.arange(int(size.sum())) - np.repeat(
                np.cumsum(size) - size, size)
            r = rows[order[at]]
            ends_it = np.where(e[at] == np.repeat(span_end[gap_after], size), r,
                               np.iinfo(np.int64).max)
            last_row[gap_after] = np.minimum.reduceat(ends_it, np.r_[0, np.cumsum(size)[:-1]])
        return cls(k[first], s[first], span_end, rows[order[first]], last_row, n_series)

    def before(self, series: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Days each series covers before ``day`` (one query per element). [d]"""
        if not len(self.series):
            return np.zeros(len(series), dtype=np.int64)
        d = np.clip(day, self._base, self._base + self._width - 1)
        at = np.searchsorted(self._key, series * self._width + (d - self._base))
        first = self._first[series]
        prev = np.maximum(at - 1, 0)
        over = np.where(at > first, np.maximum(self.end[prev] - d + 1, 0), 0)
        return self._cum[at] - self._cum[first] - over

    def within(self, series: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """Days each series covers from ``lo`` to ``hi`` (inclusive). [d]"""
        return self.before(series, hi + 1) - self.before(series, lo)


@dataclass
class Coverage:
    """The coverage of an inventory's meters over its reporting years.

    ``meters``: one row per meter — entity_id, source, meter, use, instrument (text), months
    (the months it runs, bit ``m - 1``), declared_row (its row in the ``meters`` table, 0 = not
    declared), entity (its entity's position in the entities).
    ``table``: one row per meter and year, sorted by meter and year — meter (position in
    ``meters``), year, start and end (the days the entity is inside the boundary that year,
    datetime64[D]), days_in_boundary, days_expected, days_recorded, days_estimated, days_missing
    [d], source_missing (the entity has no row of this source that year, but has in another).
    ``gaps``: the missing days of each record as date ranges — record (position in ``table``),
    start, end (datetime64[D], inclusive), days [d], row_before, row_after (the activity rows
    either side in the user's numbering, 0 = none in that year).
    """

    years: list[int]
    meters: pd.DataFrame
    table: pd.DataFrame
    gaps: pd.DataFrame
    spans: Spans
    estimated: Spans

    def month_status(self, records: np.ndarray | None = None) -> np.ndarray:
        """Status of each month of each record (``records``: positions in ``table``; all by
        default): :data:`OUTSIDE` … :data:`RECORDED`, shape (records, 12)."""
        t = self.table if records is None else self.table.iloc[records]
        meter = t["meter"].to_numpy(dtype=np.int64)
        lo, hi = day_numbers(t["start"]), day_numbers(t["end"])
        edges = _month_edges(t["year"].to_numpy(dtype=np.int64))  # (n, 13) first days
        points = np.clip(edges, lo[:, None], hi[:, None] + 1)
        flat_m = np.repeat(meter, 13)
        covered = np.diff(self.spans.before(flat_m, points.ravel()).reshape(-1, 13), axis=1)
        est = np.diff(self.estimated.before(flat_m, points.ravel()).reshape(-1, 13), axis=1)
        inside = np.diff(points, axis=1)
        months = self.meters["months"].to_numpy(dtype=np.int64)[meter]
        expected = (months[:, None] >> np.arange(12)) & 1 == 1
        status = np.full(inside.shape, RECORDED, dtype=np.int8)
        status[est > 0] = ESTIMATED
        status[covered < inside] = PARTIAL
        status[covered == 0] = MISSING
        status[~expected & (covered == 0)] = NOT_EXPECTED
        status[inside == 0] = OUTSIDE
        return status


def _month_edges(year: np.ndarray) -> np.ndarray:
    """The first day of each month of each year, and January 1 of the next: shape (n, 13). [d]"""
    months = (year[:, None] - 1970) * 12 + np.arange(13)
    return months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)


def _gaps(spans: Spans, lo: int, hi: int) -> tuple[np.ndarray, ...]:
    """The days from ``lo`` to ``hi`` each series does not cover: (series, start, end,
    row_before, row_after), sorted by series and start."""
    k, a, b = spans.series, spans.start, spans.end
    n = spans.n_series
    same = np.r_[k[1:] == k[:-1], False] if len(k) else np.zeros(0, dtype=bool)
    inner = np.flatnonzero(same)
    first_of = np.flatnonzero(np.r_[True, k[1:] != k[:-1]]) if len(k) else np.zeros(0, int)
    last_of = np.r_[first_of[1:] - 1, len(k) - 1] if len(k) else np.zeros(0, int)
    covered = np.zeros(n, dtype=bool)
    covered[k] = True
    none = np.flatnonzero(~covered)
    zero = np.zeros(len(none), dtype=np.int64)
    series = np.concatenate([k[inner], k[first_of], k[last_of], none])
    start = np.concatenate([b[inner] + 1, np.full(len(first_of), lo), b[last_of] + 1,
                            np.full(len(none), lo)])
    end = np.concatenate([a[inner + 1] - 1, a[first_of] - 1, np.full(len(last_of), hi),
                          np.full(len(none), hi)])
    before = np.concatenate([spans.last_row[inner], np.zeros(len(first_of), np.int64),
                             spans.last_row[last_of], zero])
    after = np.concatenate([spans.first_row[inner + 1], spans.first_row[first_of],
                            np.zeros(len(last_of), np.int64), zero])
    start, end = np.maximum(start, lo), np.minimum(end, hi)
    keep = start <= end
    order = np.lexsort((start[keep], series[keep]))
    return tuple(x[keep][order] for x in (series, start, end, before, after))


def coverage(activity: pd.DataFrame, entities: pd.DataFrame, years: Sequence[int],
             declared: pd.DataFrame | None = None,
             series: tuple[np.ndarray, pd.DataFrame] | None = None,
             rows: np.ndarray | None = None) -> Coverage:
    """The coverage of each meter in each reporting year.

    Parameters
    ----------
    activity : DataFrame
        ``entity_id``, ``source``, ``meter``, ``use``, ``instrument``, ``period_start``,
        ``period_end`` (inclusive), ``data_quality``, ``row``. [-]
    entities : DataFrame
        ``entity_id``, ``parent_id``, ``included_from``, ``included_to`` (the boundary). [-]
    years : sequence of int
        The reporting years. [a]
    declared : DataFrame, optional
        Declared meters: ``entity_id``, ``source`` (key), ``meter``, ``months`` (bit set),
        ``row``. [-]
    series : (ndarray, DataFrame), optional
        :func:`series_codes` of ``activity``, when already known. [-]
    rows : ndarray of int, optional
        The number naming each activity row in ``gaps`` (``row_before``, ``row_after``; 0 means
        none): default ``activity["row"]``; an inventory read from several inputs passes the
        position + 1, since row numbers repeat from one input to the next. [-]

    Returns
    -------
    Coverage
    """
    years = sorted({int(y) for y in years})
    y_arr = np.array(years, dtype=np.int64)
    jan1, dec31 = (x.astype(np.int64) for x in boundary.year_bounds(y_arr))
    codes, found = series if series is not None else series_codes(activity)
    table = found.copy()
    # declared meters: their months on the series they name, and a series of their own when no
    # row names them (a declared meter with no rows at all)
    table["months"] = ALL_MONTHS
    table["declared_row"] = 0
    n_act = len(table)
    if declared is not None and len(declared):
        d = declared.assign(entity_id=declared["entity_id"].astype(str),
                            source=declared["source"].astype(str),
                            meter=declared["meter"].astype(str))
        keys = ["entity_id", "source", "meter"]
        hit = table[keys].reset_index().merge(d[[*keys, "months", "row"]], on=keys)
        table.loc[hit["index"].to_numpy(), "months"] = hit["months"].to_numpy()
        table.loc[hit["index"].to_numpy(), "declared_row"] = hit["row"].to_numpy()
        alone = d[~d.set_index(keys).index.isin(table.set_index(keys).index)]
        extra = pd.DataFrame({"entity_id": alone["entity_id"], "source": alone["source"],
                              "meter": alone["meter"], "use": "", "instrument": "",
                              "months": alone["months"].to_numpy(dtype=np.int64),
                              "declared_row": alone["row"].to_numpy(dtype=np.int64)})
        table = pd.concat([table, extra], ignore_index=True)
    # number the meters in the order of their text, so that every output is sorted
    order = table.sort_values(list(SERIES), kind="stable").index.to_numpy()
    renumber = np.empty(len(table), dtype=np.int64)
    renumber[order] = np.arange(len(table))
    meters = table.iloc[order].reset_index(drop=True)
    from_rows = np.zeros(len(meters), dtype=bool)
    from_rows[renumber[:n_act]] = True
    codes = renumber[codes]
    n = len(meters)
    ent_index = pd.Index(entities["entity_id"].astype(str).to_numpy())
    meters["entity"] = ent_index.get_indexer(pd.Index(meters["entity_id"]))
    # the spans each meter covers, all its rows and its estimated rows
    start, end = day_numbers(activity["period_start"]), day_numbers(activity["period_end"])
    rows = (activity["row"].to_numpy(dtype=np.int64) if rows is None
            else np.asarray(rows, dtype=np.int64))
    until = int(dec31[-1]) if len(years) else None
    spans = Spans.merge(codes, start, end, rows, n, until)
    est_mask = (activity["data_quality"] == "estimated").to_numpy()
    estimated = Spans.merge(codes[est_mask], start[est_mask], end[est_mask], rows[est_mask], n,
                            until)
    # which meters have rows in which year; which entity-and-source pairs have any
    es, _ = pd.factorize(meters["entity_id"] + "\x1f" + meters["source"])
    n_es = int(es.max()) + 1 if n else 0
    present = np.zeros((n, len(years)), dtype=bool)
    for j in range(len(years)):  # one pass over the spans per reporting year
        touch = (spans.start <= dec31[j]) & (spans.end >= jan1[j])
        present[spans.series[touch], j] = True
    es_present = np.zeros((n_es, len(years)), dtype=bool)
    if n:
        np.logical_or.at(es_present, es, present)
    es_rows = np.zeros(n_es, dtype=bool)
    es_rows[es[from_rows]] = True
    # the entity's days inside the boundary in each year
    w0, w1 = boundary.windows(entities)
    known = meters["entity"].to_numpy() >= 0
    pick = np.where(known, meters["entity"].to_numpy(), 0)
    if len(entities):
        e0, e1 = w0.astype(np.int64)[pick], w1.astype(np.int64)[pick]
    else:
        e0 = e1 = np.zeros(n, dtype=np.int64)
    lo = np.maximum(e0[:, None], jan1[None, :])
    hi = np.minimum(e1[:, None], dec31[None, :])
    inside = known[:, None] & (lo <= hi)
    missing_source = ~es_present[es] & es_rows[es][:, None] if n else present
    declared_meter = (meters["declared_row"].to_numpy() > 0)[:, None]
    wanted = inside & (present | declared_meter | missing_source)
    rec_m, rec_y = np.nonzero(wanted)  # sorted by meter, then year
    r_lo, r_hi = lo[rec_m, rec_y], hi[rec_m, rec_y]
    months = meters["months"].to_numpy(dtype=np.int64)
    table = pd.DataFrame({"meter": rec_m, "year": y_arr[rec_y],
                          "start": _dates(r_lo), "end": _dates(r_hi)})
    in_boundary = r_hi - r_lo + 1
    recorded = spans.within(rec_m, r_lo, r_hi)
    expected, missing = in_boundary.copy(), in_boundary - recorded
    seasonal = np.flatnonzero(months[rec_m] != ALL_MONTHS)
    if len(seasonal):  # month by month for the meters that run part of the year
        edges = _month_edges(y_arr[rec_y[seasonal]])
        points = np.clip(edges, r_lo[seasonal, None], r_hi[seasonal, None] + 1)
        flat_m = np.repeat(rec_m[seasonal], 13)
        cov_m = np.diff(spans.before(flat_m, points.ravel()).reshape(-1, 13), axis=1)
        days_m = np.diff(points, axis=1)
        runs = (months[rec_m[seasonal]][:, None] >> np.arange(12)) & 1 == 1
        expected[seasonal] = (days_m * runs).sum(axis=1)
        missing[seasonal] = ((days_m - cov_m) * runs).sum(axis=1)
    table["days_in_boundary"] = in_boundary
    table["days_expected"] = expected
    table["days_recorded"] = recorded
    table["days_estimated"] = estimated.within(rec_m, r_lo, r_hi)
    table["days_missing"] = missing
    table["source_missing"] = missing_source[rec_m, rec_y] if len(rec_m) else np.zeros(0, bool)
    gaps = _record_gaps(spans, table, rec_m, rec_y, r_lo, r_hi, months, years, jan1, dec31)
    return Coverage(years, meters, table, gaps, spans, estimated)


def _record_gaps(spans: Spans, table: pd.DataFrame, rec_m: np.ndarray, rec_y: np.ndarray,
                 r_lo: np.ndarray, r_hi: np.ndarray, months: np.ndarray, years: list[int],
                 jan1: np.ndarray, dec31: np.ndarray) -> pd.DataFrame:
    """Each record's missing days as ranges: the meter's uncovered days cut to the record's days
    in boundary and, for a seasonal meter, to the months it runs."""
    columns = ["record", "start", "end", "days", "row_before", "row_after"]
    if not len(rec_m):
        return pd.DataFrame({c: np.zeros(0, dtype=np.int64) for c in columns})
    g_k, g_a, g_b, g_before, g_after = _gaps(spans, int(jan1[0]), int(dec31[-1]))
    record_of = np.full((spans.n_series, len(years)), -1, dtype=np.int64)
    record_of[rec_m, rec_y] = np.arange(len(rec_m))
    parts = []
    for j in range(len(years)):  # one pass over the gaps per reporting year
        rec = record_of[g_k, j]
        has = rec >= 0
        r = rec[has]
        a = np.maximum(g_a[has], r_lo[r])
        b = np.minimum(g_b[has], r_hi[r])
        ok = a <= b
        parts.append((r[ok], a[ok], b[ok],
                      np.where(a[ok] == g_a[has][ok], g_before[has][ok], 0),
                      np.where(b[ok] == g_b[has][ok], g_after[has][ok], 0)))
    rec, a, b, before, after = (np.concatenate(x) for x in zip(*parts, strict=True))
    seasonal = months[rec_m[rec]] != ALL_MONTHS
    if seasonal.any():
        cut = _in_season(rec[seasonal], a[seasonal], b[seasonal], before[seasonal],
                         after[seasonal], months[rec_m[rec[seasonal]]])
        rest = (rec[~seasonal], a[~seasonal], b[~seasonal], before[~seasonal], after[~seasonal])
        rec, a, b, before, after = (np.concatenate(x) for x in zip(rest, cut, strict=True))
    order = np.lexsort((a, rec))
    rec, a, b, before, after = rec[order], a[order], b[order], before[order], after[order]
    return pd.DataFrame({"record": rec, "start": _dates(a), "end": _dates(b),
                         "days": b - a + 1, "row_before": before, "row_after": after})


def _in_season(rec: np.ndarray, a: np.ndarray, b: np.ndarray, before: np.ndarray,
               after: np.ndarray, months: np.ndarray) -> tuple[np.ndarray, ...]:
    """Cut gaps (each within one year) to the months their meter runs."""
    m0 = a.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    m1 = b.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    count = m1 - m0 + 1
    at = np.repeat(np.arange(len(a)), count)
    step = np.arange(len(at)) - np.repeat(np.cumsum(count) - count, count)
    month = m0[at] + step
    first = month.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    last = (month + 1).astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) - 1
    pa_, pb = np.maximum(a[at], first), np.minimum(b[at], last)
    runs = (months[at] >> (month % 12)) & 1 == 1
    at, pa_, pb = at[runs], pa_[runs], pb[runs]
    if not len(at):
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(5))
    # join the pieces of one gap that follow each other (months it runs, one after another)
    joined = np.r_[False, (at[1:] == at[:-1]) & (pa_[1:] == pb[:-1] + 1)]
    head = np.flatnonzero(~joined)
    tail = np.r_[head[1:] - 1, len(at) - 1]
    g = at[head]
    s, e = pa_[head], pb[tail]
    return (rec[g], s, e, np.where(s == a[g], before[g], 0), np.where(e == b[g], after[g], 0))


def partial_years(entities: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """The entity-years inside the boundary for part of the year only.

    Returns
    -------
    DataFrame
        entity (position in ``entities``), year, start, end (datetime64[D], the days inside),
        days, year_days [d]; sorted by entity and year.
    """
    y = np.array(sorted({int(v) for v in years}), dtype=np.int64)
    if not len(entities) or not len(y):
        return pd.DataFrame({c: [] for c in ("entity", "year", "start", "end", "days",
                                             "year_days")})
    w0, w1 = (w.astype(np.int64) for w in boundary.windows(entities))
    jan1, dec31 = (x.astype(np.int64) for x in boundary.year_bounds(y))
    lo = np.maximum(w0[:, None], jan1[None, :])
    hi = np.minimum(w1[:, None], dec31[None, :])
    part = (lo <= hi) & ((lo > jan1[None, :]) | (hi < dec31[None, :]))
    e, j = np.nonzero(part)
    return pd.DataFrame({"entity": e, "year": y[j], "start": _dates(lo[e, j]),
                         "end": _dates(hi[e, j]), "days": hi[e, j] - lo[e, j] + 1,
                         "year_days": dec31[j] - jan1[j] + 1})
