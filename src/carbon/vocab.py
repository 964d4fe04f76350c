"""The names carbon understands: energy sources and provinces, with every spelling users write.

Both tables live as CSV beside this module (``data/sources.csv``, ``data/provinces.csv``); every
list of valid names in carbon is derived from them.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal, get_args

from carbon.i18n import Words
from carbon.units import normalize_text

#: What a source is: energy (electricity, heat, fuel: kWh, tce and emissions) or one of the other
#: HKEX environmental figures, each its own category (water, the two kinds of waste, paper, the air
#: pollutants entered as measured masses) or vehicle distance (air pollutants per km).
Category = Literal["electricity", "heat", "fuel", "water", "waste_hazardous",
                   "waste_non_hazardous", "paper", "air_nox", "air_sox", "air_pm", "air_co",
                   "distance"]
CATEGORIES: tuple[str, ...] = get_args(Category)
#: The categories that are energy: they carry kWh, tce and greenhouse gases.
ENERGY_CATEGORIES: tuple[str, ...] = ("electricity", "heat", "fuel")


@dataclass(frozen=True)
class Source:
    """A source: an energy source, or water, waste, paper, an air pollutant, vehicle distance;
    what it is, how it is reported, and its names."""

    key: str
    category: Category
    report_unit: str
    use: str  # a fuel's use when a row leaves it blank: stationary, or mobile (gasoline)
    zh_hans: str
    zh_hant: str
    en: str

    @property
    def direct(self) -> bool:
        """Fuels burnt on site or in own vehicles are direct energy; purchases are indirect."""
        return self.category == "fuel"

    @property
    def energy(self) -> bool:
        """Whether the source is energy (kWh, tce, greenhouse gases), not water, waste …"""
        return self.category in ENERGY_CATEGORIES

    def label(self, lang: str = "en") -> str:
        return {"zh-Hans": self.zh_hans, "zh-Hant": self.zh_hant}.get(lang, self.en)


@dataclass(frozen=True)
class Province:
    """A provincial-level division (GB/T 2260), or one half of Inner Mongolia's grid split."""

    key: str
    code: str
    zh_hans: str
    zh_hant: str
    en: str
    abbr: str


def _fold(text: str) -> str:
    return normalize_text(text).casefold().replace(" ", "").replace("_", "").replace("-", "")


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("carbon").joinpath("data", name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _lookup(entries: Iterable[tuple[str, Iterable[str]]], what: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for key, names in entries:
        for name in names:
            folded = _fold(name)
            if not folded:
                continue
            if table.setdefault(folded, key) != key:
                raise ValueError(f"{what} spelling {name!r} names both {table[folded]} and {key}")
    return table


def source_name(key: str) -> str:
    """A source as a message names it: its key in English (``natural_gas``, what a cell may
    hold), its Chinese name in Chinese (天然气 / 天然氣); an unknown key as it is."""
    src = sources().get(key)
    return Words(key, src.zh_hans, src.zh_hant) if src is not None else key


@cache
def sources() -> dict[str, Source]:
    """Every source carbon knows, by key."""
    out = {}
    for r in _rows("sources.csv"):
        cat = r["category"]
        if cat not in CATEGORIES:
            raise ValueError(f"sources.csv: unknown category {cat!r}")
        out[r["key"]] = Source(
            r["key"], cat, r["report_unit"], r["use"], r["zh_hans"], r["zh_hant"], r["en"]  # type: ignore[arg-type]
        )
    return out


@cache
def _source_names() -> dict[str, str]:
    rows = _rows("sources.csv")
    return _lookup(
        ((r["key"], [r["key"], r["zh_hans"], r["zh_hant"], r["en"], *r["aliases"].split("|")])
         for r in rows),
        "source",
    )


@cache
def provinces() -> dict[str, Province]:
    """Every province carbon knows, by key."""
    return {
        r["key"]: Province(r["key"], r["code"], r["zh_hans"], r["zh_hant"], r["en"], r["abbr"])
        for r in _rows("provinces.csv")
    }


@cache
def _province_names() -> dict[str, str]:
    entries = []
    for r in _rows("provinces.csv"):
        names = [r["key"], r["zh_hans"], r["zh_hant"], r["en"], r["abbr"], *r["aliases"].split("|")]
        if r["code"]:
            names += [r["code"], r["code"] + "0000"]
        entries.append((r["key"], names))
    return _lookup(entries, "province")


def source_key(text: str) -> str | None:
    """The canonical key of a source as written (``電力`` -> ``electricity``), or None."""
    return _source_names().get(_fold(text))


def province_key(text: str) -> str | None:
    """The key of a province as written (``山西省``, ``晋``, ``14``, ``Shanxi``), or None."""
    return _province_names().get(_fold(text))


def source_spellings() -> dict[str, str]:
    """Folded spelling -> source key, for vectorized mapping of whole columns."""
    return dict(_source_names())


def province_spellings() -> dict[str, str]:
    """Folded spelling -> province key, for vectorized mapping of whole columns."""
    return dict(_province_names())


def fold(text: str) -> str:
    """The folded form under which spellings are looked up."""
    return _fold(text)
