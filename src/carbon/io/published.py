"""Read the figures of an earlier report (``--published FILE``): a CSV of year, metric, value."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from carbon.errors import InputError, Problem
from carbon.io import parse
from carbon.io.source import decode, read_input

COLUMNS = ("year", "metric", "value")


def read_published(path: Path, metrics: Iterable[str], years: Iterable[int]) -> pd.DataFrame:
    """The published figures, each with the number of decimals it was printed with.

    Parameters
    ----------
    path : Path
        CSV (UTF-8; GB18030 or Big5 when plainly so) with the columns ``year``, ``metric``, ``value``.
    metrics, years : iterable
        The metrics and years that can be compared.

    Returns
    -------
    DataFrame
        ``year``, ``metric``, ``value`` and ``decimals`` (digits after the decimal point as
        printed), ``row``.

    Raises
    ------
    InputError
        Every bad cell of the file.
    """
    name = path.name
    text = decode(read_input(path, name), name).text
    try:
        lines = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise InputError([Problem(name, None, None, None, "unreadable", "",
                                  f"not readable as CSV ({exc})", "save it as CSV UTF-8")]) from None
    header = [h.strip().lower() for h in (lines[0] if lines else [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError([Problem(name, None, 1, c, "missing_column", "",
                                  f"the published figures have no column {c!r}",
                                  "write a header row: year,metric,value") for c in missing])
    body = [(i + 2, r) for i, r in enumerate(lines[1:]) if any(x.strip() for x in r)]
    cols = {c: pd.Series([(r[header.index(c)] if header.index(c) < len(r) else "").strip()
                          for _, r in body], dtype=object) for c in COLUMNS}
    rows = np.array([i for i, _ in body], dtype=np.int64)
    problems: list[Problem] = []

    def report(mask: np.ndarray, column: str, code: str, message: str, fix: str) -> None:
        for pos in np.flatnonzero(mask):
            problems.append(Problem(name, None, int(rows[pos]), column, code,
                                    str(cols[column].iloc[pos]), message, fix))

    year, bad_year = parse.years(cols["year"])
    report(bad_year | np.isnan(year) & ~bad_year, "year", "not_a_year", "not a year",
           "write a four-digit year, 2023")
    known_years = sorted(set(years))
    other = np.isfinite(year) & ~np.isin(year, known_years)
    report(other, "year", "not_restated", "this year is not restated",
           f"use one of {', '.join(map(str, known_years))}, or restate it with --years")
    names = list(metrics)
    metric = cols["metric"].str.lower()
    report(~metric.isin(names).to_numpy(), "metric", "unknown_metric", "not a restated metric",
           f"write one of {', '.join(names)}")
    value, bad = parse.numbers(cols["value"])
    report(bad | np.isnan(value) & ~bad, "value", "not_a_number", "not a number",
           "write the figure as printed, e.g. 6,000.0")
    if problems:
        raise InputError(problems)
    decimals = cols["value"].str.replace(",", "", regex=False).str.extract(r"\.(\d+)")[0]
    return pd.DataFrame({"year": year.astype(np.int64), "metric": metric, "value": value,
                         "decimals": decimals.fillna("").str.len().to_numpy(), "row": rows})
