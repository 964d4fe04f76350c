"""``carbon serve`` in a real browser: Debian's Chromium, headless, driven by Selenium against a
real server in a subprocess. A clerk opens the branch's link (the page in Traditional Chinese from
``Accept-Language: zh-TW``), uploads a workbook with a bad unit and sees the cell and the message,
fixes it, submits, and sees the status cells filled; the head office opens the report. Every page
is photographed (in the three languages into ``$CARBON_SCREENSHOTS`` when set, else in Chinese
into a temporary folder).

Chromium and its driver come from Debian (``apt-get install chromium chromium-driver``; ``.ci/run``
installs them): a browser downloaded at test time does not work here. Without them the test is
skipped, except in CI (``CI=true``), where it fails.
"""

from __future__ import annotations

import html
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from carbon import api
from carbon.i18n import tr
from tests.conftest import run
from tests.serve_util import branch_workbook, head_office, server

LANGS = ("zh-Hant", "zh-Hans", "en")


def _missing(why: str) -> None:
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"{why}: CI must run the browser test (.ci/run installs chromium, "
                    "chromium-driver and selenium)")
    pytest.skip(f"{why} (apt-get install chromium chromium-driver; pip install selenium)")


def _browser_paths() -> tuple[str, str]:
    browser = next((p for p in (shutil.which(n) for n in ("chromium", "chromium-browser"))
                    if p), None)
    driver = shutil.which("chromedriver")
    if browser is None or driver is None:
        _missing("Chromium or chromedriver is not installed")
    assert browser is not None and driver is not None
    return browser, driver


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[object]:
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("selenium is not installed")
    binary, driver = _browser_paths()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                 "--window-size=1280,1400", "--lang=zh-TW", "--accept-lang=zh-TW,zh"):
        options.add_argument(flag)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-TW,zh",
                                              "download.default_directory": str(downloads),
                                              "download.prompt_for_download": False})
    drv = webdriver.Chrome(options=options, service=Service(executable_path=driver))
    drv.set_page_load_timeout(120)
    drv.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow",
                                                      "downloadPath": str(downloads)})
    drv.downloads = downloads  # type: ignore[attr-defined]
    try:
        yield drv
    finally:
        drv.quit()


def _shots() -> Path:
    folder = os.environ.get("CARBON_SCREENSHOTS")
    out = Path(folder) if folder else Path(tempfile.mkdtemp(prefix="carbon-screens-"))
    out.mkdir(parents=True, exist_ok=True)
    return out


def _click(drv, element_id: str, then: str) -> None:
    """Click ``element_id`` and wait for the next page, until ``then`` (an id) is on it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    old = drv.find_element(By.TAG_NAME, "html")
    drv.find_element(By.ID, element_id).click()
    wait = WebDriverWait(drv, 120)
    wait.until(lambda _: _gone(old))
    wait.until(ec.presence_of_element_located((By.ID, then)))


def _gone(element) -> bool:
    """Whether ``element``'s page has been replaced. Selenium's ``staleness_of`` expects a
    stale-element error; Chrome may instead answer that the node "does not belong to the
    document" (a generic error), which means the same."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.is_enabled()
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return True
        raise
    return False


def _photograph(drv, url: str, name: str, shots: Path) -> None:
    """The page at ``url`` in each language through the page's switch, one PNG each (in
    Traditional Chinese only unless ``$CARBON_SCREENSHOTS`` asks for the pictures)."""
    from selenium.webdriver.common.by import By

    for lang in LANGS if os.environ.get("CARBON_SCREENSHOTS") else ("zh-Hans", "zh-Hant"):
        drv.get(url)
        _click(drv, f"lang-{lang}", "lang-en")
        assert drv.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
        height = drv.execute_script("return document.documentElement.scrollHeight")
        drv.set_window_size(1280, min(max(int(height) + 120, 900), 6000))
        drv.save_screenshot(str(shots / f"{name}-{lang}.png"))
    drv.set_window_size(1280, 1400)


def test_a_clerk_checks_fixes_and_submits_in_a_real_browser(browser, tmp_path):
    from selenium.webdriver.common.by import By

    drv = browser
    data = tmp_path / "data"
    head_office(data / "inventory", 3, names={"BR01": "太原迎澤分行"})
    made = run("serve", "tokens", "create", "--data", data, "--for", "BR01")
    head = run("serve", "tokens", "create", "--data", data, "--head-office")
    assert made.exit_code == 0 and head.exit_code == 0, made.output + head.output
    bad = branch_workbook(tmp_path / "BR01-2025.xlsx", "BR01", unit={3: "bananas"})
    with pytest.raises(api.InputError) as exc:
        api.read_inventory(bad)
    problem = exc.value.listed[0]
    assert problem.cell == "F4"
    shots = _shots()
    with server(data) as srv:
        link = made.stdout.strip().splitlines()[-1].replace("http://127.0.0.1:8000", srv.url)
        drv.get(link)  # the link sets the token's cookie and takes it out of the address
        assert "token=" not in drv.current_url
        assert drv.find_element(By.TAG_NAME, "html").get_attribute("lang") == "zh-Hant"
        assert "太原迎澤分行" in drv.find_element(By.ID, "who").text
        _photograph(drv, srv.url + "/", "1-upload", shots)

        # the workbook with a bad unit: the cell, the value and the message, in zh-Hant
        drv.get(srv.url + "/?lang=zh-Hant")
        drv.find_element(By.ID, "file").send_keys(str(bad))
        _click(drv, "check-button", "problems")
        table = drv.find_element(By.ID, "problems")
        heads = [th.text for th in table.find_elements(By.CSS_SELECTOR, "thead th")]
        assert "儲存格" in heads and "修改方法" in heads
        assert [td.text for td in table.find_elements(By.CSS_SELECTOR, "td.cell")] == ["F4"]
        assert table.find_element(By.CSS_SELECTOR, "td.value").text == "bananas"
        shown = table.find_element(By.CSS_SELECTOR, "td.message").text
        assert shown == tr(problem.message, "zh-Hant").strip()  # Chinese once the catalogue is
        drv.find_element(By.ID, "problems-download").click()  # the problems as a workbook
        got = drv.downloads / "BR01-2025.problems.xlsx"
        for _ in range(100):
            if got.is_file():
                break
            time.sleep(0.1)
        rows = list(openpyxl.load_workbook(got)["problems"].iter_rows(values_only=True))
        assert rows[1][:4] == ("BR01-2025.xlsx", "activity", "F4", "4")
        drv.save_screenshot(str(shots / "2-check-problems-zh-Hant.png"))
        for lang in ("zh-Hans", "en"):
            drv.get(srv.url + f"/?lang={lang}")
            drv.find_element(By.ID, "file").send_keys(str(bad))
            _click(drv, "check-button", "problems")
            assert html.unescape(drv.find_element(By.CSS_SELECTOR, "td.message").text) == \
                tr(problem.message, lang).strip()
            drv.save_screenshot(str(shots / f"2-check-problems-{lang}.png"))

        # fixed: checked clean, then submitted
        (tmp_path / "fixed").mkdir()
        good = branch_workbook(tmp_path / "fixed" / "BR01-2025.xlsx", "BR01")
        drv.get(srv.url + "/?lang=zh-Hant")
        drv.find_element(By.ID, "file").send_keys(str(good))
        _click(drv, "check-button", "ok")
        drv.save_screenshot(str(shots / "3-check-clean-zh-Hant.png"))
        drv.find_element(By.ID, "file").send_keys(str(good))
        _click(drv, "submit-button", "submitted-title")
        title = drv.find_element(By.ID, "submitted-title").text
        assert "BR01" in title and "第 1 版" in title
        drv.save_screenshot(str(shots / "4-submitted-zh-Hant.png"))

        # the status: the branch's months filled
        _click(drv, "see-status", "status")
        row = drv.find_element(By.CSS_SELECTOR, 'tr[data-entity="BR01"][data-source="electricity"]')
        states = [td.get_attribute("data-state") for td in
                  row.find_elements(By.CSS_SELECTOR, "td[data-state]")]
        assert states == ["filled"] * 12
        assert row.find_elements(By.CSS_SELECTOR, "td.state-filled")
        _photograph(drv, srv.url + "/status", "5-status-branch", shots)

        # the head office: everyone's status, the report
        drv.get(head.stdout.strip().splitlines()[-1].replace("http://127.0.0.1:8000", srv.url))
        _click(drv, "nav-status", "status")
        missing = drv.find_element(By.CSS_SELECTOR,
                                   'tr[data-entity="BR02"][data-source="electricity"]')
        assert {td.get_attribute("data-state") for td in
                missing.find_elements(By.CSS_SELECTOR, "td[data-state]")} == {"missing"}
        _photograph(drv, srv.url + "/status", "6-status-head-office", shots)
        drv.get(srv.url + "/report?year=2025")
        assert drv.find_element(By.ID, "kpi").find_elements(By.CSS_SELECTOR, "tbody tr")
        assert drv.find_element(By.ID, "report-xlsx").get_attribute("href").endswith(
            "/report.xlsx?year=2025")
        _photograph(drv, srv.url + "/report?year=2025", "7-report", shots)
    print(f"\nscreenshots: {shots}")
