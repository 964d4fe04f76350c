"""Scale invariants on the benchmark's own generator: results do not depend on how rows are filed.

The benchmark (benchmarks/bench_scale.py) times a million rows; this guards, at a size a test
can afford, that the million-row result equals the sum of the results over ten files holding the
same rows.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from tests.conftest import ROOT, compute_json

ROWS, PARTS = 20_000, 10
SUMS = ("energy_kwh", "energy_direct_kwh", "energy_indirect_kwh", "energy_tce", "scope1_tco2e",
        "scope2_location_tco2e", "scope2_market_tco2e", "total_location_tco2e")


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.generate


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generator()(ROWS, tmp_path_factory.mktemp("whole"), sites=200, seed=7)


def _split(whole: Path, into: Path) -> list[Path]:
    activity = pd.read_csv(whole / "activity.csv", dtype=str, keep_default_na=False)
    parts = []
    for i in range(PARTS):
        part = into / f"part-{i}"
        part.mkdir()
        for name in ("entities.csv", "denominators.csv", "settings.toml"):
            shutil.copy(whole / name, part / name)
        activity.iloc[i::PARTS].to_csv(part / "activity.csv", index=False)
        parts.append(part)
    return parts


def _entity_sums(result: dict[str, Any]) -> dict[tuple[str, int], dict[str, float]]:
    return {(e["entity_id"], e["year"]): {k: e[k] for k in SUMS} for e in result["by_entity"]}


def test_ten_files_sum_to_the_whole(whole: Path, tmp_path: Path) -> None:
    full = compute_json(whole)
    parts = [compute_json(p) for p in _split(whole, tmp_path)]
    assert set(full["years"]) == {"2021", "2022", "2023"}
    for year, fig in full["years"].items():
        for key in SUMS:
            assert sum(p["years"][year][key] for p in parts) == pytest.approx(fig[key], rel=1e-12)
        for source, s in fig["by_source"].items():
            for key in ("quantity", "energy_kwh", "tco2e"):
                got = sum(p["years"][year]["by_source"].get(source, {}).get(key, 0.0)
                          for p in parts)
                assert got == pytest.approx(s[key], rel=1e-12), (year, source, key)
    summed: dict[tuple[str, int], dict[str, float]] = defaultdict(lambda: dict.fromkeys(SUMS, 0.0))
    for p in parts:
        for k, v in _entity_sums(p).items():
            for key in SUMS:
                summed[k][key] += v[key]
    expected = _entity_sums(full)
    assert summed.keys() == expected.keys()
    for k, v in expected.items():
        assert summed[k] == pytest.approx(v, rel=1e-12), k


def test_whole_counts_every_generated_row(whole: Path) -> None:
    """The generator's electricity rows, converted by hand, give carbon's electricity kWh (over
    the three years: rows that span a year end are shared between years by days)."""
    act = pd.read_csv(whole / "activity.csv")
    per_kwh = {"kWh": 1.0, "度": 1.0, "MWh": 1000.0}
    elec = act[act["unit"].isin(list(per_kwh))]
    expected = (elec["quantity"] * elec["unit"].map(per_kwh)).sum()
    full = compute_json(whole)
    got = sum(y["by_source"]["electricity"]["energy_kwh"] for y in full["years"].values())
    assert got == pytest.approx(expected, rel=1e-12)


def _peak(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident memory (MiB) of one child process."""
    import subprocess
    import time

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert os.waitstatus_to_exitcode(status) == 0, err
    return time.perf_counter() - start, usage.ru_maxrss / 1024


@pytest.mark.slow
@pytest.mark.skipif(not (os.environ.get("CI") or os.environ.get("CARBON_SLOW")),
                    reason="a million-row workbook takes about a minute: runs in CI (CI=true) "
                    "or with CARBON_SLOW=1")
def test_a_million_row_workbook_is_written_within_twice_the_memory_of_json(tmp_path: Path) -> None:
    """1,008,000 activity rows: the workbook is written (zip64, its audit trail streamed) with at
    most twice the peak memory of the JSON run of the same inventory."""
    import sys
    import zipfile

    folder = _generator()(1_008_000, tmp_path / "inv")
    base = [sys.executable, "-m", "carbon", "compute", str(folder)]
    _, json_mib = _peak([*base, "-f", "json", "-o", str(tmp_path / "r.json")])
    seconds, book_mib = _peak([*base, "-o", str(tmp_path / "r.xlsx")])
    assert book_mib <= 2 * json_mib, (book_mib, json_mib, seconds)
    with zipfile.ZipFile(tmp_path / "r.xlsx") as zf:
        from carbon.io.xlsx import sheets, stated_rows

        audit = [s for s in sheets(zf) if s.title.startswith("Audit trail")]
        rows = sum((stated_rows(zf, s.member) or 1) - 1 for s in audit)
        assert rows >= 1_008_000
        # about 1.5 GB of sheet XML: zip64 members (a plain zip member stops at 4 GiB)
        assert sum(zf.getinfo(s.member).file_size for s in audit) > 2**30
        assert all(zf.getinfo(s.member).extract_version >= 45 for s in audit)  # zip64
