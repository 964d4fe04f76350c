"""An adversarial corpus: what a fuzzer and a clerk feed carbon, and what must hold for each.

Every case builds its files in a folder of its own, runs the real CLI and asserts: the exit code
(2 for bad input with the message located — file, sheet, row, column — and a fix; 1 or 0 where
that is the right answer), each expected fragment in the output, no traceback, and that nothing
was written and no input touched: the folder holds exactly the same entries, with the same bytes,
as before (apart from the outputs a successful case names). Leftover temporary files fail a case.

=========  =====  ===============================================================================
family     cases  what it covers (case ids start with the family's name)
=========  =====  ===============================================================================
csv        25     missing, empty (a byte-order mark only too), header-only and blank tables;
                  folders, pipes, devices, broken and looping links and unreadable files in
                  place of a CSV file or settings.toml
enc        14     byte-order marks (UTF-8, UTF-16), GBK and Big5 read and named in a notice,
                  unsure and impossible readings, NUL bytes, UTF-16 without a BOM, a BOM mid-file
struct     16     semicolons and tabs, ragged rows, unquoted thousands, a quote never closed or
                  closed a line later, CRLF and CR line ends, multi-line cells, unnamed,
                  duplicate and repeated headers
value      52     blanks and whitespace, NaN/inf text, 1e308 (MWh), 1e400, 1e-320, pasted ids, hex,
                  percent, decimal commas, full-width digits, impossible dates (2022-02-30, year
                  0), serial dates in a CSV, times, units, sources, entities, over-long cells,
                  denominators and own factors out of range (0, over 100 %, 10^300 units),
                  loops in the entity tree
path       7      spaces and Chinese in paths, a lone CSV, a pipe, a device, a link loop, a folder
                  named .xlsx
settings   21     a BOM and CRLF (accepted), GBK, Big5 and UTF-16 (refused, named), a folder, a
                  broken link, bad TOML, unknown keys, wrong types (true for a number), years
                  out of range, NUL bytes, a factor set that does not exist
book       35     header-only sheets, no entities sheet (the fix names no other sheet), XXE and
                  billion laughs, DTDs in any part, Strict Open XML, cells beyond 32,767
                  characters (inline, shared, 2 MiB), a CSV, nothing or a broken zip named .xlsx,
                  an unreadable workbook, merged and duplicate headers, numbers, text, booleans,
                  times and serial dates in the wrong place, a hidden sheet, a second sheet of
                  a table (by its name or its header row)
manifest   23     structure tampered field by field (inputs, options.path, results, sha256,
                  options.year …), 200,000 nested brackets, NaN, duplicate keys, GBK bytes, a BOM
                  (accepted), a folder or a pipe in place of a file, a changed input (exit 1)
out        21     --out, --errors and --manifest on one file or on an input, pipes, device nodes,
                  folders, a file as parent folder, read-only folders and full disks (simulated),
                  problems still shown when --errors cannot be written, a half-written set
restate    3      a header-only side (before or after), a pipe as --out
(tests)    5      a real full and read-only disk (tmpfs, when it can be mounted), -o /dev/stdout,
                  SIGTERM and SIGINT while the outputs are written (separate tests below)
=========  =====  ===============================================================================
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import (
    ACTIVITY_COLUMNS,
    ENTITY_COLUMNS,
    EXAMPLE,
    ROOT,
    activity_row,
    make_inventory,
    run,
)
from tests.xlsx_util import ROW, make_workbook, rewrite_member, sheet_member

ROOT_USER = hasattr(os, "geteuid") and os.geteuid() == 0

Build = Callable[[Path, pytest.MonkeyPatch], list[Any]]
Check = Callable[[Path, Any], None]


@dataclass(frozen=True)
class Case:
    id: str
    build: Build
    expect: tuple[str, ...] = ()
    code: int = 2
    writes: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    check: Check | None = None
    marks: tuple[Any, ...] = field(default=())


CASES: list[Case] = []


def case(id: str, build: Build, *expect: str, code: int = 2, writes: tuple[str, ...] = (),
         absent: tuple[str, ...] = (), check: Check | None = None,
         marks: tuple[Any, ...] = ()) -> None:
    CASES.append(Case(id, build, tuple(expect), code, writes, absent, check, marks))


# -- building blocks -----------------------------------------------------------------------------
def inv(w: Path, rows: list[list[Any]] | None = None, **kw: Any) -> Path:
    """The small valid inventory folder every CSV case starts from (one entity, one row)."""
    return make_inventory(w / "inv", rows if rows is not None else [activity_row(100, "kWh")], **kw)


def compute(path: Path, w: Path, *extra: Any) -> list[Any]:
    """``carbon compute PATH -f json -o out.json``: an output that must not appear on failure."""
    return ["compute", path, "-f", "json", "-o", w / "out.json", *extra]


def folder_with(name: str, content: bytes | None = None, **kw: Any) -> Build:
    """The base inventory with ``name`` (a file of the folder) replaced by ``content``."""
    def build(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
        f = inv(w, **kw)
        (f / name).unlink(missing_ok=True)
        if content is not None:
            (f / name).write_bytes(content)
        return compute(f, w)
    return build


def replaced(name: str, make: Callable[[Path], None], **kw: Any) -> Build:
    """The base inventory with ``name`` made by ``make(path)`` (a folder, a link, a pipe …)."""
    def build(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
        f = inv(w, **kw)
        (f / name).unlink(missing_ok=True)
        make(f / name)
        return compute(f, w)
    return build


def unreadable(name: str, **kw: Any) -> Build:
    """``name`` of the base inventory without read permission (:func:`refuse_open`)."""
    def build(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
        f = inv(w, **kw)
        target = f / name
        if not target.exists():
            target.write_text("", encoding="utf-8")
        refuse_open(target, mp)
        return compute(f, w)
    return build


def refuse_open(target: Path, mp: pytest.MonkeyPatch) -> None:
    """``target`` without read permission; as root (who reads anything) its open is refused the
    way the kernel refuses it to anyone else."""
    target.chmod(0)
    if not ROOT_USER:
        return
    real = os.open

    def refuse(path: Any, flags: int, *a: Any, **k: Any) -> int:
        if Path(path).resolve() == target.resolve():
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, flags, *a, **k)

    mp.setattr(os, "open", refuse)


def activity_text(text: str, encoding: str = "utf-8") -> Build:
    return folder_with("activity.csv", text.encode(encoding))


HEAD = ",".join(ACTIVITY_COLUMNS)


def one_row(**change: Any) -> Build:
    """The base inventory with one cell of its activity row changed."""
    row = dict(zip(ACTIVITY_COLUMNS, activity_row(100, "kWh"), strict=True))
    row.update(change)
    return lambda w, mp: compute(inv(w, [list(row.values())]), w)


def mkfifo(p: Path) -> None:
    os.mkfifo(p)


def broken_link(p: Path) -> None:
    p.symlink_to(p.parent / "nowhere.csv")


def link_loop(p: Path) -> None:
    other = p.with_name(p.name + ".loop")
    p.symlink_to(other)
    other.symlink_to(p)


def mkdir(p: Path) -> None:
    p.mkdir()
    (p / "data.csv").write_text("x\n", encoding="utf-8")


def dev_zero(p: Path) -> None:
    p.symlink_to("/dev/zero")


def warnings_of(w: Path) -> list[dict[str, str]]:
    return json.loads((w / "out.json").read_text(encoding="utf-8"))["warnings"]


def notice(code: str, *fragments: str) -> Check:
    def check(w: Path, result: Any) -> None:
        found = [x["message"] for x in warnings_of(w) if x["code"] == code]
        assert found and all(f in found[0] for f in fragments), warnings_of(w)
    return check


def energy(year: str, kwh: float) -> Check:
    def check(w: Path, result: Any) -> None:
        got = json.loads((w / "out.json").read_text(encoding="utf-8"))["years"][year]
        assert got["energy_kwh"] == pytest.approx(kwh)
    return check


OK = {"code": 0, "writes": ("out.json",)}


# -- csv-files -----------------------------------------------------------------------------------
case("csv-header-only-activity", folder_with("activity.csv", (HEAD + "\n").encode()),
     "inv/activity.csv, row 2", "has its header but no rows", "[no_rows]")
case("csv-header-only-entities", folder_with("entities.csv", (",".join(ENTITY_COLUMNS) + "\n").encode()),
     "inv/entities.csv, row 2", "[no_rows]")
case("csv-activity-blank-lines-only", activity_text(HEAD + "\n\n , , , , ,\n\n"), "[no_rows]")
case("csv-activity-empty-file", folder_with("activity.csv", b""), "inv/activity.csv", "[empty_file]")
case("csv-activity-whitespace-file", folder_with("activity.csv", b"  \n\r\n\t\n"), "[empty_file]")
case("csv-activity-byte-order-mark-only", folder_with("activity.csv", b"\xef\xbb\xbf"),
     "inv/activity.csv", "[empty_file]")
case("csv-denominators-utf16-mark-only", folder_with("denominators.csv", b"\xff\xfe"),
     "inv/denominators.csv", "[empty_file]")
case("csv-activity-missing", folder_with("activity.csv"), "no activity.csv", "[missing_file]")
case("csv-no-files-at-all", lambda w, mp: (w / "inv").mkdir() or compute(w / "inv", w),
     "no entities.csv", "no activity.csv")
case("csv-activity-is-a-folder", replaced("activity.csv", mkdir), "inv/activity.csv",
     "is a folder, not a file", "[not_a_file]")
case("csv-activity-broken-link", replaced("activity.csv", broken_link), "a link to",
     "does not exist", "[broken_link]")
case("csv-activity-link-loop", replaced("activity.csv", link_loop), "leads back to itself",
     "[link_loop]")
case("csv-activity-fifo", replaced("activity.csv", mkfifo), "is a pipe (FIFO)", "[not_a_file]")
case("csv-activity-link-to-dev-zero", replaced("activity.csv", dev_zero), "is a device",
     "[not_a_file]")
case("csv-activity-unreadable", unreadable("activity.csv"), "inv/activity.csv",
     "permission denied", "chmod u+r", "[unreadable]")
case("csv-custom-factors-broken-link", replaced("custom_factors.csv", broken_link),
     "inv/custom_factors.csv", "[broken_link]")
case("csv-custom-factors-folder", replaced("custom_factors.csv", mkdir), "inv/custom_factors.csv",
     "[not_a_file]")
case("csv-custom-factors-unreadable", unreadable("custom_factors.csv", custom_factors=[]),
     "inv/custom_factors.csv", "[unreadable]")
case("csv-custom-factors-gbk", folder_with(
    "custom_factors.csv", "source,year,kind,value,unit,reference\n柴油,,emission,2.63,kgCO2/L,"
    "供应商检测报告第3页\n".encode("gbk"), rows=[activity_row(10, "L", source="diesel")]),
     code=0, writes=("out.json",),
     check=notice("encoding", "custom_factors.csv", "GB18030"))
case("csv-denominators-folder", replaced("denominators.csv", mkdir), "inv/denominators.csv",
     "[not_a_file]", absent=("no_denominators",))
case("csv-denominators-broken-link", replaced("denominators.csv", broken_link),
     "inv/denominators.csv", "[broken_link]")
case("csv-denominators-unreadable", unreadable("denominators.csv", denominators=[]),
     "inv/denominators.csv", "[unreadable]")
case("csv-denominators-header-only", folder_with(
    "denominators.csv", b"entity_id,year,floor_area_m2,headcount\n"), **OK,
     check=notice("no_denominators"))
case("csv-entities-fifo", replaced("entities.csv", mkfifo), "inv/entities.csv", "pipe")
case("csv-settings-unreadable", unreadable("settings.toml"), "inv/settings.toml", "[unreadable]")


# -- csv-encoding --------------------------------------------------------------------------------
ENT_HEAD = ",".join(ENTITY_COLUMNS)


def entities_text(text: str, encoding: str) -> Build:
    return folder_with("entities.csv", text.encode(encoding))


def entity_name(name: str) -> Check:
    def check(w: Path, result: Any) -> None:
        got = json.loads((w / "out.json").read_text(encoding="utf-8"))["by_entity"]
        assert got[0]["name"] == name, got
    return check


case("enc-entities-big5", entities_text(f"{ENT_HEAD}\nE1,晉商銀行太原分行,,office,山西,,\n",
                                       "big5"),
     code=0, writes=("out.json",), check=lambda w, r: (
         entity_name("晉商銀行太原分行")(w, r), notice("encoding", "entities.csv", "Big5")(w, r)))
case("enc-entities-gbk", entities_text(f"{ENT_HEAD}\nE1,晋商银行总行,,bank,山西,,\n", "gbk"),
     code=0, writes=("out.json",), check=lambda w, r: (
         entity_name("晋商银行总行")(w, r), notice("encoding", "GB18030")(w, r)))
case("enc-activity-big5-source", activity_text(f"{HEAD}\nE1,2022-01-01,2022-12-31,電力,100,度\n",
                                               "big5"),
     code=0, writes=("out.json",), check=lambda w, r: (
         energy("2022", 100)(w, r), notice("encoding", "activity.csv", "Big5")(w, r)))
case("enc-activity-gbk-source", activity_text(f"{HEAD}\nE1,2022-01-01,2022-12-31,电力,100,度\n",
                                              "gbk"),
     code=0, writes=("out.json",), check=energy("2022", 100))
case("enc-entities-unsure", entities_text(f"{ENT_HEAD}\nE1,工厂,,,,,\n", "gbk"),
     "inv/entities.csv", "reads plausibly in two encodings", "GB18030", "Big5", "CSV UTF-8",
     "[encoding_unsure]")
case("enc-latin1", entities_text(f"{ENT_HEAD}\nE1,Café São Paulo,,,山西,,\n".replace("山西", "Shanxi"),
                                 "latin-1"),
     "inv/entities.csv, row 2", "not UTF-8 (byte 0xE9", "[encoding]")
case("enc-utf8-bom", activity_text("\ufeff" + f"{HEAD}\nE1,2022-01-01,2022-12-31,electricity,5,kWh\n"),
     code=0, writes=("out.json",), check=energy("2022", 5))
case("enc-utf16-bom", activity_text(f"{HEAD}\nE1,2022-01-01,2022-12-31,electricity,7,kWh\n",
                                    "utf-16"),
     code=0, writes=("out.json",), check=lambda w, r: (
         energy("2022", 7)(w, r), notice("encoding", "UTF-16")(w, r)))
case("enc-utf16-no-bom", activity_text(f"{HEAD}\nE1,2022-01-01,2022-12-31,electricity,7,kWh\n",
                                       "utf-16-le"),
     "UTF-16 text without a byte-order mark", "[encoding]")
case("enc-nul-bytes", activity_text(f"{HEAD}\nE1,2022-01-01,2022-12-31,electricity,7,kWh\n"
                                    "E1,2022-01-01,2022-12-31,elec\x00tricity,7,kWh\n"),
     "inv/activity.csv, row 3", "NUL bytes", "[encoding]")
case("enc-bom-mid-file-joined", activity_text(
    f"{HEAD}\nE1,2022-01-01,2022-06-30,electricity,7,kWh\n\ufeff{HEAD}\n"
    "E1,2022-07-01,2022-12-31,electricity,7,kWh\n"),
     "inv/activity.csv, row 3", "repeats the header row", "[repeated_header]")
case("enc-bom-before-a-row", activity_text(
    f"{HEAD}\n\ufeffE1,2022-01-01,2022-12-31,electricity,9,kWh\n"), code=0, writes=("out.json",),
     check=energy("2022", 9))
case("enc-bom-then-not-utf8", folder_with("activity.csv", b"\xef\xbb\xbf" + HEAD.encode()
                                          + b"\nE1,\xff\xfe\n"),
     "starts as UTF-8", "[encoding]")
case("enc-settings-gbk", folder_with("settings.toml", 'organisation = "晋商银行"\n'.encode("gbk")),
     "inv/settings.toml", "GB18030 (GBK) text; a TOML file is UTF-8", "Encoding UTF-8",
     "[encoding]")


# -- csv-structure -------------------------------------------------------------------------------
ROW_TEXT = "E1,2022-01-01,2022-12-31,electricity,100,kWh"
case("struct-semicolons", activity_text(HEAD.replace(",", ";") + "\n" + ROW_TEXT.replace(",", ";")
                                        + "\n"),
     "inv/activity.csv, row 1", "separated by semicolons (;), not commas", "[delimiter]",
     absent=("[missing_column]",))
case("struct-tabs", activity_text(HEAD.replace(",", "\t") + "\n" + ROW_TEXT.replace(",", "\t")
                                  + "\n"), "separated by tabs", "[delimiter]")
case("struct-ragged-extra-cell", activity_text(f"{HEAD}\n{ROW_TEXT}\n{ROW_TEXT},x\n"),
     "inv/activity.csv, row 3", "has 7 cells where the header has 6", "[ragged_row]")
case("struct-ragged-missing-cell", activity_text(f"{HEAD}\n{ROW_TEXT}\n{ROW_TEXT}\n"
                                                 "E1,2022-01-01,2022-12-31,electricity,100\n"),
     "row 4", "has 5 cells", "[ragged_row]")
case("struct-unquoted-thousands", activity_text(f"{HEAD}\nE1,2022-01-01,2022-12-31,electricity,"
                                                "8,278.39,kWh\n"),
     "row 2", "put quotes around a value that holds a comma", "[ragged_row]")
case("struct-quote-never-closed", activity_text(
    f"{HEAD}\nE1,2022-01-01,2022-12-31,electricity,100,\"kWh\n{ROW_TEXT}\n{ROW_TEXT}\n"),
     "inv/activity.csv, row 2", "never closed", "[open_quote]")
case("struct-quote-closed-a-line-later", activity_text(
    f"{HEAD}\n{ROW_TEXT}\nE1,2022-01-01,2022-12-31,electricity,\"100,kWh\nE1 2022\",kWh\n"),
     "inv/activity.csv, row 3, column quantity", "closes only on a later line", "[open_quote]",
     absent=("not a number", "[not_a_number]"))
case("struct-crlf", activity_text(f"{HEAD}\r\n{ROW_TEXT}\r\n\r\n"), code=0, writes=("out.json",),
     check=energy("2022", 100))
case("struct-cr-only", activity_text(f"{HEAD}\r{ROW_TEXT}\r"), code=0, writes=("out.json",),
     check=energy("2022", 100))
case("struct-multiline-note", activity_text(
    f"{HEAD},note\n{ROW_TEXT},\"first line\nsecond line\"\n"), code=0, writes=("out.json",),
     check=energy("2022", 100))
case("struct-unnamed-column-with-data", activity_text(f"{HEAD},\n{ROW_TEXT},stray\n"),
     "row 2", "data in column G, which has no header", "[no_header]")
case("struct-trailing-comma-everywhere", activity_text(f"{HEAD},\n{ROW_TEXT},\n"), code=0,
     writes=("out.json",), check=energy("2022", 100))
case("struct-duplicate-header", activity_text(f"{HEAD},quantity\n{ROW_TEXT},5\n"),
     "column 'quantity' appears twice", "[duplicate_column]")
case("struct-unknown-column", activity_text(f"{HEAD},quantiy\n{ROW_TEXT},5\n"),
     "has no column 'quantiy'", "did you mean 'quantity'", "[unknown_column]")
case("struct-header-repeated-mid-file", activity_text(f"{HEAD}\n{ROW_TEXT}\n{HEAD}\n"),
     "row 3", "[repeated_header]")
case("struct-header-labels-with-spaces", activity_text(
    " entity_id , period_start ,period_end, source ,quantity , unit\n" + ROW_TEXT + "\n"),
     code=0, writes=("out.json",), check=energy("2022", 100))


# -- csv-values ----------------------------------------------------------------------------------
for cid, value, frag in [
    ("nan", "NaN", "[not_a_number]"), ("inf", "inf", "[not_a_number]"),
    ("minus-inf", "-Infinity", "[not_a_number]"), ("1e400", "1e400", "[not_a_number]"),
    ("hex", "0x10", "[not_a_number]"), ("percent", "50%", "[not_a_number]"),
    ("decimal-comma", "1.234,5", "[not_a_number]"), ("misplaced-separator", "8,278,39",
                                                     "[not_a_number]"),
    ("two-points", "1.2.3", "[not_a_number]"), ("text", "abc", "[not_a_number]"),
    ("1e308", "1e308", "[too_large]"), ("pasted-id", "123456789012345678901", "[too_large]"),
    ("negative", "-5", "[negative]"), ("subnormal", "1e-320", "[too_small]"),
    ("tiny", "3e-10", "[too_small]"), ("whitespace-only", "   ", "[required]"),
    ("empty", "", "[required]"),
]:
    case(f"value-quantity-{cid}", one_row(quantity=value), "inv/activity.csv, row 2",
         "column quantity", frag)
case("value-quantity-1e308-MWh", one_row(quantity="1e308", unit="MWh"), "'1e308'",
     "beyond 10¹⁵", "larger unit", "[too_large]", absent=("inf",))
case("value-quantity-full-width", one_row(quantity="１２３"), code=0, writes=("out.json",),
     check=energy("2022", 123))
case("value-quantity-spaces-around", one_row(quantity="  42 "), code=0, writes=("out.json",),
     check=energy("2022", 42))
for cid, value in [("feb-30", "2022-02-30"), ("month-13", "2022-13-01"), ("year-0", "0000-01-01"),
                   ("serial-in-csv", "44562"), ("us-order", "01/31/2022"),
                   ("with-time", "2022-01-01 13:45"), ("words", "next Monday")]:
    case(f"value-date-{cid}", one_row(period_start=value), "row 2", "column period_start",
         "[not_a_date]")
case("value-end-before-start", one_row(period_start="2022-05-01", period_end="2022-04-01"),
     "[end_before_start]")
case("value-unknown-unit", one_row(unit="kwhh"), "column unit", "[unknown_unit]")
case("value-number-in-unit", one_row(unit="12 kWh"), "'12 kWh'", "12 in the unit would multiply",
     "quantity column", "[unknown_unit]")
case("value-nan-in-unit", one_row(unit="nan kWh"), "'nan kWh'", "[unknown_unit]")
case("value-wrong-dimension", one_row(unit="L"), "does not measure electricity", "[wrong_dimension]")
case("value-unknown-source", one_row(source="electricty"), "did you mean 'electricity'",
     "[unknown_source]")
case("value-unknown-entity", one_row(entity_id="E9"), "'E9'", "[unknown_entity]")
case("value-cell-too-long", one_row(unit="kWh" + " " * 10 + "x" * 40_000),
     "row 2", "more than 32,767 characters", "[cell_too_long]")
case("value-floor-area-1e308", lambda w, mp: compute(inv(w, denominators=[["E1", 2022, "1e308", 5]]),
                                                     w),
     "inv/denominators.csv, row 2", "floor_area_m2", "[too_large]")
case("value-floor-area-subnormal", lambda w, mp: compute(
    inv(w, denominators=[["E1", 2022, "5e-324", 5]]), w),
     "inv/denominators.csv, row 2", "floor_area_m2", "nearer 0 than 10⁻⁹", "[too_small]")
case("value-custom-factor-subnormal", lambda w, mp: compute(inv(
    w, [activity_row(10, "L", source="diesel")],
    custom_factors=[["diesel", "", "emission", "1e-320", "kgCO2/L", "doc p.1"]]), w),
     "inv/custom_factors.csv, row 2", "nearer 0 than 10⁻¹⁵", "[too_small]")
case("value-quantity-small-but-real", one_row(quantity="0.000002", unit="MWh"), code=0,
     writes=("out.json",), check=energy("2022", 0.002))
case("value-denominator-year-fraction", lambda w, mp: compute(
    inv(w, denominators=[["E1", "2022.5", 100, 5]]), w), "[not_a_year]")
case("value-custom-factor-1e308", lambda w, mp: compute(inv(
    w, [activity_row(10, "L", source="diesel")],
    custom_factors=[["diesel", "", "emission", "1e308", "kgCO2/L", "doc p.1"]]), w),
     "inv/custom_factors.csv, row 2", "[too_large]")
for cid, cf, frag in [
    ("ncv-zero", ["diesel", "", "ncv", "0", "kJ/kg", "doc p.1"], "[zero_factor]"),
    ("density-zero", ["diesel", "", "density", "0", "kg/L", "doc p.1"], "[zero_factor]"),
    ("oxidation-150-percent", ["diesel", "", "oxidation_rate", "150", "%", "doc p.1"],
     "[over_100_percent]"),
    ("sulphur-200-percent", ["diesel", "", "sulphur_content", "200", "%", "doc p.1"],
     "[over_100_percent]"),
    ("unit-10-300", ["diesel", "", "emission", "1", "10^300 kgCO2/L", "doc p.1"],
     "[unit_out_of_range]"),
]:
    case(f"value-custom-factor-{cid}", lambda w, mp, cf=cf: compute(inv(
        w, [activity_row(10, "L", source="diesel")], custom_factors=[cf]), w),
         "inv/custom_factors.csv, row 2", frag)
case("value-unit-10-300", one_row(unit="10^300 kWh"), "column unit", "[unit_out_of_range]")
case("value-unit-10-400", one_row(unit="10^400 kWh"), "column unit", "[unknown_unit]")
case("value-custom-factor-text", lambda w, mp: compute(inv(
    w, custom_factors=[["diesel", "", "emission", "two", "kgCO2/L", "doc p.1"]]), w),
     "[not_a_number]")
case("value-parent-loop", lambda w, mp: compute(inv(w, entities=[
    ["E1", "a", "E2", "", "山西", "", ""], ["E2", "b", "E1", "", "山西", "", ""]]), w),
     "[parent_loop]")
case("value-duplicate-entity", lambda w, mp: compute(inv(w, entities=[
    ["E1", "a", "", "", "山西", "", ""], ["E1", "b", "", "", "山西", "", ""]]), w),
     "inv/entities.csv, row 3", "[duplicate]")
case("value-unknown-province", lambda w, mp: compute(inv(w, entities=[
    ["E1", "a", "", "", "Atlantis", "", ""]]), w), "[unknown_province]")


# -- paths ---------------------------------------------------------------------------------------
def spaced(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
    f = make_inventory(w / "数据 2022" / "晋商 inv", [activity_row(100, "kWh")])
    return ["compute", f, "-f", "json", "-o", w / "out.json"]


case("path-spaces-and-chinese", spaced, **OK, check=energy("2022", 100))
case("path-lone-csv", lambda w, mp: compute(inv(w) / "activity.csv", w), "[not_an_inventory]")
case("path-missing", lambda w, mp: compute(w / "nothing", w), "does not exist")
case("path-link-loop", lambda w, mp: (link_loop(w / "inv.xlsx"), compute(w / "inv.xlsx", w))[1],
     "inv.xlsx")
case("path-fifo", lambda w, mp: (mkfifo(w / "inv.xlsx"), compute(w / "inv.xlsx", w))[1],
     "inv.xlsx", "is a pipe (FIFO)", "[not_a_file]")
case("path-device", lambda w, mp: compute(Path("/dev/null"), w), "null", "is a device")
case("path-folder-named-xlsx", lambda w, mp: (
    make_inventory(w / "inv.xlsx", [activity_row(100, "kWh")]), compute(w / "inv.xlsx", w))[1],
     **OK, check=energy("2022", 100))


# -- settings ------------------------------------------------------------------------------------
def settings(text: bytes) -> Build:
    return folder_with("settings.toml", text, rows=[activity_row(100, "kWh"),
                                                    activity_row(50, "kWh", year=2023)])


def years(*expected: str) -> Check:
    def check(w: Path, result: Any) -> None:
        assert list(json.loads((w / "out.json").read_text(encoding="utf-8"))["years"]) == list(
            expected)
    return check


case("settings-bom", settings(b"\xef\xbb\xbfreporting_years = [2022]\n"), **OK,
     check=years("2022"))
case("settings-crlf", settings(b"reporting_years = [2023]\r\n"), **OK, check=years("2023"))
case("settings-empty", settings(b""), **OK, check=years("2022", "2023"))
case("settings-gbk", settings('organisation = "晋商银行"\n'.encode("gbk")), "inv/settings.toml",
     "GB18030 (GBK) text", "[encoding]")
case("settings-big5", settings('organisation = "晉商銀行總行"\n'.encode("big5")),
     "inv/settings.toml", "Big5 text", "[encoding]")
case("settings-utf16", settings("reporting_years = [2022]\n".encode("utf-16")), "UTF-16",
     "[encoding]")
case("settings-directory", replaced("settings.toml", mkdir), "inv/settings.toml", "is a folder",
     "[not_a_file]")
case("settings-broken-link", replaced("settings.toml", broken_link), "inv/settings.toml",
     "[broken_link]")
case("settings-bad-toml", settings(b'organisation = "x"\nreporting_years = [2022\n'),
     "inv/settings.toml", "Unclosed array", "[bad_settings]")
case("settings-bad-toml-line", settings(b'organisation = "x"\nreporting_years = 2022 2023\n'),
     "inv/settings.toml, row 2", "[bad_settings]")
case("settings-unknown-key", settings(b"grid = 'mee-grid-2022'\n"), "column grid", "[bad_setting]")
case("settings-years-as-text", settings(b'reporting_years = "2022"\n'), "reporting_years",
     "[bad_setting]")
case("settings-threshold-negative", settings(b"threshold_pct = -1\n"), "threshold_pct",
     "[bad_setting]")
case("settings-nul", settings(b'organisation = "a\x00b"\n'), "NUL bytes", "[encoding]")
case("settings-gases-not-text", settings(b"gases = [1, true]\n"), "column gases.0",
     "column gases.1", "[bad_setting]")
case("settings-unknown-factor-set", settings(b'[factor_sets]\nfuel = "ndrc-2015"\n'),
     "inv/settings.toml, column factor_sets.fuel", "no factor set has the id 'ndrc-2015'",
     "did you mean", "ndrc-public-building-2015", "[unknown_factor_set]")
case("settings-threshold-true", settings(b"threshold_pct = true\n"), "column threshold_pct",
     "true or false where a number belongs", "[bad_setting]")
case("settings-base-year-1", settings(b"base_year = 1\n"), "column base_year",
     "greater than or equal to 1900", "[bad_setting]")
case("settings-reporting-year-5-digits", settings(b"reporting_years = [20224]\n"),
     "less than or equal to 2200", "[bad_setting]")
case("settings-empty-market-set", settings(b'[factor_sets]\nmarket = ""\n'),
     "column factor_sets.market", "[unknown_factor_set]", absent=("[unknown_value]",))
case("settings-unknown-grid-set-of-a-year", settings(
    b'[factor_sets.grid_by_year]\n2022 = "mee-grid-2099"\n'), "factor_sets.grid_by_year.2022",
     "[unknown_factor_set]")


# -- workbook ------------------------------------------------------------------------------------
def book(w: Path, **kw: Any) -> Path:
    return make_workbook(w / "inv.xlsx", **kw)


def workbook(**kw: Any) -> Build:
    return lambda w, mp: compute(book(w, **kw), w)


def edited(member: Callable[[Path], str], edit: Callable[[bytes], bytes], **kw: Any) -> Build:
    """The base workbook with one zip member's bytes edited."""
    def build(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
        p = book(w, **kw)
        rewrite_member(p, member(p), edit)
        return compute(p, w)
    return build


def _copy_sheet(wb: Any, title: str, to: str) -> None:
    """A clerk's copy of a sheet under another name, rows and all."""
    ws = wb.create_sheet(to)
    for row in wb[title].iter_rows(values_only=True):
        ws.append(row)


def activity_member(p: Path) -> str:
    return sheet_member(p, "activity")


def fixed(name: str) -> Callable[[Path], str]:
    return lambda p: name


XXE = (b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE r [<!ENTITY x SYSTEM '
       b'"file:///etc/passwd">]>\n')
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
          + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;")
                                                * 10) for i in range(1, 10)) + b"]>\n")


def with_prolog(prolog: bytes) -> Callable[[bytes], bytes]:
    def edit(xml: bytes) -> bytes:
        body = xml.split(b"?>", 1)[1] if xml.startswith(b"<?xml") else xml
        return prolog + body.lstrip()
    return edit


def zip_edit(p: Path, changes: dict[str, Callable[[bytes], bytes] | bytes]) -> None:
    """Edit (a function of the old bytes) or add (bytes) members of a workbook."""
    src = zipfile.ZipFile(p)
    items = {i.filename: src.read(i.filename) for i in src.infolist()}
    src.close()
    for name, change in changes.items():
        items[name] = change if isinstance(change, bytes) else change(items[name])
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, body in items.items():
            dst.writestr(name, body)


def with_shared_string(p: Path, text: bytes, prolog: bytes = b"") -> None:
    """Cell activity!G2 showing shared string 0, ``text`` (openpyxl writes inline strings)."""
    member = activity_member(p)
    zip_edit(p, {
        member: lambda b: b.replace(b"</row></sheetData>",
                                    b'<c r="G2" t="s"><v>0</v></c></row></sheetData>'),
        "xl/sharedStrings.xml": prolog + b'<sst xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" count="1" uniqueCount="1"><si><t>' + text + b"</t></si></sst>",
        "[Content_Types].xml": lambda b: b.replace(b"</Types>", b'<Override PartName="/xl/'
                                                   b'sharedStrings.xml" ContentType="application/'
                                                   b'vnd.openxmlformats-officedocument.spreadsheetml'
                                                   b'.sharedStrings+xml"/></Types>'),
        "xl/_rels/workbook.xml.rels": lambda b: b.replace(
            b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.'
            b'org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
            b"</Relationships>")})


def huge_string(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
    p = book(w)
    with_shared_string(p, b"y" * (2 << 20))
    return compute(p, w)


def xxe_shared(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
    p = book(w)
    with_shared_string(p, b"&x;", prolog=XXE)
    return compute(p, w)


def long_inline(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
    p = book(w, activity=[[*ROW, "n" * 100]], activity_header=[*ACTIVITY_COLUMNS, "note"])
    zip_edit(p, {activity_member(p): lambda b: b.replace(b"n" * 100, b"n" * 40_000)})
    return compute(p, w)


def huge_inline(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
    p = book(w)
    rewrite_member(p, activity_member(p), lambda b: b.replace(
        b"</row></sheetData>", b'<c r="G2" t="inlineStr"><is><t>' + b"z" * (2 << 20)
        + b"</t></is></c></row></sheetData>"))
    return compute(p, w)


case("book-header-only-activity", workbook(activity=[]), "inv.xlsx, activity!A2",
     "has its header but no rows", "[no_rows]")
case("book-header-only-entities", workbook(entities=[]), "entities!A2", "[no_rows]")
case("book-no-entities-sheet", lambda w, mp: compute(book(
    w, settings=[["organisation", "x"]], mutate=lambda wb: wb.remove(wb["entities"])), w),
     "no sheet 'entities'", "add a sheet named entities", "[missing_sheet]",
     absent=("rename the sheet 'settings'",))
case("book-xxe-workbook-xml", edited(fixed("xl/workbook.xml"), with_prolog(XXE)),
     "xl/workbook.xml declares a DTD", "save it as a new workbook", "[unsafe_xml]",
     absent=("root:",))
case("book-xxe-shared-strings", xxe_shared,
     "xl/sharedStrings.xml", "[unsafe_xml]")
case("book-billion-laughs-sheet", edited(activity_member, with_prolog(LAUGHS)),
     "declares a DTD", "[unsafe_xml]")
case("book-dtd-content-types", edited(fixed("[Content_Types].xml"), with_prolog(
    b'<?xml version="1.0"?>\n<!DOCTYPE Types SYSTEM "http://example.invalid/t.dtd">\n')),
     "[Content_Types].xml", "[unsafe_xml]")
case("book-dtd-after-comment", edited(fixed("xl/styles.xml"), with_prolog(
    b"<?xml version='1.0'?><!-- made by hand --><!DOCTYPE x [<!ENTITY a 'b'>]>")),
     "xl/styles.xml", "[unsafe_xml]")
case("book-strict-ooxml", edited(fixed("xl/workbook.xml"), lambda b: b.replace(
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    b"http://purl.oclc.org/ooxml/spreadsheetml/main")), "Strict Open XML", "[strict_ooxml]")
case("book-shared-string-2mib", huge_string, "activity!G2", "more than 1 MiB of text",
     "32,767 characters", "was not read", "[cell_too_long]")
case("book-inline-string-2mib", huge_inline, "activity!G2", "more than 1 MiB", "[cell_too_long]")
case("book-cell-40k-characters", long_inline,
     "activity!G2", "more than 32,767 characters", "[cell_too_long]")
case("book-really-a-csv", lambda w, mp: ((w / "inv.xlsx").write_text(
    f"{HEAD}\n{ROW_TEXT}\n", encoding="utf-8"), compute(w / "inv.xlsx", w))[1],
     "[csv_named_xlsx]", "rename it inv.csv")
case("book-really-a-big5-csv", lambda w, mp: ((w / "inv.xlsx").write_bytes(
    f"{HEAD}\nE1,2022-01-01,2022-12-31,電力,1,度\n".encode("big5")), compute(w / "inv.xlsx", w))[1],
     "[csv_named_xlsx]")
def unreadable_book(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
    p = book(w)
    refuse_open(p, mp)
    return compute(p, w)


case("book-unreadable", unreadable_book, "inv.xlsx", "permission denied", "[unreadable]")
case("book-empty-file", lambda w, mp: ((w / "inv.xlsx").write_bytes(b""),
                                       compute(w / "inv.xlsx", w))[1], "[empty_file]")
case("book-truncated", lambda w, mp: (lambda p: (p.write_bytes(p.read_bytes()[:900]),
                                                 compute(p, w))[1])(book(w)), "[corrupt]")
case("book-no-workbook-rels", lambda w, mp: (lambda p: (_drop_member(p, "xl/_rels/workbook.xml.rels"),
                                                        compute(p, w))[1])(book(w)),
     "damaged", "[corrupt]")
case("book-shared-string-out-of-range", edited(activity_member, lambda b: __import__("re").sub(
    rb'<c r="A2" t="inlineStr"><is><t>E1</t></is></c>', rb'<c r="A2" t="s"><v>99999</v></c>', b,
    count=1)),
     "inv.xlsx", "refers to shared text the workbook does not hold", "[corrupt]")
case("book-named-without-xlsx", lambda w, mp: compute(book(w).rename(w / "inv.xlsx.download"), w),
     **OK)
case("book-second-activity-sheet-by-its-header", workbook(
    mutate=lambda wb: _copy_sheet(wb, "activity", "Branch B")),
     "inv.xlsx, Branch B!A1", "its rows would be left out", "[extra_sheet]")
case("book-second-activity-sheet-by-its-name", workbook(
    mutate=lambda wb: _copy_sheet(wb, "activity", "2023 (activity)")), "2023 (activity)!A1",
     "[extra_sheet]")
case("book-a-sheet-of-notes-is-left-alone", workbook(
    mutate=lambda wb: wb.create_sheet("Notes").append(["note", "who", "when"])), **OK)
case("book-settings-sheet-unknown-factor-set", workbook(
    settings=[["reporting_years", "2022"], ["factor_sets.grid", "mee-grid-2O22"]]),
     "inv.xlsx, settings!B3", "did you mean mee-grid-2022", "[unknown_factor_set]")
case("book-merged-header", workbook(mutate=lambda wb: wb["activity"].merge_cells("E1:F1")),
     "activity!E1", "[merged_cells]")
case("book-duplicate-header", workbook(activity_header=[*ACTIVITY_COLUMNS, "quantity"],
                                       activity=[[*ROW, 3]]), "activity!G1", "[duplicate_column]")
case("book-quantity-1e308-number", workbook(activity=[[*ROW[:4], 1e308, "MWh"]]),
     "activity!E2", "[too_large]")
case("book-quantity-1e308-text", workbook(activity=[[*ROW[:4], "1e308", "MWh"]]),
     "activity!E2", "[too_large]")
case("book-quantity-nan-text", workbook(activity=[[*ROW[:4], "NaN", "kWh"]]), "activity!E2",
     "[not_a_number]")
case("book-quantity-boolean", workbook(activity=[[*ROW[:4], True, "kWh"]]), "activity!E2",
     "'TRUE'", "[not_a_number]")
case("book-quantity-whitespace", workbook(activity=[[*ROW[:4], "   ", "kWh"]]), "activity!E2",
     "[required]")
case("book-date-feb-30-text", workbook(activity=[["E1", "2022-02-30", ROW[2], *ROW[3:]]]),
     "activity!B2", "[not_a_date]")
case("book-date-serial-number", workbook(activity=[["E1", 44562, 44926, *ROW[3:]]]), **OK,
     check=energy("2022", 100))
case("book-date-time-of-day", workbook(activity=[["E1", __import__("datetime").time(8, 30),
                                                  ROW[2], *ROW[3:]]]), "activity!B2",
     "[not_a_date]")
case("book-hidden-activity-sheet", workbook(mutate=lambda wb: setattr(
    wb["activity"], "sheet_state", "hidden")), **OK, check=notice("hidden_sheet", "activity"))


def _drop_member(p: Path, name: str) -> None:
    src = zipfile.ZipFile(p)
    items = [(i, src.read(i.filename)) for i in src.infolist() if i.filename != name]
    src.close()
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as dst:
        for i, body in items:
            dst.writestr(i, body)


# -- manifest ------------------------------------------------------------------------------------
@dataclass
class _Base:
    folder: Path | None = None


_BASE = _Base()


def _manifest_base(tmp_root: Path) -> Path:
    """The example inventory and its manifest, made once per session, copied by each case."""
    if _BASE.folder is None:
        folder = tmp_root / "manifest-base"
        shutil.copytree(EXAMPLE, folder / "inv")
        result = run("compute", folder / "inv", "-f", "json", "--manifest", folder / "m.json")
        assert result.exit_code == 0, result.output
        _BASE.folder = folder
    return _BASE.folder


def manifest(edit: Callable[[dict[str, Any]], Any] | None = None, raw: bytes | None = None,
             text: Callable[[str], str] | None = None) -> Build:
    """``carbon verify`` of the base manifest, edited as a dict, as text, or replaced by bytes."""
    def build(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
        base = _manifest_base(w.parent.parent)
        shutil.copytree(base / "inv", w / "inv")
        body = (base / "m.json").read_text(encoding="utf-8")
        if edit is not None:
            doc = json.loads(body)
            edit(doc)
            body = json.dumps(doc, ensure_ascii=False)
        if text is not None:
            body = text(body)
        (w / "m.json").write_bytes(raw if raw is not None else body.encode("utf-8"))
        return ["verify", w / "m.json"]
    return build


def setitem(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def edit(doc: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = doc
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        if value is _DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return edit


_DELETE = object()

case("manifest-inputs-not-a-list", manifest(setitem("inputs", {"path": "x"})), "m.json",
     "invalid manifest", "inputs")
case("manifest-options-path-missing", manifest(setitem("options.path", _DELETE)), "options.path",
     "Field required")
case("manifest-results-list", manifest(setitem("results", [])), "results")
case("manifest-sha256-missing", manifest(setitem("inputs.0.sha256", _DELETE)),
     "inputs[0].sha256")
case("manifest-sha256-not-hex", manifest(setitem("inputs.0.sha256", "zz")), "inputs[0].sha256")
case("manifest-nested-brackets", manifest(raw=b"[" * 200_000 + b"]" * 200_000), "m.json",
     "nested deeper")
case("manifest-year-abc", manifest(setitem("options.year", "abc")), "options.year",
     absent=("difference",))
case("manifest-year-list-of-text", manifest(setitem("options.year", ["2024"])), "options.year[0]")
case("manifest-grid-level-city", manifest(setitem("options.grid_level", "city")),
     "options.grid_level")
case("manifest-factors-not-paths", manifest(setitem("options.factors", [123])),
     "options.factors[0]")
case("manifest-version-text", manifest(setitem("manifest_version", "1")), "manifest version '1'")
case("manifest-json-null", manifest(raw=b"null"), "not a carbon manifest")
case("manifest-json-list", manifest(raw=b"[1, 2]"), "not a carbon manifest")
case("manifest-truncated", manifest(text=lambda t: t[: len(t) // 2]), "not a readable manifest",
     "line")
case("manifest-duplicate-key", manifest(text=lambda t: t.replace(
    '"manifest_version": 1', '"manifest_version": 1, "manifest_version": 1', 1)),
     "appears twice")
case("manifest-nan", manifest(text=lambda t: t.replace('"energy_kwh": ', '"energy_kwh": NaN, "x": ',
                                                       1)), "NaN")
case("manifest-gbk-bytes", manifest(raw='{"组织": "晋商"}'.encode("gbk")), "not UTF-8")
case("manifest-bom", manifest(text=lambda t: "\ufeff" + t), "verified", code=0)
case("manifest-empty-input-path", manifest(setitem("inputs.0.path", "")), "inputs[0].path")
case("manifest-input-is-a-folder", manifest(setitem("inputs.0.path", "inv")), "inv",
     "is a folder", "[not_a_file]")
case("manifest-factor-value-text", manifest(lambda d: next(iter(d["factors"].values())).update(
    value="0.5")), "factors.")
case("manifest-input-changed", lambda w, mp: (
    manifest()(w, mp), (w / "inv" / "denominators.csv").write_text(
        "entity_id,year,floor_area_m2,headcount\nJSB,2022,1,1\n", encoding="utf-8"))[0],
     "input inv/denominators.csv: changed", code=1)
case("manifest-fifo", lambda w, mp: (mkfifo(w / "m.json"), ["verify", w / "m.json"])[1],
     "m.json", "pipe")


# -- outputs -------------------------------------------------------------------------------------
def bad_inventory(w: Path) -> Path:
    return inv(w, [activity_row("abc", "kWh")])


def refuse_in(folder_of: Callable[[Path], Path], err: int) -> Callable[[Path, pytest.MonkeyPatch],
                                                                        None]:
    """Make the creation of temporary files in one folder fail with ``err`` (as root, who writes
    anywhere, a read-only folder or a full disk is simulated at the same call)."""
    def patch(w: Path, mp: pytest.MonkeyPatch) -> None:
        real = tempfile.mkstemp
        target = folder_of(w).resolve()

        def mkstemp(*a: Any, **k: Any) -> tuple[int, str]:
            if Path(k.get("dir", "")).resolve() == target:
                raise OSError(err, os.strerror(err))
            return real(*a, **k)

        mp.setattr(tempfile, "mkstemp", mkstemp)
    return patch


def full_disk_on_write(mp: pytest.MonkeyPatch) -> None:
    """The disk fills while an output is written: fsync reports ENOSPC (as it does on a full disk
    for the data written before it)."""
    def fsync(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    mp.setattr(os, "fsync", fsync)


def with_patch(patch: Callable[[Path, pytest.MonkeyPatch], None], args: Build) -> Build:
    def build(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
        got = args(w, mp)
        patch(w, mp)
        return got
    return build


case("out-same-file-as-errors", lambda w, mp: ["compute", inv(w), "-o", w / "r.csv", "--errors",
                                               w / "r.csv"],
     "r.csv is named for two outputs")
case("out-same-file-as-errors-on-bad-input", lambda w, mp: [
    "compute", bad_inventory(w), "-o", w / "r.csv", "--errors", w / "r.csv"],
     "named for two outputs")
case("out-same-file-as-manifest", lambda w, mp: ["compute", inv(w), "-o", w / "m.json",
                                                 "--manifest", w / "m.json"],
     "named for two outputs")
case("out-errors-onto-an-input", lambda w, mp: ["compute", bad_inventory(w), "--errors",
                                                w / "inv" / "activity.csv"], "is an input")
case("out-onto-an-input", lambda w, mp: ["compute", inv(w), "-f", "csv", "-o",
                                         w / "inv" / "activity.csv"], "is an input")
case("out-onto-a-fifo", lambda w, mp: (mkfifo(w / "r.json"), [*compute(inv(w), w)[:4], "-o",
                                                             w / "r.json"])[1], "r.json is a pipe")
case("out-errors-onto-a-fifo", lambda w, mp: (mkfifo(w / "e.csv"), ["compute", bad_inventory(w),
                                                                    "--errors", w / "e.csv"])[1],
     "e.csv is a pipe")
case("out-manifest-onto-a-link-to-a-fifo", lambda w, mp: (
    mkfifo(w / "pipe"), (w / "m.json").symlink_to(w / "pipe"),
    compute(inv(w), w, "--manifest", w / "m.json"))[2], "m.json is a pipe")
def null_device(p: Path) -> None:
    """A null device node of our own (never the system's /dev/null: a regression would replace
    it with a regular file, as main once did)."""
    try:
        os.mknod(p, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("making a device node needs root")


case("out-onto-a-device-node", lambda w, mp: (null_device(w / "null.json"), [
    "compute", inv(w), "-f", "json", "-o", w / "null.json"])[1], "null.json is a device")
case("out-onto-a-directory", lambda w, mp: ["compute", inv(w), "-o", w / "inv"],
     "'--out'", "directory")
case("out-charts-onto-a-file", lambda w, mp: ["compute", inv(w), "--charts",
                                              inv(w) / "entities.csv"], "is a file")
case("out-errors-txt", lambda w, mp: ["compute", inv(w), "--errors", w / "e.txt"],
     "write the problems to a .csv or .xlsx file")
case("out-xlsx-with-format-json", lambda w, mp: ["compute", inv(w), "-f", "json", "-o",
                                                 w / "r.xlsx"], "drop --format json")
case("out-parent-is-a-file", lambda w, mp: ["compute", inv(w), "-f", "json", "-o",
                                            inv(w) / "entities.csv" / "r.json"],
     "r.json", "nothing was written")
case("out-read-only-folder", with_patch(refuse_in(lambda w: w / "ro", errno.EROFS), lambda w, mp: (
    (w / "ro").mkdir(), ["compute", inv(w), "-f", "json", "-o", w / "ro" / "r.json"])[1]),
     "ro/r.json", "is on a read-only disk", "nothing was written", "write to another folder")
case("out-permission-denied", with_patch(refuse_in(lambda w: w / "ro", errno.EACCES),
                                         lambda w, mp: ((w / "ro").mkdir(), [
                                             "compute", inv(w), "-f", "json", "-o",
                                             w / "ro" / "r.json"])[1]),
     "permission denied", "nothing was written")
case("out-manifest-read-only-after-workbook-and-charts", with_patch(
    refuse_in(lambda w: w / "ro", errno.EROFS), lambda w, mp: ((w / "ro").mkdir(), [
        "compute", inv(w), "-o", w / "r.xlsx", "--charts", w / "charts", "--manifest",
        w / "ro" / "m.json"])[1]),
     "ro/m.json", "read-only", "nothing was written")
case("out-disk-full", lambda w, mp: (full_disk_on_write(mp), compute(inv(w), w))[1],
     "out.json", "no space left", "nothing was written")
case("out-disk-full-errors-file", lambda w, mp: (full_disk_on_write(mp), [
    "compute", bad_inventory(w), "--errors", w / "e.xlsx"])[1],
     "inv/activity.csv, row 2", "[not_a_number]", "were not written to --errors", "no space left")
case("out-read-only-errors-file", with_patch(refuse_in(lambda w: w / "ro", errno.EROFS),
                                             lambda w, mp: ((w / "ro").mkdir(), [
                                                 "compute", bad_inventory(w), "--errors",
                                                 w / "ro" / "e.csv"])[1]),
     "[not_a_number]", "were not written", "read-only")
case("out-set-with-errors-file", lambda w, mp: ["compute", inv(w), "-f", "json", "-o",
                                                w / "out.json", "--errors", w / "e.csv"],
     code=0, writes=("out.json", "e.csv"))


# -- restate -------------------------------------------------------------------------------------
def restate_with(header_only: str) -> Build:
    def build(w: Path, mp: pytest.MonkeyPatch) -> list[Any]:
        a = make_inventory(w / "a", [activity_row(100, "kWh")])
        b = make_inventory(w / "b", [activity_row(120, "kWh")])
        (w / header_only / "activity.csv").write_text(HEAD + "\n", encoding="utf-8")
        return ["restate", "--before", a, "--after", b, "--years", "2022", "-f", "json", "-o",
                w / "out.json"]
    return build


case("restate-header-only-before", restate_with("a"), "a/activity.csv, row 2", "[no_rows]")
case("restate-header-only-after", restate_with("b"), "b/activity.csv, row 2", "[no_rows]")
case("restate-out-onto-a-fifo", lambda w, mp: (mkfifo(w / "r.json"), [
    "restate", "--before", inv(w), "--after", inv(w), "-o", w / "r.json"])[1], "r.json is a pipe")


# -- the runner ----------------------------------------------------------------------------------
def snapshot(root: Path) -> dict[str, tuple[Any, ...]]:
    """Every entry under ``root`` (links not followed): kind and bytes (or link target)."""
    out: dict[str, tuple[Any, ...]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            p = Path(dirpath, name)
            st = os.lstat(p)
            rel = str(p.relative_to(root))
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISREG(st.st_mode):
                try:
                    digest = hashlib.sha256(p.read_bytes()).hexdigest()
                except PermissionError:
                    digest = f"{st.st_size}:{st.st_mtime_ns}"
                out[rel] = ("file", digest, stat.S_IMODE(st.st_mode))
            else:
                out[rel] = (stat.S_IFMT(st.st_mode),)
    return out


@pytest.mark.parametrize("c", [pytest.param(c, id=c.id, marks=c.marks) for c in CASES])
def test_adversarial(c: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    w = tmp_path / "w"
    w.mkdir()
    args = c.build(w, monkeypatch)
    before = snapshot(w)
    result = run(*args)
    monkeypatch.undo()
    text = " ".join((result.stdout + result.stderr).split())
    assert result.exit_code == c.code, text
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in text and "internal error" not in text, text
    for fragment in c.expect:
        assert fragment in text, f"{fragment!r} not in: {text}"
    for fragment in c.absent:
        assert fragment not in text, f"{fragment!r} in: {text}"
    after = snapshot(w)
    assert {k: v for k, v in after.items() if k not in c.writes} == before
    for name in c.writes:
        assert name in after, name
    if c.check is not None:
        c.check(w, result)


# -- real disks: a full one and a read-only one (tmpfs, when this machine lets us mount) --------
@contextlib.contextmanager
def tmpfs(at: Path, options: str) -> Iterator[Path]:
    at.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(at)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.decode().strip()}); the simulated "
                    "cases cover it")
    try:
        yield at
    finally:
        subprocess.run(["umount", str(at)], check=False)


@pytest.mark.skipif(not ROOT_USER or shutil.which("mount") is None, reason="mounting needs root")
@pytest.mark.parametrize("kind", ["full", "read-only"])
def test_adversarial_real_disk(kind: str, tmp_path: Path) -> None:
    """An 8 KiB disk that the workbook does not fit on, and a read-only one: exit 2, the reason,
    nothing written, no temporary left."""
    folder = inv(tmp_path)
    with tmpfs(tmp_path / "disk", "size=8k" if kind == "full" else "ro,size=64k") as disk:
        result = run("compute", folder, "-o", disk / "r.xlsx", "--manifest", disk / "m.json")
        text = " ".join(result.stderr.split())
        assert result.exit_code == 2, text
        assert ("no space left" if kind == "full" else "read-only disk") in text
        assert "nothing was written" in text and "Traceback" not in text
        assert list(disk.iterdir()) == []


# -- /dev/stdout and signals: the real process ---------------------------------------------------
def carbon(*args: Any, **kw: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "carbon", *map(str, args)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def test_adversarial_out_dev_stdout(tmp_path: Path) -> None:
    """``-o /dev/stdout`` (a pipe here): refused with the way out, nothing replaced."""
    proc = carbon("compute", inv(tmp_path), "-f", "json", "-o", "/dev/stdout")
    out, err = proc.communicate(timeout=60)
    text = " ".join(err.decode().split())
    assert proc.returncode == 2, text
    assert "/dev/stdout is" in text and "leave out --out to print to the console" in text
    assert out == b"" and "Traceback" not in text


def _big_inventory(folder: Path, rows: int = 60_000) -> Path:
    """An inventory whose workbook takes a few seconds to write: time to be interrupted in."""
    make_inventory(folder, [])
    lines = [HEAD] + [f"E1,{2022 + i % 2}-{1 + i % 12:02d}-01,{2022 + i % 2}-{1 + i % 12:02d}-28,"
                      f"electricity,{i % 97 + 1},kWh" for i in range(rows)]
    (folder / "activity.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_adversarial_signal_while_writing(sig: signal.Signals, tmp_path: Path) -> None:
    """Interrupted while its outputs are being written, carbon leaves nothing behind: no output,
    no temporary; the exit status says which signal (128 + N). A run that finished before the
    signal landed (complete outputs, nothing left over) is tried again."""
    folder = _big_inventory(tmp_path / "inv")
    for attempt in range(3):
        out = tmp_path / f"out{attempt}"
        out.mkdir()
        proc = carbon("compute", folder, "-o", out / "r.xlsx", "--manifest", out / "m.json")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None:
            if any(p.name.endswith(".tmp") for p in out.iterdir()):
                break
            time.sleep(0.005)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
        text = " ".join(err.decode().split())
        assert "Traceback" not in text, text
        if proc.returncode == 0 or "after its outputs were written" in text:  # too late: the
            assert sorted(p.name for p in out.iterdir()) == ["m.json", "r.xlsx"], text  # set is whole
            continue
        assert proc.returncode == 128 + sig, text
        assert f"interrupted ({sig.name}); nothing was written" in text
        assert list(out.iterdir()) == []
        return
    pytest.fail("every run finished before the signal landed")
