"""Shared test helpers: build inventories on disk and run the real CLI."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from carbon.cli import app
from carbon.factors import FactorSet, bundled

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "jinshang-bank"

ENTITY_COLUMNS = ["entity_id", "name", "parent_id", "kind", "province", "included_from",
                  "included_to"]
ACTIVITY_COLUMNS = ["entity_id", "period_start", "period_end", "source", "quantity", "unit"]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def activity_row(quantity: Any, unit: str, source: str = "electricity", year: int = 2022,
                 entity: str = "E1", start: str | None = None, end: str | None = None
                 ) -> list[Any]:
    return [entity, start or f"{year}-01-01", end or f"{year}-12-31", source, quantity, unit]


def make_inventory(folder: Path, activity: Sequence[Sequence[Any]], *,
                   entities: Sequence[Sequence[Any]] | None = None,
                   activity_header: Sequence[str] = ACTIVITY_COLUMNS,
                   denominators: Sequence[Sequence[Any]] | None = None,
                   custom_factors: Sequence[Sequence[Any]] | None = None,
                   settings: str | None = None) -> Path:
    """Write a CSV-folder inventory and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "entities.csv", ENTITY_COLUMNS,
              entities if entities is not None else [["E1", "Site 1", "", "office", "山西", "", ""]])
    write_csv(folder / "activity.csv", activity_header, activity)
    if denominators is not None:
        write_csv(folder / "denominators.csv", ["entity_id", "year", "floor_area_m2", "headcount"],
                  denominators)
    if custom_factors is not None:
        write_csv(folder / "custom_factors.csv",
                  ["source", "year", "kind", "value", "unit", "reference"], custom_factors)
    if settings is not None:
        (folder / "settings.toml").write_text(settings, encoding="utf-8")
    return folder


runner = CliRunner()


@pytest.fixture(autouse=True)
def _english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in a locale that asks for no language (messages in English unless a
    test, an inventory or a template asks for another), whatever the machine's locale is."""
    for key in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")


def run(*args: str) -> Any:
    """Run the real CLI in-process; returns the click Result."""
    return runner.invoke(app, [str(a) for a in args])


def compute_json(path: Path, *args: str) -> dict[str, Any]:
    result = run("compute", str(path), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def sets() -> dict[str, FactorSet]:
    return bundled()
