"""``carbon serve`` (DESIGN.md, contract 6), in process with Starlette's test client: the routes,
the check that equals ``carbon check --format json``, submissions and their versions, the
status, the report, tokens, CSRF, languages, and the safety cases (markup in a name, paths,
oversized and broken uploads)."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

pytest.importorskip("starlette")
pytest.importorskip("httpx2")

from starlette.testclient import TestClient

from carbon import api
from carbon.i18n import tr
from carbon.web import store as store_module
from carbon.web.app import Config, create_app
from carbon.web.collection import safe_name
from carbon.web.store import Store, StoreError
from tests.conftest import ROOT, run
from tests.serve_util import branch_workbook, head_office

JSON = {"Accept": "application/json"}


class Site:
    """A server in process: its data folder, head office's inventory, tokens and client."""

    def __init__(self, tmp: Path, *, branches: int = 3, names: dict[str, str] | None = None,
                 max_upload: int = 20 * 2**20, root_path: str = ""):
        self.tmp = tmp
        self.hq = head_office(tmp / "hq", branches, names=names)
        self.data = tmp / "data"
        self.store = Store(self.data)
        self.config = Config(self.store, self.hq, max_upload=max_upload)
        self.app = create_app(self.config)
        self.client = TestClient(self.app, root_path=root_path)
        self.tokens: dict[str, str] = {}
        for b in ("BR01", "BR02"):
            self.tokens[b] = self.store.create_token("branch", b, f"clerk {b}")[1]
        self.tokens["HO"] = self.store.create_token("head_office", None, "head office")[1]

    def bearer(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def csrf(self) -> str:
        page = self.client.get("/")
        m = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
        assert m, page.text
        return m.group(1)

    def workbook(self, name: str, branch: str = "BR01", **kw) -> Path:
        return branch_workbook(self.tmp / name, branch, **kw)

    def post(self, route: str, path: Path, *, headers: dict[str, str] | None = None,
             csrf: str | None = None, filename: str | None = None):
        data = {"csrf": csrf} if csrf is not None else {}
        with path.open("rb") as fh:
            return self.client.post(route, files={"file": (filename or path.name, fh, "x")},
                                    data=data, headers=headers or {})


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path)


def _cli_check(path: Path) -> dict:
    result = run("check", path, "--format", "json")
    assert result.exit_code in (0, 1, 2), result.output
    return json.loads(result.stdout)


# -- the check -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["bad_unit", "findings", "clean"])
def test_check_json_equals_carbon_check_format_json(site, kind):
    if kind == "bad_unit":
        book = site.workbook("BR01.xlsx", unit={3: "bananas"})
    elif kind == "findings":
        book = site.workbook("BR01.xlsx", months=[m for m in range(1, 13) if m != 6])
    else:
        book = site.workbook("BR01.xlsx")
    got = site.client.post("/check", files={"file": ("BR01.xlsx", book.read_bytes())},
                           headers=JSON)  # the JSON API needs no token and no CSRF field
    assert got.status_code == 200
    want = _cli_check(book)
    assert got.json() == want
    if kind == "bad_unit":
        assert [(p["code"], p["cell"]) for p in want["problems"]] == [("unknown_unit", "F4")]
    if kind == "findings":
        assert {w["code"] for w in want["warnings"]} >= {"period_gap"}
        assert want["coverage"]


def test_check_page_shows_the_cell_value_and_fix_in_the_page_language(site):
    book = site.workbook("BR01.xlsx", unit={3: "bananas"})
    problem = _problem_of(book)
    for lang, header, label, title in [("zh-Hant", "zh-TW,zh;q=0.8", "儲存格", "1 個問題需要修改"),
                                       ("zh-Hans", "zh-CN", "单元格", "1 个问题需要修改"),
                                       ("en", "en-GB", "Cell", "1 problem to fix")]:
        page = site.post("/check", book, csrf=site.csrf(),
                         headers={"Accept-Language": header})
        assert page.status_code == 200, page.text
        assert f'<html lang="{lang}">' in page.text
        assert f'id="problems-title">{title}</h2>' in page.text
        assert f"<th>{label}</th>" in page.text
        assert '<td class="cell">F4</td>' in page.text
        assert '<td class="value">bananas</td>' in page.text
        # the engine's message in the page's language (English until its catalogue has it)
        assert html.escape(tr(problem.message, lang), quote=False) in page.text
        assert html.escape(tr(problem.fix, lang), quote=False) in page.text
        assert "problems-download" in page.text  # the problems as .xlsx, with the page


def test_check_page_offers_the_problems_as_a_workbook(site):
    book = site.workbook("BR01.xlsx", unit={3: "bananas"})
    page = site.post("/check", book, csrf=site.csrf())
    data = re.search(r'href="data:[^;]+;base64,([^"]+)"', page.text).group(1)
    import base64

    wb = openpyxl.load_workbook(io.BytesIO(base64.b64decode(data)))
    rows = list(wb["problems"].iter_rows(values_only=True))
    assert rows[0][:3] == ("file", "sheet", "cell") and rows[1][:3] == ("BR01.xlsx", "activity",
                                                                        "F4")


def test_check_page_shows_findings_and_the_coverage_matrix(site):
    book = site.workbook("BR01.xlsx", months=[m for m in range(1, 13) if m != 6])
    page = site.post("/check", book, csrf=site.csrf())
    assert page.status_code == 200
    assert 'id="findings"' in page.text and "period_gap" in page.text
    matrix = page.text.split('id="coverage"')[1].split("</table>")[0]
    assert matrix.count('class="state-missing"') == 2  # June of BR01 and of OUT01
    assert 'id="ok"' in page.text  # nothing to fix, findings only


def _problem_of(book: Path):
    with pytest.raises(api.InputError) as exc:
        api.read_inventory(book)
    return exc.value.listed[0]


def test_check_stores_nothing(site):
    book = site.workbook("BR01.xlsx")
    site.client.post("/check", files={"file": ("BR01.xlsx", book.read_bytes())}, headers=JSON)
    assert site.store.submissions() == []
    assert not any(site.store.files.rglob("*")) and not any(site.store.tmp.iterdir())


# -- submitting -----------------------------------------------------------------------------------
def test_submit_stores_a_version_and_a_resubmission_supersedes_it(site):
    first = site.workbook("BR01-a.xlsx", blank=range(7, 13))  # July to December to come
    got = site.post("/submit", first, headers={**site.bearer("BR01"), **JSON})
    assert got.status_code == 201, got.text
    sub = got.json()["submission"]
    assert (sub["scope"], sub["version"], sub["entities"]) == ("BR01", 1, ["BR01", "OUT01"])
    assert (sub["rows_filled"], sub["rows_pending"]) == (12, 12)
    assert sub["sha256"] == hashlib.sha256(first.read_bytes()).hexdigest()
    stored = site.store.file_path(sub["sha256"])
    assert stored.read_bytes() == first.read_bytes() and not stored.stat().st_mode & 0o222
    status = site.client.get("/status", headers={**site.bearer("HO"), **JSON}).json()
    br01 = [r for r in status["status"] if r["entity_id"] == "BR01"]
    assert br01[0]["months"] == ["filled"] * 6 + ["missing"] * 6
    second = site.workbook("BR01-b.xlsx")
    got = site.post("/submit", second, headers={**site.bearer("BR01"), **JSON})
    assert got.status_code == 201 and got.json()["submission"]["version"] == 2
    assert got.json()["superseded"] == [sub["id"]]
    history = site.store.submissions()
    assert [(s.version, s.current) for s in history] == [(2, True), (1, False)]
    status = site.client.get("/status", headers={**site.bearer("HO"), **JSON}).json()
    br01 = [r for r in status["status"] if r["entity_id"] in ("BR01", "OUT01")]
    assert all(r["months"] == ["filled"] * 12 for r in br01)
    assert {r["file"] for r in br01} == {"BR01-b.xlsx"}
    assert [s["version"] for s in status["submissions"]] == [2, 1]


def test_submit_refuses_a_workbook_with_problems_and_stores_nothing(site):
    book = site.workbook("BR01.xlsx", unit={3: "bananas"})
    got = site.post("/submit", book, headers={**site.bearer("BR01"), **JSON})
    assert got.status_code == 422
    assert [(p["code"], p["cell"]) for p in got.json()["problems"]] == [("unknown_unit", "F4")]
    assert site.store.submissions() == [] and not any(site.store.files.rglob("*"))


def test_a_branch_submits_only_its_own_subtree(site):
    book = site.workbook("BR02.xlsx", branch="BR02")
    got = site.post("/submit", book, headers={**site.bearer("BR01"), **JSON})
    assert got.status_code == 422
    problems = got.json()["problems"]
    assert [(p["code"], p["sheet"], p["cell"], p["value"]) for p in problems] == [
        ("not_your_branch", "entities", "A2", "BR02"), ("not_your_branch", "entities", "A3",
                                                        "OUT02")]
    page = site.post("/submit", book, headers={**site.bearer("BR01"),
                                               "Accept-Language": "zh-HK"})
    assert page.status_code == 422 and "不是 BR01 或其下屬單位" in page.text
    # rows of another branch's entity in one's own workbook: the collection rules
    book = site.workbook("BR01.xlsx", entities=["BR01", "BR02"])
    got = site.post("/submit", book, headers={**site.bearer("BR01"), **JSON})
    assert got.status_code == 422
    assert {p["code"] for p in got.json()["problems"]} == {"not_your_branch"}
    # the head office submits for anyone
    got = site.post("/submit", site.workbook("BR02b.xlsx", branch="BR02"),
                    headers={**site.bearer("HO"), **JSON})
    assert got.status_code == 201


def test_an_outlet_submitted_apart_may_not_repeat_its_branchs_rows(site):
    site.post("/submit", site.workbook("BR01.xlsx"), headers=site.bearer("BR01"))
    outlet = site.tmp / "OUT01.xlsx"
    branch_workbook(outlet, "BR01", entities=["OUT01"])
    got = site.post("/submit", outlet, headers={**site.bearer("HO"), **JSON})
    assert got.status_code == 422
    assert {p["code"] for p in got.json()["problems"]} == {"duplicate_across_files"}


def test_the_upload_and_submit_flow_with_a_link_cookie_and_csrf(site):
    link = site.client.get(f"/?token={site.tokens['BR01']}", follow_redirects=False)
    assert link.status_code == 303 and link.headers["location"] == "/"
    assert "carbon_token" in link.headers["set-cookie"]
    assert "httponly" in link.headers["set-cookie"].lower()
    page = site.client.get("/")
    assert 'id="submit-button"' in page.text and "BR01" in page.text
    book = site.workbook("BR01.xlsx")
    # the cookie alone is not enough: a form of another site cannot know the CSRF field
    assert site.post("/submit", book).status_code == 403
    assert site.post("/submit", book, csrf="0" * 64).status_code == 403
    got = site.post("/submit", book, csrf=site.csrf())
    assert got.status_code == 201 and 'id="submitted-title"' in got.text
    status = site.client.get("/status")
    assert status.status_code == 200
    cells = re.findall(r'data-state="(\w+)"', status.text)
    assert cells and set(cells) == {"filled"}  # a branch sees its own subtree only
    assert "BR02" not in status.text.split('id="status"')[1].split("</table>")[0]


def test_concurrent_submissions_of_one_branch_get_consecutive_versions(site):
    from concurrent.futures import ThreadPoolExecutor

    books = [site.workbook(f"BR01-{i}.xlsx", months=range(1, 13 - i % 3)) for i in range(6)]

    def send(book: Path) -> int:
        return site.post("/submit", book, headers=site.bearer("BR01")).status_code

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(send, books)) == [201] * 6
    subs = site.store.submissions()
    assert sorted(s.version for s in subs) == [1, 2, 3, 4, 5, 6]
    assert [s.version for s in subs if s.current] == [6]
    assert all(site.store.file_path(s.sha256).is_file() for s in subs)


# -- tokens ------------------------------------------------------------------------------------------
def test_routes_that_store_or_show_need_a_token(site):
    book = site.workbook("BR01.xlsx")
    assert site.post("/submit", book, headers=JSON).status_code == 401
    for route in ("/status", "/report", "/report.xlsx", "/report/run.json",
                  "/report/inputs.zip", "/template.xlsx"):
        assert site.client.get(route, headers=JSON).status_code == 401, route
    bad = {"Authorization": "Bearer " + site.tokens["BR01"][:-1] + "x", **JSON}
    assert site.client.get("/status", headers=bad).status_code == 401
    assert site.client.get("/status?token=nonsense", headers=JSON).status_code == 401
    assert site.client.get("/healthz").status_code == 200
    # a branch's token does not open the head office's pages
    for route in ("/report", "/report.xlsx", "/report/inputs.zip"):
        got = site.client.get(route, headers={**site.bearer("BR01"), **JSON})
        assert got.status_code == 403, route


def test_a_revoked_token_stops_working_and_its_submissions_stay(site):
    book = site.workbook("BR01.xlsx")
    assert site.post("/submit", book, headers=site.bearer("BR01")).status_code == 201
    tid = site.tokens["BR01"].split(".")[0]
    site.store.revoke(tid)
    got = site.client.get("/status", headers={**site.bearer("BR01"), **JSON})
    assert got.status_code == 403 and got.json()["error"] == "revoked_token"
    page = site.client.get(f"/?token={site.tokens['BR01']}")
    assert page.status_code == 401 and "revoked" in page.text
    assert len(site.store.current()) == 1


def test_tokens_are_stored_hashed_and_compared_in_constant_time(site, monkeypatch):
    text = site.tokens["BR01"]
    tid, secret = text.split(".")
    raw = b"".join(p.read_bytes() for p in site.data.glob("carbon.sqlite3*"))
    assert secret.encode() not in raw and text.encode() not in raw
    with sqlite3.connect(site.data / "carbon.sqlite3") as conn:
        stored = conn.execute("SELECT secret_sha256 FROM tokens WHERE id = ?", (tid,)).fetchone()
    assert stored[0] == hashlib.sha256(secret.encode()).hexdigest()
    calls = []
    real = store_module.hmac.compare_digest
    monkeypatch.setattr(store_module.hmac, "compare_digest",
                        lambda a, b: calls.append((a, b)) or real(a, b))
    assert site.store.authenticate(text)[0] is not None
    assert site.store.authenticate(f"{tid}.{'A' * 43}") == (None, "unknown")
    assert site.store.authenticate(f"{'0' * 12}.{'A' * 43}") == (None, "unknown")
    assert len(calls) == 3  # an unknown id is compared too: no shortcut to time


def test_the_tokens_command_creates_lists_and_revokes(tmp_path):
    hq = head_office(tmp_path / "data" / "inventory", 2)
    data = hq.parent
    made = run("serve", "tokens", "create", "--data", data, "--for", "BR01", "--url",
               "https://intranet.example/carbon/")
    assert made.exit_code == 0, made.output
    link = made.stdout.strip().splitlines()[-1]
    assert re.fullmatch(r"https://intranet\.example/carbon/\?token=[0-9a-f]{12}\.[\w-]{43}", link)
    tid = link.split("=")[1].split(".")[0]
    assert run("serve", "tokens", "create", "--data", data, "--head-office").exit_code == 0
    unknown = run("serve", "tokens", "create", "--data", data, "--for", "BR1")
    assert unknown.exit_code == 2 and "did you mean" in unknown.stderr
    neither = run("serve", "tokens", "create", "--data", data)
    assert neither.exit_code == 2 and "--for BR01" in neither.stderr
    listed = run("serve", "tokens", "list", "--data", data)
    assert tid in listed.stdout and "head office" in listed.stdout
    gone = run("serve", "tokens", "revoke", tid, "--data", data)
    assert gone.exit_code == 0 and "revoked" in gone.stdout
    assert Store(data).authenticate(link.split("=")[1]) == (None, "revoked")
    assert run("serve", "tokens", "revoke", "nope", "--data", data).exit_code == 2


# -- safety -----------------------------------------------------------------------------------------
SCRIPT = "<script>alert(1)</script>"


def test_names_from_workbooks_and_inventories_are_escaped(tmp_path):
    site = Site(tmp_path, names={"BR01": SCRIPT, "OUT01": '"><img src=x onerror=alert(2)>'})
    book = site.workbook("BR01.xlsx")
    assert site.post("/submit", book, headers=site.bearer("BR01")).status_code == 201
    for route, who in (("/status", "HO"), ("/status", "BR01"), ("/", "BR01")):
        page = site.client.get(route, headers=site.bearer(who))
        assert page.status_code == 200
        assert SCRIPT not in page.text and "<img src=x" not in page.text, route
        if route == "/status":
            assert html.escape(SCRIPT) in page.text
    # a cell's value and a file name shown back on the check page
    evil = site.workbook("evil.xlsx", unit={1: '<img src=x onerror=alert(3)>'})
    page = site.post("/check", evil, csrf=site.csrf(), filename='<b>x</b>.xlsx')
    assert page.status_code == 200
    assert "<img src=x" not in page.text and "<b>x</b>" not in page.text
    assert "&lt;img src=x onerror=alert(3)&gt;" in page.text
    assert "content-security-policy" in page.headers
    assert "script-src 'self'" in page.headers["content-security-policy"]


@pytest.mark.parametrize(("sent", "kept"), [
    ("../../etc/passwd", "passwd"), ("..\\..\\boot.ini", "boot.ini"), ("/abs/BR01.xlsx", "BR01.xlsx"),
    ("..", "workbook.xlsx"), ("", "workbook.xlsx"), (".hidden.xlsx", "hidden.xlsx"),
    ("a\x00b\n.xlsx", "ab.xlsx"), ("分行 数据(1).xlsx", "分行 数据(1).xlsx"),
    ("x" * 300 + ".xlsx", "x" * 80 + ".xlsx"), ("C:\\Users\\clerk\\BR01.xlsx", "BR01.xlsx"),
    ("a;rm -rf *|.xlsx", "a_rm -rf.xlsx"),
])
def test_an_uploaded_file_name_never_names_a_path(sent, kept):
    assert safe_name(sent) == kept


def test_no_path_from_a_request_reaches_the_file_system(site):
    book = site.workbook("BR01.xlsx")
    got = site.post("/submit", book, headers={**site.bearer("BR01"), **JSON},
                    filename="../../../escaped.xlsx")
    assert got.status_code == 201 and got.json()["submission"]["filename"] == "escaped.xlsx"
    assert not list(site.tmp.rglob("escaped.xlsx")) and not (site.tmp.parent /
                                                            "escaped.xlsx").exists()
    for route in ("/static/../data/carbon.sqlite3", "/static/%2e%2e%2fcarbon.sqlite3",
                  "/static/carbon.sqlite3", "/report/charts/..%2f..%2fcarbon.sqlite3",
                  "/files/" + got.json()["submission"]["sha256"]):
        r = site.client.get(route, headers=site.bearer("HO"))
        assert r.status_code == 404, route
        assert b"SQLite" not in r.content
    assert site.client.get("/static/carbon.css").status_code == 200


@pytest.mark.parametrize(("content", "code"), [
    (b"", "empty_file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"W\x00o\x00r\x00k\x00b\x00o\x00o\x00k\x00" * 8, "xls"),
    (b"<html><body>not a workbook</body></html>", "html"),
    (b"entity_id,period_start\nE1,2024-01-01\n", "csv_named_xlsx"),
    (b"PK\x03\x04" + b"\x00" * 200, "corrupt"),
    (bytes(range(256)) * 64, "corrupt"),
    ("zip", "not_a_workbook"),
    ("dtd", "unsafe_xml"),
    ("truncated", "corrupt"),
])
def test_a_bad_upload_is_a_page_with_its_problem_and_the_server_goes_on(site, content, code):
    if content == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("notes.txt", "hello")
        content = buf.getvalue()
    elif content == "dtd":
        good = site.workbook("g.xlsx").read_bytes()
        buf = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(buf, "w") as zf:
            for info in src.infolist():
                data = src.read(info)
                if info.filename == "xl/workbook.xml":
                    data = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a SYSTEM '
                            b'"file:///etc/passwd">]>' + data.split(b"?>", 1)[-1])
                zf.writestr(info, data)
        content = buf.getvalue()
    elif content == "truncated":
        content = site.workbook("t.xlsx").read_bytes()[:3000]
    for headers in ({}, JSON):
        got = site.client.post("/check", files={"file": ("BR01.xlsx", content)},
                               data={"csrf": site.csrf()}, headers=headers)
        assert got.status_code == 200, got.text
        assert "Traceback" not in got.text and 'File "' not in got.text
        if headers:
            assert [p["code"] for p in got.json()["problems"]] == [code]
        else:
            assert f"<code>{code}</code>" in got.text
    got = site.post("/submit", site.tmp / "g.xlsx" if code == "unsafe_xml" else
                    site.workbook("ok.xlsx"), headers=site.bearer("BR01"))
    assert got.status_code == 201  # and it still takes good ones
    assert site.client.get("/healthz").status_code == 200


def test_uploads_beyond_the_limit_are_refused_before_and_while_reading(tmp_path):
    site = Site(tmp_path, max_upload=64 * 1024)
    big = tmp_path / "big.xlsx"
    big.write_bytes(b"PK\x03\x04" + b"\x00" * (200 * 1024))
    got = site.post("/check", big, headers=JSON)  # Content-Length says it
    assert got.status_code == 413 and got.json()["error"] == "too_large"
    assert "0.0625 MiB" in got.json()["message"]

    def chunks():  # no Content-Length: counted while it streams
        yield (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.xlsx\"\r\n"
               b"\r\n")
        for _ in range(40):
            yield b"\x00" * 8192
        yield b"\r\n--b--\r\n"

    got = site.client.post("/check", content=chunks(),
                           headers={**JSON, "Content-Type": "multipart/form-data; boundary=b"})
    assert got.status_code == 413
    page = site.client.post("/check", content=chunks(), headers={
        "Content-Type": "multipart/form-data; boundary=b", "Accept-Language": "zh-CN"})
    assert page.status_code == 413 and "文件太大" in page.text
    assert not any(site.store.tmp.iterdir())
    assert site.client.get("/healthz").status_code == 200


def test_a_form_without_a_file_or_broken_is_a_page_not_an_error(site):
    token = site.csrf()
    got = site.client.post("/check", data={"csrf": token})
    assert got.status_code == 400 and "Choose a workbook" in got.text
    got = site.client.post("/check", content=b"--x\r\ngarbage",
                           headers={"Content-Type": "multipart/form-data; boundary=x"})
    assert got.status_code in (400, 403) and "Traceback" not in got.text


def test_a_failure_inside_is_a_page_without_a_traceback(site, monkeypatch):
    from carbon.web import collection

    def boom(*a, **k):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(collection.Collection, "status", boom)
    client = TestClient(site.app, raise_server_exceptions=False)
    got = client.get("/status", headers=site.bearer("HO"))
    assert got.status_code == 500
    assert "Traceback" not in got.text and "secret detail" not in got.text
    assert "internal error" in got.text.lower()
    monkeypatch.setattr(collection, "check_workbook", boom)
    got = client.post("/check", files={"file": ("a.xlsx", b"PK")}, headers=JSON)
    assert got.status_code == 200 and got.json()["problems"][0]["code"] == "unreadable"


# -- pages ------------------------------------------------------------------------------------------
def test_the_page_language_follows_accept_language_and_the_switch(site):
    for header, lang, word in [("zh-CN,zh;q=0.9", "zh-Hans", "上传"), ("zh-HK", "zh-Hant", "上傳"),
                               ("zh-TW", "zh-Hant", "上傳"), ("fr-FR, en;q=0.5", "en", "Upload"),
                               ("de-DE", "en", "Upload"), ("en;q=0.2, zh-TW;q=0.8", "zh-Hant",
                                                           "上傳")]:
        page = site.client.get("/", headers={"Accept-Language": header})
        assert f'<html lang="{lang}">' in page.text and word in page.text, header
    switched = site.client.get("/?lang=zh-Hant", headers={"Accept-Language": "en"})
    assert '<html lang="zh-Hant">' in switched.text
    assert '<html lang="zh-Hant">' in site.client.get("/", headers={
        "Accept-Language": "en"}).text  # remembered


def test_the_status_page_of_the_head_office_shows_who_is_missing(site):
    site.post("/submit", site.workbook("BR01.xlsx"), headers=site.bearer("BR01"))
    page = site.client.get("/status", headers={**site.bearer("HO"), "Accept-Language": "zh-TW"})
    assert page.status_code == 200
    table = page.text.split('id="status"')[1].split("</table>")[0]
    rows = re.findall(r'<tr data-entity="(\w+)" data-source="(\w+)">(.*?)</tr>', table, re.S)
    states = {e: re.findall(r'data-state="(\w+)"', body) for e, _, body in rows}
    assert states["BR01"] == ["filled"] * 12 and states["BR02"] == ["missing"] * 12
    assert "報送情況" in page.text and "BR01.xlsx" in page.text
    doc = site.client.get("/status", headers={**site.bearer("HO"), **JSON}).json()
    cli = run("status", site.hq, site.workbook("BR01.xlsx"), "--format", "json")
    assert {k: v for k, v in doc.items() if k not in ("problems", "submissions")} == \
        json.loads(cli.stdout)


def test_the_report_its_workbook_and_a_manifest_that_verifies(site, tmp_path):
    for b in ("BR01", "BR02"):
        site.post("/submit", site.workbook(f"{b}.xlsx", branch=b), headers=site.bearer(b))
    page = site.client.get("/report?year=2025", headers={**site.bearer("HO"),
                                                         "Accept-Language": "zh-CN"})
    assert page.status_code == 200, page.text
    assert 'id="kpi"' in page.text and "能源" in page.text
    svg = re.findall(r'src="(/report/charts/[\w.-]+\.svg)[^"]*"', page.text)
    assert svg and site.client.get(svg[0], headers=site.bearer("HO")).headers[
        "content-type"].startswith("image/svg+xml")
    book = site.client.get("/report.xlsx?year=2025", headers=site.bearer("HO"))
    assert book.status_code == 200 and "attachment" in book.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(book.content), read_only=True)
    assert {"KPI", "Charts", "Audit trail", "Coverage"} <= set(wb.sheetnames)
    bundle = site.client.get("/report/inputs.zip?year=2025", headers=site.bearer("HO"))
    folder = tmp_path / "audit"
    with zipfile.ZipFile(io.BytesIO(bundle.content)) as zf:
        zf.extractall(folder)
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) \
        == ["branches/BR01.xlsx", "branches/BR02.xlsx", "hq/activity.csv", "hq/entities.csv",
            "hq/settings.toml", "run.json"]
    verified = run("verify", folder / "run.json")
    assert verified.exit_code == 0, verified.output
    manifest = site.client.get("/report/run.json?year=2025", headers=site.bearer("HO"))
    assert manifest.content == (folder / "run.json").read_bytes()
    figures = json.loads(manifest.content)["results"]["years"]["2025"]
    cli = run("compute", site.hq, site.tmp / "BR01.xlsx", site.tmp / "BR02.xlsx", "--year",
              "2025", "--format", "json")
    assert figures == json.loads(cli.stdout)["years"]["2025"]


def test_a_branch_downloads_its_workbook_to_fill_in(site):
    got = site.client.get("/template.xlsx?year=2025", headers=site.bearer("BR01"))
    assert got.status_code == 200
    assert 'filename="BR01-2025.xlsx"' in got.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(got.content))
    ids = [r[0] for r in wb["activity"].iter_rows(min_row=2, values_only=True) if r[0]]
    assert set(ids) == {"BR01"} and len(ids) == 12  # its December meter, every month


def test_the_app_works_under_a_path_prefix(tmp_path):
    site = Site(tmp_path, root_path="/carbon")
    page = site.client.get("/carbon/", headers=site.bearer("BR01"))
    assert page.status_code == 200
    assert 'href="/carbon/static/carbon.css"' in page.text
    assert 'action="/carbon/check"' in page.text and 'formaction="/carbon/submit"' in page.text
    assert 'href="/carbon/status"' in page.text
    link = site.client.get(f"/carbon/?token={site.tokens['BR01']}", follow_redirects=False)
    assert link.headers["location"] == "/carbon/" and "Path=/carbon" in link.headers["set-cookie"]


# -- the store ----------------------------------------------------------------------------------------
def test_the_store_creates_and_migrates_its_schema(tmp_path, monkeypatch):
    store = Store(tmp_path / "d")
    assert store.schema_version() == store_module.SCHEMA_VERSION == 1
    extra = (*store_module.MIGRATIONS, (2, ("ALTER TABLE tokens ADD COLUMN note TEXT",)))
    monkeypatch.setattr(store_module, "MIGRATIONS", extra)
    assert Store(tmp_path / "d").schema_version() == 2
    assert Store(tmp_path / "d").schema_version() == 2  # once
    monkeypatch.setattr(store_module, "MIGRATIONS", extra[:1])
    with pytest.raises(StoreError, match="newer carbon"):
        Store(tmp_path / "d")


# -- the command --------------------------------------------------------------------------------------
def test_serve_needs_a_data_folder():
    result = run("serve")
    assert result.exit_code == 2 and "--data DIR" in result.stderr


def test_serve_without_the_serve_extra_says_how_to_install_it(tmp_path, monkeypatch):
    """The web packages are the serve extra: without them, exit 2 and the pip command."""
    for name in [m for m in sys.modules if m.split(".")[0] in ("starlette", "uvicorn",
                                                                "jinja2", "multipart")]:
        monkeypatch.setitem(sys.modules, name, None)  # an import of it fails
    for name in [m for m in sys.modules if m.startswith("carbon.web")]:
        monkeypatch.delitem(sys.modules, name)
    result = run("serve", "--data", tmp_path / "data")
    assert result.exit_code == 2
    assert "pip install 'carbon[serve]'" in " ".join(result.stderr.split())


def test_carbon_help_does_not_import_the_web_stack():
    code = ("import sys; from carbon.cli import app; from typer.testing import CliRunner; "
            "CliRunner().invoke(app, ['--help']); CliRunner().invoke(app, ['serve', '--help']); "
            "print(sorted(m for m in ('starlette', 'uvicorn', 'jinja2', 'carbon.web.app') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                         check=True)
    assert out.stdout.strip() == "[]"


def test_the_dev_extra_holds_the_serve_extra():
    import tomllib

    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]
    assert set(extras["serve"]) <= set(extras["dev"])


def test_serve_refuses_to_start_on_a_head_office_inventory_with_problems(tmp_path):
    hq = head_office(tmp_path / "hq", 2)
    (hq / "activity.csv").write_text("entity_id,period_start,period_end,source,quantity,unit\n"
                                     "HO,2024-01-01,2024-01-31,electricity,12x,kWh\n")
    result = run("serve", "--data", tmp_path / "data", "--inventory", hq, "--port", "0")
    assert result.exit_code == 2
    assert "activity.csv" in result.stderr and "quantity" in result.stderr
    assert "listening" not in result.stdout


# -- what a clumsy user or a prober sends ---------------------------------------------------------
def test_a_report_year_without_data_says_which_years_have_data(site):
    """?year=2030 of a collection whose data cover 2024-2025: a page (422) naming the years it
    has, in the page's language, for the report and each of its downloads; never a 500."""
    site.post("/submit", site.workbook("BR01.xlsx"), headers=site.bearer("BR01"))
    for route in ("/report", "/report.xlsx", "/report/run.json", "/report/inputs.zip"):
        got = site.client.get(f"{route}?year=2030", headers={**site.bearer("HO"), **JSON})
        assert got.status_code == 422, (route, got.text)
        assert got.json()["error"] == "no_such_year" and "2030" in got.json()["message"]
        assert "2024, 2025" in got.json()["message"]
    page = site.client.get("/report?year=2030,2025", headers={**site.bearer("HO"),
                                                              "Accept-Language": "zh-CN"})
    assert page.status_code == 422 and "2030 年没有任何数据行" in page.text


@pytest.mark.parametrize("value", ["abc", "2025x", "20²5", "9" * 5000, "1800", "-2025",
                                   "2025,abc"])
def test_a_year_that_is_no_year_is_refused_not_ignored(site, value):
    """year= that is not a year is a 400 naming it (it was taken as no year, showing another
    year's figures; 5,000 digits were a 500)."""
    for route, who in (("/status", "HO"), ("/status", "BR01"), ("/report", "HO"),
                       ("/template.xlsx", "BR01")):
        got = site.client.get(route, params={"year": value},
                              headers={**site.bearer(who), **JSON})
        assert got.status_code == 400, (route, got.text[:300])
        assert got.json()["error"] == "bad_year"
        assert value.split(",")[-1][:40] in got.json()["message"]
    page = site.client.get("/status", params={"year": value},
                           headers={**site.bearer("HO"), "Accept-Language": "zh-TW"})
    assert page.status_code == 400 and "不是年份" in page.text


def test_a_head_office_with_a_header_only_activity_still_hands_out_workbooks(tmp_path):
    """The README lets the head office's activity be a header only while the branches send every
    row: a branch downloads its workbook, the status answers (nothing expected yet; without a
    year to show, a page saying how to give one), and the CLI does the same."""
    site = Site(tmp_path)
    act = site.hq / "activity.csv"
    act.write_text(act.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    got = site.client.get("/template.xlsx?year=2025", headers=site.bearer("BR01"))
    assert got.status_code == 200, got.text
    assert 'filename="BR01-2025.xlsx"' in got.headers["content-disposition"]
    status = site.client.get("/status?year=2025", headers={**site.bearer("HO"), **JSON})
    assert status.status_code == 200 and not status.json()["problems"]
    assert {r["entity_id"] for r in status.json()["idle"]} >= {"HO", "BR01", "BR02"}
    no_year = site.client.get("/status", headers={**site.bearer("HO"), **JSON})
    assert no_year.status_code == 422 and no_year.json()["error"] == "status_year"
    no_year = site.client.get("/template.xlsx", headers={**site.bearer("BR01"),
                                                         "Accept-Language": "zh-CN"})
    assert no_year.status_code == 422 and "?year=2025" in no_year.text
    assert "尚无数据行" in no_year.text
    made = run("template", "--inventory", site.hq, "--for", "BR01", "--years", "2025", "-o",
               tmp_path / "BR01-2025.xlsx")
    assert made.exit_code == 0, made.output
    shown = run("status", site.hq)
    assert shown.exit_code == 2 and "--year 2025" in shown.stderr
    assert run("status", site.hq, "--year", "2025").exit_code == 0


@pytest.mark.parametrize("name", ["BR01", "BR01.xlsx.download", "BR01.zip", ".xlsx"])
def test_a_workbook_uploaded_under_another_name_is_read_as_the_workbook_it_is(site, name):
    book = site.workbook("BR01.xlsx")
    checked = site.post("/check", book, headers=JSON, filename=name)
    assert checked.status_code == 200 and checked.json()["problems"] == [], checked.text
    got = site.post("/submit", book, headers={**site.bearer("BR01"), **JSON}, filename=name)
    assert got.status_code == 201, got.text


def test_a_method_a_route_does_not_take_is_a_405_in_the_page_language_with_allow(site):
    got = site.client.put("/status", headers=JSON)
    assert got.status_code == 405 and got.json()["error"] == "method_not_allowed"
    assert "GET" in got.headers["allow"]
    page = site.client.delete("/check", headers={"Accept-Language": "zh-TW"})
    assert page.status_code == 405 and "不接受 DELETE 請求" in page.text
    assert "POST" in page.headers["allow"]


def test_json_answers_speak_the_request_language(site):
    """POST /check and /submit as JSON: messages in the language the request asks for (it was
    the workbook's for /check and always English for /submit); codes never change."""
    book = site.workbook("BR01.xlsx", unit={3: "bananas"})
    for lang, header, cjk in (("en", "en", False), ("zh-Hant", "zh-TW", True),
                              ("zh-Hans", "zh-CN", True)):
        for route, who in (("/check", None), ("/submit", "BR01")):
            headers = {**JSON, "Accept-Language": header, **(site.bearer(who) if who else {})}
            got = site.post(route, book, headers=headers)
            problem = got.json()["problems"][0]
            assert problem["code"] == "unknown_unit", (route, got.text[:300])
            has_cjk = bool(re.search(r"[\u4e00-\u9fff]", problem["message"]))
            assert has_cjk == cjk, (lang, route, problem)


def test_a_broken_head_office_inventory_is_not_blamed_on_a_branch(site):
    """A bad row in the head office's own files: a branch's good upload, status and workbook
    get a 503 saying the head office must mend its inventory, without showing its rows; the
    head office sees the problems themselves."""
    act = site.hq / "activity.csv"
    lines = act.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("5000.0", "abc")
    act.write_text("\n".join(lines) + "\n", encoding="utf-8")
    book = site.workbook("BR01.xlsx")
    for route, method in (("/submit", "post"), ("/status", "get"),
                          ("/template.xlsx?year=2025", "get")):
        headers = {**site.bearer("BR01"), **JSON}
        got = (site.post(route, book, headers=headers) if method == "post"
               else site.client.get(route, headers=headers))
        assert got.status_code == 503, (route, got.text[:300])
        assert got.json()["error"] == "hq_problems" and "abc" not in got.text
    assert not site.store.current()
    own = site.post("/submit", book, headers={**site.bearer("HO"), **JSON})
    assert own.status_code == 422
    assert [(p["file"], p["code"]) for p in own.json()["problems"]] == [
        ("hq/activity.csv", "not_a_number")]


def test_an_upload_that_stalls_is_given_up_and_one_dropped_is_not_an_error(site, monkeypatch,
                                                                           caplog):
    """A body that stops arriving: 408 after UPLOAD_IDLE seconds (it held a worker's connection
    open for good); a client that goes away mid-upload: no error logged (it was a 500 with a
    traceback)."""
    import logging

    import anyio

    from carbon.web import app as app_module

    monkeypatch.setattr(app_module, "UPLOAD_IDLE", 0.2)
    head = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x.xlsx\"\r\n"
            b"\r\nPK")

    def call(then: str) -> list[dict]:
        sent: list[dict] = []
        messages = iter([{"type": "http.request", "body": head, "more_body": True}])

        async def receive() -> dict:
            try:
                return next(messages)
            except StopIteration:
                if then == "disconnect":
                    return {"type": "http.disconnect"}
                await anyio.sleep(30)
                raise AssertionError("not given up") from None

        async def send(message: dict) -> None:
            sent.append(message)

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "POST", "path": "/check", "raw_path": b"/check", "root_path": "",
                 "scheme": "http", "query_string": b"", "server": ("test", 80),
                 "client": ("test", 1), "headers": [
                     (b"content-type", b"multipart/form-data; boundary=b"),
                     (b"accept", b"application/json")]}
        anyio.run(site.app, scope, receive, send)
        return sent

    with caplog.at_level(logging.INFO, logger="carbon.serve"):
        stalled = call("stall")
        assert stalled[0]["status"] == 408
        assert json.loads(stalled[1]["body"])["error"] == "stalled"
        call("disconnect")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
