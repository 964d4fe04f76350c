"""The report's charts: Scope 1 and Scope 2 by year, the energy mix, the intensity trend, and —
where the inventory has water or waste in tonnes — water and waste per employee.

Each figure's series share one axis (no second axis): figures with two measures draw them as
panels side by side, so Scope 1 stays visible beside a Scope 2 fifty times larger, and energy in
MWh (or GWh) where kWh would need eight digits. The workbook's native charts and the PNG/SVG
files use the same panels and the same colours (:data:`PALETTE`).

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

#: Colours by series, the same in the workbook's charts and the PNG/SVG files (hex RGB).
PALETTE = {"scope1": "4C72B0", "scope2": "DD8452", "ghg_per_m2": "4C72B0",
           "energy_per_m2": "55A868", "water_m3_per_person": "4C72B0",
           "waste_hazardous_t_per_person": "C44E52", "waste_non_hazardous_t_per_person": "55A868"}
#: Colours of the energy mix, by the source's place in the vocabulary.
SOURCE_COLOURS = ("4C72B0", "DD8452", "55A868", "C44E52", "8172B3", "937860", "DA8BC3",
                  "8C8C8C", "CCB974", "64B5CD")


def source_colour(source: str) -> str:
    """A source's colour in the energy mix (hex RGB)."""
    return SOURCE_COLOURS[list(vocab.sources()).index(source) % len(SOURCE_COLOURS)]


def energy_scale(values: list[float]) -> tuple[float, str]:
    """The divisor and unit that keep an energy axis short: kWh below a million, MWh below a
    billion, else GWh."""
    top = max((abs(v) for v in values), default=0.0)
    return (1.0, "kWh") if top < 1e6 else (1e3, "MWh") if top < 1e9 else (1e6, "GWh")


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
    """The first installed font family of :data:`CJK_FONTS`, or None. A CJK font installed after
    matplotlib built its font cache is added to it (the cache would not list it)."""
    from matplotlib import font_manager

    def found() -> str | None:
        have = {f.name for f in font_manager.fontManager.ttflist}
        return next((f for f in CJK_FONTS if f in have), None)

    name = found()
    if name is None:
        for path in font_manager.findSystemFonts():
            low = path.lower()
            if any(k in low for k in ("cjk", "wqy", "sourcehan", "droidsansfallback", "msyh",
                                      "simhei", "pingfang", "ukai", "uming")):
                try:
                    font_manager.fontManager.addfont(path)
                except (OSError, RuntimeError, ValueError):  # a font file it cannot read
                    continue
        name = found()
    return name


def render(result: dict[str, Any], lang: str) -> tuple[dict[str, bytes], str]:
    """The charts as PNG and SVG files.

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
    nan = float("nan")

    def line(ax: Any, key: str, values: list[float | None], text: str) -> None:
        ax.plot(d.years, [nan if v is None else v for v in values], marker="o",
                color=f"#{PALETTE[key]}", label=text)

    def panel(ax: Any, title: str, unit: str) -> None:
        ax.set_title(title, fontsize=9)
        ax.set_ylabel(unit)
        ax.set_ylim(bottom=0)

    with plt.rc_context({"svg.hashsalt": "carbon", "svg.fonttype": "none", "font.size": 9,
                         "font.family": ["sans-serif"], "font.sans-serif": sans}):
        figures: list[tuple[Any, str]] = []
        fig, (one, two) = plt.subplots(1, 2, figsize=(7.2, 3.8))
        for ax, key, values in ((one, "scope1", d.scope1), (two, "scope2", d.scope2)):
            bars = ax.bar(d.years, values, color=f"#{PALETTE[key]}")
            ax.bar_label(bars, labels=[f"{v:,.0f}" if v >= 100 else f"{v:,.2f}" for v in values],
                         fontsize=7, padding=2)
            panel(ax, label(key, lang), "t CO2e")
            ax.yaxis.set_major_formatter(thousands)
            ax.margins(y=0.15)
        figures.append((fig, label("chart_scopes", lang)))

        fig, ax = plt.subplots(figsize=(7.2, 3.8))
        divisor, unit = energy_scale([sum(v) for v in zip(*d.energy.values(), strict=True)]
                                     if d.energy else [])
        bottom = [0.0] * len(d.years)
        for source, values in d.energy.items():
            scaled = [v / divisor for v in values]
            ax.bar(d.years, scaled, bottom=bottom, label=vocab.sources()[source].label(lang),
                   color=f"#{source_colour(source)}")
            bottom = [b + v for b, v in zip(bottom, scaled, strict=True)]
        ax.set_ylabel(unit)
        ax.yaxis.set_major_formatter(thousands)
        ax.legend(fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.08),
                  ncol=3)
        figures.append((fig, label("chart_mix", lang)))

        fig, (one, two) = plt.subplots(1, 2, figsize=(7.2, 3.8))
        line(one, "ghg_per_m2", d.ghg_per_m2, label("ghg_per_m2", lang))
        panel(one, label("ghg_per_m2", lang), "t CO2e/m²")
        line(two, "energy_per_m2", d.energy_per_m2, label("energy_per_m2", lang))
        panel(two, label("energy_per_m2", lang), "kWh/m²")
        figures.append((fig, label("chart_intensity", lang)))

        if d.per_person:  # water per employee and waste per employee, each its own panel
            water = [(k, n, u) for k, n, u in PER_PERSON if k in d.per_person
                     and u.startswith("m³")]
            waste = [(k, n, u) for k, n, u in PER_PERSON if k in d.per_person
                     and not u.startswith("m³")]
            groups = [g for g in (water, waste) if g]
            fig, axes = plt.subplots(1, len(groups), figsize=(7.2, 3.8), squeeze=False)
            for ax, group in zip(axes[0], groups, strict=True):
                for key, name, _ in group:
                    line(ax, key, d.per_person[key], label(name, lang))
                panel(ax, " / ".join(label(n, lang) for _, n, _ in group), group[0][2])
                if len(group) > 1:
                    ax.legend(fontsize=8, frameon=False, loc="upper center",
                              bbox_to_anchor=(0.5, -0.1), ncol=1)
            figures.append((fig, label("chart_per_person", lang)))

        for name, (fig, title) in zip(d.names, figures, strict=True):
            fig.suptitle(title, fontsize=10)
            fig.tight_layout()
            for fmt, meta in (("png", {"Software": None}), ("svg", {"Date": None})):
                buf = io.BytesIO()
                fig.savefig(buf, format=fmt, dpi=150, metadata=meta)
                files[f"{name}.{fmt}"] = buf.getvalue()
            plt.close(fig)
    return files, lang
