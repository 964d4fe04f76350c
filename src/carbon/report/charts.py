"""The report's charts: Scope 1 and Scope 2 by year, the energy mix, the intensity trend, and —
where the inventory has water or waste in tonnes — water and waste per employee.

:func:`chart_data` takes the series from the JSON contract dict (no figure is recomputed); the
workbook draws them as native Excel charts, :func:`render` as PNG and SVG with matplotlib for the
report's designers. The SVG is deterministic (fixed hash salt, no date), so identical results give
identical files.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from carbon import vocab
from carbon.report.labels import label

#: File stems of the charts, in the order they are drawn (the last only with water or waste).
NAMES = ("scope-by-year", "energy-mix", "intensity-trend", "water-waste-per-person")
#: The per-employee series of the water and waste chart: (intensity key, label, axis).
PER_PERSON = (("water_m3_per_person", "water_per_person", "m³/person"),
              ("waste_hazardous_t_per_person", "waste_hazardous_per_person", "t/person"),
              ("waste_non_hazardous_t_per_person", "waste_non_hazardous_per_person", "t/person"))

#: Font families that draw Chinese, tried in this order when a chart's labels are Chinese.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK TC", "Source Han Sans SC", "Source Han Sans TC",
             "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Microsoft YaHei", "Microsoft JhengHei",
             "PingFang SC", "PingFang TC", "Heiti SC", "SimHei", "AR PL UMing CN", "Droid Sans Fallback")


@dataclass(frozen=True)
class ChartData:
    """The series of the charts, one value per year.

    ``scope1`` and ``scope2`` in [t CO2e]; ``energy`` per energy source key in [kWh];
    ``ghg_per_m2`` in [t CO2e/m²] and ``energy_per_m2`` in [kWh/m²] (None without floor area);
    ``per_person``: the water and waste intensities the run has, by intensity key, water in
    [m³/person], waste in [t/person] (None where a year has no headcount or no such figure).
    """

    years: list[str]
    scope1: list[float]
    scope2: list[float]
    energy: dict[str, list[float]]
    ghg_per_m2: list[float | None]
    energy_per_m2: list[float | None]
    per_person: dict[str, list[float | None]]

    @property
    def names(self) -> tuple[str, ...]:
        """The stems of the charts this data draws."""
        return NAMES if self.per_person else NAMES[:3]


def chart_data(result: dict[str, Any]) -> ChartData:
    """The chart series of a ``summarize()`` result."""
    ys = result["years"]
    years = list(ys)
    sources = sorted({s for y in years for s in ys[y]["by_source"] if vocab.sources()[s].energy},
                     key=lambda s: (list(vocab.sources()).index(s), s))
    return ChartData(
        years=years,
        scope1=[ys[y]["scope1_tco2e"] for y in years],
        scope2=[ys[y]["scope2_location_tco2e"] for y in years],
        energy={s: [ys[y]["by_source"].get(s, {}).get("energy_kwh", 0.0) for y in years]
                for s in sources},
        ghg_per_m2=[ys[y]["intensity"]["total_tco2e_per_m2"] for y in years],
        energy_per_m2=[ys[y]["intensity"]["energy_kwh_per_m2"] for y in years],
        per_person={key: [ys[y]["intensity"].get(key) for y in years]
                    for key, _, _ in PER_PERSON
                    if any(key in ys[y]["intensity"] for y in years)},
    )


def cjk_font() -> str | None:
    """The first installed font family of :data:`CJK_FONTS`, or None."""
    from matplotlib import font_manager

    have = {f.name for f in font_manager.fontManager.ttflist}
    return next((f for f in CJK_FONTS if f in have), None)


def render(result: dict[str, Any], lang: str) -> tuple[dict[str, bytes], str]:
    """The three charts as PNG and SVG files.

    Parameters
    ----------
    result : dict
        A ``summarize()`` result.
    lang : str
        Label language; Chinese labels need a CJK font, else the labels are English.

    Returns
    -------
    files : dict
        File name → content, e.g. ``scope-by-year.svg``.
    lang : str
        The language the labels were drawn in.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    font = cjk_font() if lang != "en" else None
    if lang != "en" and font is None:
        lang = "en"
    d = chart_data(result)
    sans = [*([font] if font else []), "DejaVu Sans"]
    thousands = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    files: dict[str, bytes] = {}
    with plt.rc_context({"svg.hashsalt": "carbon", "svg.fonttype": "none", "font.size": 9,
                         "font.family": ["sans-serif"], "font.sans-serif": sans}):
        figures: list[tuple[Any, Any, str]] = []
        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        ax.bar(d.years, d.scope1, label=label("scope1", lang), color="#4C72B0")
        ax.bar(d.years, d.scope2, bottom=d.scope1, label=label("scope2", lang), color="#DD8452")
        ax.set_ylabel("t CO2e")
        ax.yaxis.set_major_formatter(thousands)
        figures.append((fig, ax, label("chart_scopes", lang)))

        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        bottom = [0.0] * len(d.years)
        for source, values in d.energy.items():
            ax.bar(d.years, values, bottom=bottom, label=vocab.sources()[source].label(lang))
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        ax.set_ylabel("kWh")
        ax.yaxis.set_major_formatter(thousands)
        figures.append((fig, ax, label("chart_mix", lang)))

        fig, ax = plt.subplots(figsize=(6.4, 4.0))
        nan = float("nan")
        ax.plot(d.years, [nan if v is None else v for v in d.ghg_per_m2], marker="o",
                color="#4C72B0", label=label("ghg_per_m2", lang) + " (t CO2e/m²)")
        ax.set_ylabel("t CO2e/m²")
        right = ax.twinx()
        right.plot(d.years, [nan if v is None else v for v in d.energy_per_m2], marker="s",
                   color="#55A868", label=label("energy_per_m2", lang) + " (kWh/m²)")
        right.set_ylabel("kWh/m²")
        lines = ax.get_lines() + right.get_lines()
        figures.append((fig, (ax, lines), label("chart_intensity", lang)))

        if d.per_person:  # water on the left axis, waste (t) on the right; waste alone left
            fig, ax = plt.subplots(figsize=(6.4, 4.0))
            water = "water_m3_per_person" in d.per_person
            right = ax.twinx() if water and len(d.per_person) > 1 else ax
            for (key, name, unit), color in zip(PER_PERSON, ("#4C72B0", "#C44E52", "#55A868"),
                                                strict=True):
                if key in d.per_person:
                    side = ax if unit.startswith("m³") else right
                    side.plot(d.years, [nan if v is None else v for v in d.per_person[key]],
                              marker="o", color=color, label=f"{label(name, lang)} ({unit})")
            ax.set_ylabel("m³/person" if water else "t/person")
            if right is not ax:
                right.set_ylabel("t/person")
            lines = ax.get_lines() + (right.get_lines() if right is not ax else [])
            figures.append((fig, (ax, lines), label("chart_per_person", lang)))

        for name, (fig, ax, title) in zip(d.names, figures, strict=True):
            fig.axes[0].set_title(title)
            ax, lines = ax if isinstance(ax, tuple) else (ax, ax.get_legend_handles_labels()[0])
            names = [str(h.get_label()) for h in lines]
            wide = sum(len(n) for n in names) > 90  # long labels: one a line, not off the page
            ax.legend(lines, names, fontsize=8, frameon=False, loc="upper center",
                      bbox_to_anchor=(0.5, -0.08), ncol=1 if wide else 3)
            fig.tight_layout()
            for fmt, meta in (("png", {"Software": None}), ("svg", {"Date": None})):
                buf = io.BytesIO()
                fig.savefig(buf, format=fmt, dpi=150, metadata=meta)
                files[f"{name}.{fmt}"] = buf.getvalue()
            plt.close(fig)
    return files, lang
