"""The English words of carbon's outputs on fixed inputs: what ``tests/golden/en`` pins (each
file as the code before messages came in three languages wrote it, byte for byte).

    PYTHONPATH=src python -m tests.english_outputs tests/golden/en   # rewrite the golden files
"""

from __future__ import annotations

import csv
import shutil
import sys
import tempfile
from pathlib import Path

from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "jinshang-bank"
MULTISITE = EXAMPLE / "multisite"


def _bad_inventory(folder: Path) -> Path:
    """The example with an unknown unit, a number with a misplaced separator and a row for an
    entity no one has."""
    shutil.copytree(EXAMPLE, folder, ignore=shutil.ignore_patterns("multisite", "*.md"))
    with (folder / "activity.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    head = rows[0]
    rows[1][head.index("unit")] = "kWhh"
    rows[2][head.index("quantity")] = "8,278,39"
    rows[3][head.index("entity_id")] = "NOPE"
    with (folder / "activity.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    return folder


def _gappy_inventory(folder: Path) -> Path:
    """Two years of monthly electricity with January 2024 missing and a value in 度 typed
    into a 万千瓦时 row."""
    folder.mkdir()
    (folder / "entities.csv").write_text("entity_id,name,province\nE1,Site 1,山西\n",
                                         encoding="utf-8")
    lines = ["entity_id,period_start,period_end,source,quantity,unit"]
    for y in (2023, 2024):
        for m in range(1, 13):
            if (y, m) == (2024, 1):
                continue
            qty = "410000" if (y, m) == (2024, 6) else "41"
            lines.append(f"E1,{y}-{m:02d},{y}-{m:02d},electricity,{qty},万千瓦时")
    (folder / "activity.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def outputs(tmp: Path) -> dict[str, str]:
    """Each command's output (stdout, then stderr; the temporary folder written ``TMP``) and the
    --errors file, by name."""
    from carbon.cli import app

    runner = CliRunner()
    bad = _bad_inventory(tmp / "bad")
    gappy = _gappy_inventory(tmp / "gappy")
    runs = {
        "compute.txt": ["compute", str(EXAMPLE)],
        "compute-detail.txt": ["compute", str(EXAMPLE), "--detail", "--year", "2024"],
        "check.txt": ["check", str(gappy)],
        "problems.txt": ["compute", str(bad), "--errors", str(tmp / "problems.csv")],
        "status.txt": ["status", str(MULTISITE / "collection" / "hq"),
                       str(MULTISITE / "collection" / "branches")],
        "restate.txt": ["restate", "--before", str(MULTISITE / "before"), "--after",
                        str(MULTISITE / "after")],
        "usage.txt": ["compute", str(EXAMPLE), "--year", "1999"],
    }
    out = {}
    for name, args in runs.items():
        result = runner.invoke(app, args)
        said = f"exit {result.exit_code}\n{result.stdout}---\n{result.stderr}"
        out[name] = said.replace(str(tmp), "TMP")  # the files written, wherever the run was
    out["problems.csv"] = (tmp / "problems.csv").read_text(encoding="utf-8-sig")
    return out


def main(target: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in outputs(Path(tmp)).items():
            (Path(target) / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
