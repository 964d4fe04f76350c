"""``carbon serve`` as it runs: a real uvicorn in a subprocess on a free port. Thirty branches
submit at once (every one stored, the status right, no error response), a 600 MiB zip bomb and
an oversized upload are refused while the server stays up."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

httpx = pytest.importorskip("httpx2")
pytest.importorskip("uvicorn")

from carbon.web.store import Store  # noqa: E402
from tests.conftest import run  # noqa: E402
from tests.serve_util import (  # noqa: E402
    branch_ids,
    branch_workbook,
    head_office,
    server,
    zip_bomb,
)

BRANCHES = 30
JSON = {"Accept": "application/json"}


def test_thirty_branches_submit_at_once(tmp_path: Path):
    data = tmp_path / "data"
    head_office(data / "inventory", BRANCHES)
    store = Store(data)
    tokens = {b: store.create_token("branch", b, f"clerk {b}")[1] for b in branch_ids(BRANCHES)}
    head = store.create_token("head_office", None, "head office")[1]
    books = {b: branch_workbook(tmp_path / f"{b}-2025.xlsx", b) for b in branch_ids(BRANCHES)}
    with server(data) as srv, httpx.Client(base_url=srv.url, timeout=300) as client:

        def submit(branch: str) -> tuple[int, dict, float]:
            start = time.perf_counter()
            with books[branch].open("rb") as fh:
                r = client.post("/submit", files={"file": (books[branch].name, fh)},
                                headers={"Authorization": f"Bearer {tokens[branch]}", **JSON})
            return r.status_code, r.json(), time.perf_counter() - start

        start = time.perf_counter()
        with ThreadPoolExecutor(BRANCHES) as pool:
            pending = [pool.submit(submit, b) for b in branch_ids(BRANCHES)]
            health = client.get("/healthz")  # answered while the workbooks are read
            results = [p.result() for p in pending]
        took = time.perf_counter() - start
        assert health.status_code == 200
        assert [code for code, _, _ in results] == [201] * BRANCHES, results
        status = client.get("/status", headers={"Authorization": f"Bearer {head}", **JSON})
        assert status.status_code == 200
        doc = status.json()
        peak = srv.peak_rss_mib()
    print(f"\n30 concurrent submissions: {took:.1f} s in all, slowest "
          f"{max(t for _, _, t in results):.1f} s; server peak RSS {peak:.0f} MiB")
    subs = Store(data).current()
    assert sorted(s.scope for s in subs) == branch_ids(BRANCHES)
    assert all(s.version == 1 and (s.rows_filled, s.rows_pending) == (24, 0) for s in subs)
    assert [r[1]["submission"]["scope"] for r in results] == branch_ids(BRANCHES)
    rows = {(r["entity_id"], r["source"]): r for r in doc["status"]}
    for b in branch_ids(BRANCHES):
        for e in (b, b.replace("BR", "OUT")):
            assert rows[(e, "electricity")]["months"] == ["filled"] * 12, e
            assert rows[(e, "electricity")]["file"] == f"{b}-2025.xlsx"
    assert doc["outstanding"] == 12  # the head office's own 2025, nothing else
    # the same as carbon status of the same files
    cli = run("status", data / "inventory", *books.values(), "--format", "json")
    assert {k: v for k, v in doc.items() if k not in ("problems", "submissions")} == \
        json.loads(cli.stdout)


def test_a_zip_bomb_and_an_oversized_upload_are_refused_and_the_server_stays_up(tmp_path):
    data = tmp_path / "data"
    head_office(data / "inventory", 2)
    store = Store(data)
    token = store.create_token("branch", "BR01", "clerk")[1]
    bomb = zip_bomb(tmp_path / "bomb.xlsx")
    assert bomb.stat().st_size < 2 * 2**20  # small on disk, 600 MiB unpacked
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + bytes(3 * 2**20))
    good = branch_workbook(tmp_path / "BR01.xlsx", "BR01")
    auth = {"Authorization": f"Bearer {token}"}
    with server(data, "--max-upload", "2") as srv, \
            httpx.Client(base_url=srv.url, timeout=120) as client:
        for route in ("/check", "/submit"):
            with bomb.open("rb") as fh:
                r = client.post(route, files={"file": ("bomb.xlsx", fh)}, headers={**auth, **JSON})
            assert r.status_code in (200, 422), r.text
            assert [p["code"] for p in r.json()["problems"]] == ["too_large"]
            assert "600 MiB" in r.json()["problems"][0]["message"]
            assert client.get("/healthz").status_code == 200
        with bomb.open("rb") as fh:  # the page: the problem in words, never a 500
            page = client.post("/check", files={"file": ("bomb.xlsx", fh)})
        assert page.status_code == 403  # no CSRF field: refused before it is read
        try:
            with big.open("rb") as fh:
                r = client.post("/check", files={"file": ("big.xlsx", fh)}, headers=JSON)
            assert r.status_code == 413 and r.json()["error"] == "too_large"
        except httpx.TransportError:  # the server may close before the client has sent all
            pass
        assert client.get("/healthz").status_code == 200
        with good.open("rb") as fh:
            r = client.post("/submit", files={"file": (good.name, fh)}, headers={**auth, **JSON})
        assert r.status_code == 201
        peak = srv.peak_rss_mib()
    # stopped by SIGTERM: the requests under way finished, the exit code says the signal
    assert srv.proc.returncode == 143 and "stopped (SIGTERM)" in srv.stderr
    assert "Traceback" not in srv.stderr
    print(f"\nzip bomb refused; server peak RSS {peak:.0f} MiB")
    assert peak < 600  # it never unpacked the bomb
    assert len(Store(data).current()) == 1
