"""CSV output: one line per year and figure (long form), easy to pivot in a spreadsheet."""

from __future__ import annotations

import csv
import io
from typing import Any

from carbon.report.write import neutralise

UNITS = {"energy_kwh": "kWh", "energy_direct_kwh": "kWh", "energy_indirect_kwh": "kWh",
         "energy_tce": "tce", "scope1_tco2e": "tCO2e", "scope2_location_tco2e": "tCO2e",
         "scope2_market_tco2e": "tCO2e", "total_location_tco2e": "tCO2e",
         "total_market_tco2e": "tCO2e", "floor_area_m2": "m2", "headcount": "persons",
         "energy_kwh_per_m2": "kWh/m2", "scope1_tco2e_per_m2": "tCO2e/m2",
         "scope2_tco2e_per_m2": "tCO2e/m2", "total_tco2e_per_m2": "tCO2e/m2",
         "total_tco2e_per_person": "tCO2e/person", "energy_kwh_per_person": "kWh/person"}


def render(result: dict[str, Any]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["year", "metric", "source", "value", "unit"])
    for year, fig in result["years"].items():
        for key, value in fig.items():
            if key == "intensity":
                for k, v in value.items():
                    w.writerow([year, k, "", "" if v is None else repr(v), UNITS[k]])
            elif key == "by_source":
                for src, vals in value.items():
                    for k in ("quantity", "energy_kwh", "energy_tce", "tco2e"):
                        unit = vals["unit"] if k == "quantity" else UNITS.get(k, "tCO2e")
                        w.writerow([year, f"by_source.{k}", neutralise(src), repr(vals[k]), unit])
            else:
                w.writerow([year, key, "", "" if value is None else repr(value), UNITS[key]])
    return buf.getvalue()
