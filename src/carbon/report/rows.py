"""The rows of the KPI table, from the declared metrics: what the console and the workbook show.

One generator for both: a section heading per HKEX KPI section, each figure the run has (a twin
shown only where it differs, detail rows on request), the intensities under their figure with
their coverage when partial, then the consumption by source and the denominators.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from carbon import metrics, vocab
from carbon.metrics import L, display_unit, value

SOURCES = L("各能源消耗量", "各能源消耗量", "Consumption by source")
DENOMINATORS = L("强度分母", "強度分母", "Intensity denominators")


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


def _unit(result: dict[str, Any], key: str) -> str:
    return display_unit(result.get("units", {}).get(key) or metrics.unit_of(key))


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
            yield Row(m.label(lang), _unit(result, m.key), m.decimals,
                      [value(f, m.key) for f in ys], m.key, 1 if m.detail else 0)
            for r in metrics.ratios_of(m.key):
                den = metrics.DENOMINATORS[r.den]
                pending.append(Row(den.per(lang) + _coverage(result, r.den, lang),
                                   _unit(result, m.key) + den.per_unit(lang), r.decimals,
                                   [value(f, r.key) for f in ys], r.key, 1))
        yield from pending
    sources = sorted({s for f in ys for s in f["by_source"]},
                     key=lambda s: (list(vocab.sources()).index(s), s))
    if sources:
        yield SOURCES(lang)
        for s in sources:
            src = vocab.sources()[s]
            yield Row(src.label(lang), display_unit(src.report_unit), 2,
                      [f["by_source"][s]["quantity"] if s in f["by_source"] else None
                       for f in ys], f"source:{s}")
    yield DENOMINATORS(lang)
    persons = {"zh-Hans": "人", "zh-Hant": "人"}
    for key, den in metrics.DENOMINATORS.items():
        unit = persons.get(lang, den.unit) if den.unit == "persons" else display_unit(den.unit)
        yield Row(den.label(lang), unit, den.decimals, [f.get(key) for f in ys], key)
