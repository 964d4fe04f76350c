"""Read the figures of an earlier report (``--published FILE``): a CSV of year, metric, value."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from carbon.errors import InputError, Problem
from carbon.i18n import Msg, _, quoted
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
                                  _("not readable as CSV ({error})", error=exc),
                                  _("save it as CSV UTF-8"))]) from None
    header = [h.strip().lower() for h in (lines[0] if lines else [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError([Problem(name, None, 1, c, "missing_column", "",
                                  _("the published figures have no column {column}",
                                    column=quoted(c)),
                                  _("write a header row: year,metric,value")) for c in missing])
    body = [(i + 2, r) for i, r in enumerate(lines[1:]) if any(x.strip() for x in r)]
    cols = {c: pd.Series([(r[header.index(c)] if header.index(c) < len(r) else "").strip()
                          for _, r in body], dtype=object) for c in COLUMNS}
    rows = np.array([i for i, _ in body], dtype=np.int64)
    problems: list[Problem] = []

    def report(mask: np.ndarray, column: str, code: str, message: Msg, fix: Msg) -> None:
        for pos in np.flatnonzero(mask):
            problems.append(Problem(name, None, int(rows[pos]), column, code,
                                    str(cols[column].iloc[pos]), message, fix))

    year, bad_year = parse.years(cols["year"])
    report(bad_year | np.isnan(year) & ~bad_year, "year", "not_a_year", _("not a year"),
           _("write a four-digit year, 2023"))
    known_years = sorted(set(years))
    other = np.isfinite(year) & ~np.isin(year, known_years)
    report(other, "year", "not_restated", _("this year is not restated"),
           _("use one of {years}, or restate it with --year",
             years=", ".join(map(str, known_years))))
    names = list(metrics)
    metric = cols["metric"].str.lower()
    report(~metric.isin(names).to_numpy(), "metric", "unknown_metric",
           _("not a restated metric"), _("write one of {metrics}", metrics=", ".join(names)))
    value, bad = parse.numbers(cols["value"])
    report(bad | np.isnan(value) & ~bad, "value", "not_a_number", _("not a number"),
           _("write the figure as printed, e.g. 6,000.0"))
    if problems:
        raise InputError(problems)
    decimals = cols["value"].str.replace(",", "", regex=False).str.extract(r"\.(\d+)")[0]
    return pd.DataFrame({"year": year.astype(np.int64), "metric": metric, "value": value,
                         "decimals": decimals.fillna("").str.len().to_numpy(), "row": rows})
