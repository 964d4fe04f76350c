"""Workbooks as a reader sees them: rendered to PDF by LibreOffice (page counts, the KPI table on
its first page) and every number wide enough for its column (no ``###``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from carbon.report.layout import shown, text_width
from tests.conftest import EXAMPLE, run

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
MULTISITE = EXAMPLE / "multisite"
LANGS = ("en", "zh-Hans", "zh-Hant")


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("books")
    out = {}
    for lang in LANGS:
        path = folder / f"report-{lang}.xlsx"
        result = run("compute", EXAMPLE, "--out", path, "--lang", lang)
        assert result.exit_code == 0, result.output
        out[f"report-{lang}"] = path
    path = folder / "restatement.xlsx"
    result = run("restate", "--before", MULTISITE / "before", "--after", MULTISITE / "after",
                 "--out", path, "--lang", "zh-Hant")
    assert result.exit_code == 0, result.output
    out["restatement"] = path
    return out


def _too_narrow(path: Path) -> list[str]:
    """Numeric cells whose formatted text is wider than their column."""
    wb = openpyxl.load_workbook(path)
    bad = []
    for ws in wb.worksheets:
        merged = {c for rng in ws.merged_cells.ranges for row in ws[rng.coord]
                  for c in (row if isinstance(row, tuple) else (row,))}
        for row in ws.iter_rows():
            for c in row:
                if not isinstance(c.value, int | float) or isinstance(c.value, bool) or c in merged:
                    continue
                width = ws.column_dimensions[c.column_letter].width or 8.43
                text = shown(c.value, c.number_format)
                if text_width(text) > width:
                    bad.append(f"{ws.title}!{c.coordinate} {text!r} in width {width}")
    return bad


@pytest.mark.parametrize("name", [*(f"report-{lang}" for lang in LANGS), "restatement"])
def test_every_number_fits_its_column(books, name):
    assert _too_narrow(books[name]) == []


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")[:-1]


@pytest.mark.skipif(SOFFICE is None and os.environ.get("CI") != "true",
                    reason="LibreOffice (soffice) is not installed")
@pytest.mark.skipif(shutil.which("pdftotext") is None and os.environ.get("CI") != "true",
                    reason="pdftotext (poppler-utils) is not installed")
def test_workbooks_render_to_pdf_with_the_kpi_table_on_page_one(books, tmp_path):
    assert SOFFICE is not None, "CI must render the workbooks: .ci/run installs libreoffice-calc"
    profile = (tmp_path / "profile").as_uri()
    proc = subprocess.run(
        [SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), *(str(p) for p in books.values())],
        capture_output=True, text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr
    titles = {"en": "Environmental KPIs", "zh-Hans": "环境关键绩效指标",
              "zh-Hant": "環境關鍵績效指標"}  # the example has water, waste, paper and air too
    for lang in LANGS:
        pages = _pages(tmp_path / f"report-{lang}.pdf")
        first = pages[0]
        # the KPI table on its first A4 page (title, every year, the last row: the headcount),
        # its numbered notes after it
        assert titles[lang] in first and all(y in first for y in ("2022", "2023", "2024"))
        assert "4,373" in first
        assert re.search(r"^\s*7[.．]", first + pages[1], re.M), pages[1][:600]
        # KPI 1, charts 1, by entity and by source and month (A3 at full size: the row's keys
        # and a slice of the figures a page), audit trail, reconciliation 1, factors used,
        # warnings 1, coverage 1: the example's 15 ledger rows print on few pages
        assert 9 <= len(pages) <= 40, len(pages)
    pages = _pages(tmp_path / "restatement.pdf")
    assert len(pages) == 2  # the table; the disclosure and the boundary changes
    assert "數據已重述" in pages[1]
