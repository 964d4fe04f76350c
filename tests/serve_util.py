"""Helpers of the ``carbon serve`` tests: a head office's inventory with many branches, branch
workbooks as a clerk sends them, a zip bomb, and a real server in a subprocess."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from tests.conftest import ROOT, write_csv

ENTITIES = ["entity_id", "name", "parent_id", "kind", "province", "included_from", "included_to"]
ACTIVITY = ["entity_id", "period_start", "period_end", "source", "quantity", "unit"]
DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def branch_ids(n: int) -> list[str]:
    return [f"BR{i:02d}" for i in range(1, n + 1)]


def month(entity: str, year: int, m: int, quantity: object = 1000.0, unit: str = "kWh",
          source: str = "electricity") -> list[object]:
    last = DAYS[m - 1] + (1 if m == 2 and year % 4 == 0 else 0)
    return [entity, f"{year}-{m:02d}-01", f"{year}-{m:02d}-{last}", source, quantity, unit]


def head_office(folder: Path, branches: int = 3, *, names: dict[str, str] | None = None,
                year: int = 2024) -> Path:
    """A head office ``HO`` with ``branches`` branches ``BR01`` … each with an outlet
    ``OUTxx`` below it; the head office's own electricity for every month of ``year`` and each
    branch's December of ``year`` (so that the status expects the branches' months)."""
    names = names or {}
    rows = [["HO", names.get("HO", "Head office"), "", "head_office", "山西", "", ""]]
    for b in branch_ids(branches):
        out = b.replace("BR", "OUT")
        rows.append([b, names.get(b, f"Branch {b}"), "HO", "branch", "山西", "", ""])
        rows.append([out, names.get(out, f"Outlets of {b}"), b, "outlets", "山西", "", ""])
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "entities.csv", ENTITIES, rows)
    act = [month("HO", year, m, 5000.0) for m in range(1, 13)]
    act += [month(b, year, 12, 700.0) for b in branch_ids(branches)]
    write_csv(folder / "activity.csv", ACTIVITY, act)
    (folder / "settings.toml").write_text(
        f'organisation = "Test bank"\nreporting_years = [{year}, {year + 1}]\n', encoding="utf-8")
    return folder


def branch_workbook(path: Path, branch: str, year: int = 2025, *,
                    months: Sequence[int] = range(1, 13), blank: Sequence[int] = (),
                    unit: dict[int, str] | None = None, entities: Sequence[str] | None = None,
                    names: dict[str, str] | None = None) -> Path:
    """A branch's workbook as its clerk sends it: its entities (the branch and its outlet,
    the branch's parent left blank) and a row per entity and month of electricity (``blank``:
    months whose quantity is left blank; ``unit``: a month's unit instead of kWh, in the first
    entity's rows)."""
    unit = unit or {}
    names = names or {}
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "entities"
    ws.append(ENTITIES)
    outlet = branch.replace("BR", "OUT")
    for e in entities or [branch, outlet]:
        parent = "" if e.startswith("BR") else e.replace("OUT", "BR")
        ws.append([e, names.get(e, ""), parent, "", "", "", ""])
    act = wb.create_sheet("activity")
    act.append(ACTIVITY)
    for i, e in enumerate([branch, outlet] if entities is None else list(entities)):
        for m in months:
            row = month(e, year, m, None if m in blank else 800.0 + m,
                        unit.get(m, "kWh") if i == 0 else "kWh")
            act.append(row)
    wb.save(path)
    return path


def zip_bomb(path: Path, unpacked: int = 600 * 2**20) -> Path:
    """A workbook-looking zip (small on disk) whose sheet member expands to ``unpacked``
    bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("xl/workbook.xml", '<?xml version="1.0"?><workbook/>')
        block = b" " * (4 << 20)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            left = unpacked
            while left > 0:
                fh.write(block[:left])
                left -= len(block)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Running:
    """A server started by :func:`server`: its URL and process; ``stderr`` once stopped."""

    url: str
    proc: subprocess.Popen[str]
    stderr: str = ""

    def peak_rss_mib(self) -> float:
        """The server process's peak resident memory so far (Linux). [MiB]"""
        text = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", text).group(1)) / 1024  # type: ignore[union-attr]


@contextlib.contextmanager
def server(data: Path, *args: str, timeout: float = 60) -> Iterator[Running]:
    """``carbon serve --data DATA`` in a subprocess on a free port; yields it once it prints
    ``listening on http://…`` (asserting the URL); stopped (SIGTERM) afterwards."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "carbon", "serve", "--data", str(data), "--port", str(port),
         *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    err: list[str] = []
    found = threading.Event()
    url: list[str] = []

    def read_out() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            m = re.match(r"listening on (http://\S+)", line)
            if m and not found.is_set():
                url.append(m.group(1))
                found.set()

    def read_err() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            err.append(line)

    threads = [threading.Thread(target=read_out, daemon=True),
               threading.Thread(target=read_err, daemon=True)]
    for t in threads:
        t.start()
    try:
        deadline = time.monotonic() + timeout
        while not found.wait(0.2):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"carbon serve did not start (exit {proc.poll()}):\n"
                                     + "".join(lines + err))
        assert url[0] == f"http://127.0.0.1:{port}", url
        running = Running(url[0], proc)
        yield running
        assert proc.poll() is None, "the server stopped:\n" + "".join(err[-40:])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for t in threads:
            t.join(timeout=5)
        with contextlib.suppress(NameError):
            running.stderr = "".join(err)
