"""Every bundled factor row is pinned to its published value (the convention in tests/README.md).

Each ``tests/test_reference_<document>.py`` that pins factor rows defines ``PINNED``: set id →
{(parameter, subject, region): value as published, in the row's unit}, typed from the document
(the shared reference ``factors.md``), never read from ``factors/``. Optionally ``PINNED_UNITS``
with the same keys: the unit each value is published in. This module unions them and checks, both
ways, against ``carbon.factors.bundled()``:

- every row of every bundled set is pinned, with an equal value (relative 1e-9): a value changed
  by 1 % anywhere, or a new row without a pin, fails;
- every pinned row exists in its set: a row dropped or renamed fails;
- a pinned unit is the row's unit (a value kept while its unit moves from kJ/kg to MJ/kg fails).
"""

from __future__ import annotations

import dataclasses
import importlib
from pathlib import Path
from types import ModuleType

import pytest

from carbon.factors import Factor, FactorSet
from carbon.units import parse_unit

Key = tuple[str, str, str]
Pins = dict[str, dict[Key, float]]
REL = 1e-9  # the published digits are exact decimals; only the CSV's float parsing differs


def reference_modules() -> list[ModuleType]:
    here = Path(__file__).resolve().parent
    return [importlib.import_module(f"tests.{p.stem}")
            for p in sorted(here.glob("test_reference_*.py"))]


def union(attr: str) -> tuple[dict[str, dict[Key, object]], list[str]]:
    """The union of every reference module's ``attr``, and the rows two modules both pin."""
    out: dict[str, dict[Key, object]] = {}
    owner: dict[tuple[str, Key], str] = {}
    twice = []
    for module in reference_modules():
        for set_id, rows in getattr(module, attr, {}).items():
            for key, value in rows.items():
                if (set_id, key) in owner:
                    twice.append(f"{set_id} {key}: {owner[set_id, key]} and {module.__name__}")
                owner[set_id, key] = module.__name__
                out.setdefault(set_id, {})[key] = value
    return out, twice


def mismatches(sets: dict[str, FactorSet], pins: Pins) -> list[str]:
    """Every disagreement between the bundled sets and the pins, one line each."""
    out = []
    for set_id, fs in sorted(sets.items()):
        pinned = pins.get(set_id, {})
        for key, f in sorted(fs.factors.items()):
            if key not in pinned:
                out.append(f"{set_id} {key}: bundled value {f.value} {f.unit} has no pin")
            elif f.value != pytest.approx(pinned[key], rel=REL, abs=0):
                out.append(f"{set_id} {key}: bundled {f.value} {f.unit}, published {pinned[key]}")
    for set_id, rows in sorted(pins.items()):
        for key in sorted(rows):
            if set_id not in sets or key not in sets[set_id].factors:
                out.append(f"{set_id} {key}: pinned, but no such bundled row")
    return out


def test_every_bundled_row_is_pinned_to_its_published_value(sets):
    pins, _ = union("PINNED")
    assert mismatches(sets, pins) == []  # type: ignore[arg-type]


def test_no_row_is_pinned_twice():
    assert union("PINNED")[1] == []


def test_pinned_units_are_the_rows_units(sets):
    units, twice = union("PINNED_UNITS")
    pins, _ = union("PINNED")
    assert twice == []
    wrong = []
    for set_id, rows in units.items():
        for key, unit in rows.items():
            assert key in pins.get(set_id, {}), f"{set_id} {key}: a unit without a pinned value"
            f = sets[set_id].factors.get(key)
            if f is None:
                continue  # reported by the value test
            ratio = parse_unit(f.unit) / parse_unit(str(unit))
            if not ratio.dimensionless or ratio.to("").magnitude != pytest.approx(1, rel=1e-12):
                wrong.append(f"{set_id} {key}: bundled in {f.unit}, published in {unit}")
    assert wrong == []


def test_pins_are_typed_literals_of_every_bundled_set(sets):
    """Each bundled set has a reference module pinning it (a new set needs its module)."""
    pins, _ = union("PINNED")
    assert set(sets) <= set(pins)
    for rows in pins.values():
        assert all(isinstance(v, int | float) and not isinstance(v, bool) for v in rows.values())


def _perturbed(sets: dict[str, FactorSet], set_id: str, key: Key, factor: float
               ) -> dict[str, FactorSet]:
    fs = sets[set_id]
    f: Factor = fs.factors[key]
    changed = {**fs.factors, key: dataclasses.replace(f, value=f.value * factor)}
    return {**sets, set_id: dataclasses.replace(fs, factors=changed)}


def test_the_check_fails_on_any_row_changed_by_one_percent(sets):
    """The check above can fail: each bundled row in turn, moved by 1 % (or from 0 to 0.01),
    is named; so is a row added without a pin and a pinned row that disappears."""
    pins, _ = union("PINNED")
    for set_id, fs in sets.items():
        for key, f in fs.factors.items():
            if f.value == 0:
                moved = _perturbed(sets, set_id, key, 1.0)
                moved[set_id].factors[key] = dataclasses.replace(f, value=0.01)
            else:
                moved = _perturbed(sets, set_id, key, 1.01)
            assert mismatches(moved, pins) == [  # type: ignore[arg-type]
                f"{set_id} {key}: bundled {moved[set_id].factors[key].value} {f.unit}, "
                f"published {pins[set_id][key]}"], (set_id, key)
    some_set = sorted(sets)[0]
    fs = sets[some_set]
    extra = dataclasses.replace(next(iter(fs.factors.values())), region="atlantis")
    added = {**sets, some_set: dataclasses.replace(
        fs, factors={**fs.factors, ("emission", "electricity", "atlantis"): extra})}
    assert any("has no pin" in m for m in mismatches(added, pins))  # type: ignore[arg-type]
    first = sorted(fs.factors)[0]
    dropped = {**sets, some_set: dataclasses.replace(
        fs, factors={k: v for k, v in fs.factors.items() if k != first})}
    assert mismatches(dropped, pins) == [  # type: ignore[arg-type]
        f"{some_set} {first}: pinned, but no such bundled row"]
