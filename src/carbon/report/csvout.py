"""CSV output: one line per year and figure (long form), easy to pivot in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from carbon import metrics
from carbon.report.write import neutralise


def render(result: dict[str, Any]) -> str:
    """Every declared figure, denominator and intensity of every year, then the consumption by
    source; units as computed (``tCO2`` where only CO2 was counted)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["year", "metric", "source", "value", "unit"])
    units = result.get("units", {})

    def unit(key: str) -> str:
        return units.get(key) or metrics.unit_of(key)

    keys = [*(m.key for m in metrics.METRICS), *metrics.DENOMINATORS,
            *(r.key for r in metrics.RATIOS)]
    for year, fig in result["years"].items():
        for key in keys:
            v = fig.get(key) if key in metrics.DENOMINATORS else metrics.value(fig, key)
            w.writerow([year, key, "", "" if v is None else repr(v), unit(key)])
        for src, vals in fig["by_source"].items():
            for k, u in (("quantity", vals["unit"]), ("energy_kwh", unit("energy_kwh")),
                         ("energy_tce", unit("energy_tce")),
                         ("tco2e", unit("total_location_tco2e"))):
                w.writerow([year, f"by_source.{k}", neutralise(src), repr(vals[k]), u])
    return buf.getvalue()
