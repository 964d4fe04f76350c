"""The rows of the KPI table, from the declared metrics: what the console and the workbook show.

One generator for both: a section heading per HKEX KPI section that the run has a figure of, each
figure the run has (a twin shown only where it differs, detail rows on request), the streams a
figure's source was entered in (kitchen waste, office refuse …) under it, the intensities under
their figure with their coverage when partial, then the energy consumption by source and the
denominators.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from carbon import metrics, vocab
from carbon.i18n import Msg, _, tr
from carbon.metrics import L, display_unit, value

SOURCES = L("各能源消耗量（A2.1，按类型）", "各能源消耗量（A2.1，按類型）",
            "Energy consumption by type (A2.1)")
AS_ENTERED = L("　实物量", "　實物量", "  in its own unit")
DENOMINATORS = L("强度分母", "強度分母", "Intensity denominators")
OF_WHICH = L("　其中：", "　其中：", "  of which ")
#: The warning codes that say how an environmental figure was made: the KPI sheet's notes.
METHOD_NOTES = ("no_unit_mass", "no_density", "unit_mass_assumed", "air_partial",
                "air_two_methods", "sulphur_limit")


@dataclass(frozen=True)
class Row:
    """One figure row: label, unit as printed, decimals, one value per year (None = none), and
    the key it shows (a metric, ratio, denominator or ``source:<key>``)."""

    label: str
    unit: str
    decimals: int
    values: list[Any]
    key: str
    level: int = 0  # 0 a figure, 1 a sub-row (an intensity, a gas)


def _unit(result: dict[str, Any], key: str, lang: str = "en") -> str:
    return display_unit(result.get("units", {}).get(key) or metrics.unit_of(key), lang)


def _coverage(result: dict[str, Any], den: str, lang: str) -> str:
    """`` (28 of 30 entities)`` where an intensity covers only some entities in some year."""
    parts = set()
    for fig in result["years"].values():
        basis = fig.get("intensity_basis")
        if basis and basis[f"{den}_entities"] < basis["entities"]:
            parts.add((basis[f"{den}_entities"], basis["entities"]))
    if not parts:
        return ""
    shown = "; ".join(
        {"zh-Hans": f"{a}/{b}个单位", "zh-Hant": f"{a}/{b}個單位"}.get(lang, f"{a} of {b} entities")
        for a, b in sorted(parts))
    return f"（{shown}）" if lang != "en" else f" ({shown})"


def _streams(result: dict[str, Any], source: str) -> list[str]:
    """The streams of a source in any year, in the order the JSON lists them."""
    return list(dict.fromkeys(
        st for f in result["years"].values()
        for st in f["by_source"].get(source, {}).get("streams", {})))


def _stream_rows(result: dict[str, Any], m: metrics.Metric, lang: str) -> Iterator[Row]:
    """A figure's parts by stream (``  of which kitchen waste``), where the rows of the sources
    that hold it (its ``entered`` category) name streams."""
    entered = m.entered if isinstance(m, metrics.Rated) else ""
    for source in (k for k, s in vocab.sources().items() if entered and s.category == entered):
        for stream in _streams(result, source):
            values = [f["by_source"].get(source, {}).get("streams", {}).get(stream, {})
                      .get(m.key) for f in result["years"].values()]
            if any(v is not None for v in values):
                yield Row(OF_WHICH(lang) + stream, _unit(result, m.key, lang), m.decimals,
                          values, f"stream:{source}:{stream}:{m.key}", 1)


def has_environment(result: dict[str, Any]) -> bool:
    """Whether the run has a figure beyond energy and greenhouse gases (water, waste …)."""
    return any(metrics.ENV in f for f in result["years"].values())


def subject(result: dict[str, Any]) -> Msg:
    """What the console table covers, for its title."""
    return (_("environmental KPIs (energy, greenhouse gases, water, waste, paper, air)")
            if has_environment(result) else _("energy and greenhouse gases"))


def method_notes(result: dict[str, Any], lang: str = "en") -> list[str]:
    """The run's warnings that say how an environmental figure was made (the KPI notes), in
    ``lang``."""
    return [tr(w["message"], lang) for w in result["warnings"] if w["code"] in METHOD_NOTES]


def visible(m: metrics.Metric, result: dict[str, Any], detail: bool) -> bool:
    """Whether a metric's row is shown: it has a value in some year; a detail row only when
    asked for; a twin only where it differs from its twin."""
    ys = list(result["years"].values())
    vals = [value(f, m.key) for f in ys]
    if all(v is None for v in vals) or (m.detail and (not detail or not any(vals))):
        return False
    if m.twin:
        return any(v != value(f, m.twin) for v, f in zip(vals, ys, strict=True))
    return True


def kpi_rows(result: dict[str, Any], lang: str, detail: bool = False) -> Iterator[Row | str]:
    """The KPI table's rows and section headings (``str``) in ``lang``.

    Parameters
    ----------
    result : dict
        A ``summarize()`` result.
    lang : {"zh-Hans", "zh-Hant", "en"}
        Language of the labels.
    detail : bool
        Show the detail rows (Scope 1 by gas).
    """
    ys = list(result["years"].values())
    for section, title in metrics.SECTIONS.items():
        shown = [m for m in metrics.METRICS if m.section == section and visible(m, result, detail)]
        if not shown:
            continue
        yield title(lang)
        pending: list[Row] = []  # a figure's intensities, after its detail rows
        for m in shown:
            if not m.detail:
                yield from pending
                pending = []
            yield Row(m.label(lang), _unit(result, m.key, lang), m.decimals,
                      [value(f, m.key) for f in ys], m.key, 1 if m.detail else 0)
            yield from _stream_rows(result, m, lang)
            for r in metrics.ratios_of(m.key):
                den = metrics.DENOMINATORS[r.den]
                pending.append(Row(den.per(lang) + _coverage(result, r.den, lang),
                                   _unit(result, m.key, lang) + den.per_unit(lang), r.decimals,
                                   [value(f, r.key) for f in ys], r.key, 1))
        yield from pending
    sources = sorted({s for f in ys for s in f["by_source"] if vocab.sources()[s].energy},
                     key=lambda s: (list(vocab.sources()).index(s), s))
    if sources:  # HKEX A2.1 by type: each source's energy in kWh, its quantity as entered under it
        yield SOURCES(lang)
        for s in sources:
            src = vocab.sources()[s]
            yield Row(src.label(lang), "kWh", 0,
                      [f["by_source"][s]["energy_kwh"] if s in f["by_source"] else None
                       for f in ys], f"source:{s}:kwh")
            if src.report_unit != "kWh":
                yield Row(AS_ENTERED(lang), display_unit(src.report_unit), 2,
                          [f["by_source"][s]["quantity"] if s in f["by_source"] else None
                           for f in ys], f"source:{s}", 1)
            for stream in _streams(result, s):
                yield Row(OF_WHICH(lang) + stream, display_unit(src.report_unit), 2,
                          [f["by_source"].get(s, {}).get("streams", {}).get(stream, {})
                           .get("quantity") for f in ys], f"source:{s}:{stream}", 1)
    yield DENOMINATORS(lang)
    persons = {"zh-Hans": "人", "zh-Hant": "人"}
    for key, den in metrics.DENOMINATORS.items():
        unit = persons.get(lang, den.unit) if den.unit == "persons" else display_unit(den.unit)
        yield Row(den.label(lang), unit, den.decimals, [f.get(key) for f in ys], key)
