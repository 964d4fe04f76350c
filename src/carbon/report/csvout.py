"""CSV output: one line per year and figure (long form), easy to pivot in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from carbon import metrics
from carbon.report.write import neutralise


def render(result: dict[str, Any]) -> str:
    """Every declared figure, denominator and intensity of every year (an optional figure only
    where the year has it), then each source's figures (``by_source.<key>``) and each stream's
    (``by_stream.<key>``, source ``<source>/<stream>``); units as computed (``tCO2`` where only
    CO2 was counted)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["year", "metric", "source", "value", "unit"])
    units = result.get("units", {})

    def unit(key: str) -> str:
        return units.get(key) or metrics.unit_of(key)

    keys = [*(m.key for m in metrics.METRICS), *metrics.DENOMINATORS,
            *(r.key for r in metrics.RATIOS)]
    # a source's keys named apart from their figure; tco2e_market is not written (as before)
    renamed = {"tco2e": "total_location_tco2e"}

    def parts(year: str, kind: str, name: str, vals: dict[str, Any]) -> None:
        for k, v in vals.items():
            if k in ("unit", "streams", "tco2e_market"):
                continue
            u = vals["unit"] if k == "quantity" else unit(renamed.get(k, k))
            w.writerow([year, f"{kind}.{k}", neutralise(name), "" if v is None else repr(v), u])

    for year, fig in result["years"].items():
        for key in keys:
            if key not in metrics.DENOMINATORS and not metrics.has(fig, key):
                continue  # an optional figure the year does not have
            v = fig.get(key) if key in metrics.DENOMINATORS else metrics.value(fig, key)
            w.writerow([year, key, "", "" if v is None else repr(v), unit(key)])
        for src, vals in fig["by_source"].items():
            parts(year, "by_source", src, vals)
            for stream, part in vals.get("streams", {}).items():
                parts(year, "by_stream", f"{src}/{stream}", part)
    return buf.getvalue()
