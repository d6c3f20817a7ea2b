"""Browser tests: headless Chromium through Selenium, against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from tests.ci import handle_missing

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
PHONE = (390, 844)
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def start_chromium(size=PHONE):
    """A headless Chromium with a throw-away profile: (driver, profile directory).

    Without Chromium, chromedriver or selenium the test is skipped with a message, or fails under
    CI=true (tests/ci.py), so CI never goes green without the browser tests.
    """
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not Path(p).exists()]
    if missing:
        handle_missing(" and ".join(missing), "run `make browser-deps` as root, or apt-get install chromium chromium-driver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        handle_missing("the selenium package", "pip install -e '.[test]'")
    profile = tempfile.mkdtemp(prefix="trygg-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--disable-sync", "--disable-extensions", "--lang=sv-SE", f"--user-data-dir={profile}",
                f"--window-size={size[0]},{size[1]}"):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "sv-SE,sv"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_window_size(*size)
    driver.implicitly_wait(0)
    return driver, profile


def browser_settings(settings):
    settings.SECURE_COOKIES = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.MAP_TILE_URL = ""  # no network: the areas are the map


@pytest.fixture
def browser(settings):
    browser_settings(settings)
    driver, profile = start_chromium(PHONE)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def module_browser():
    """One Chromium for a whole test module (phone size); tests set their own settings with
    ``browser_settings(settings)`` and may resize the window."""
    driver, profile = start_chromium(PHONE)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def screenshot(browser, tmp_path):
    """Save a phone-size screenshot; into docs/screenshots/ when TRYGG_SCREENSHOTS=1."""
    target = SCREENSHOT_DIR if os.environ.get("TRYGG_SCREENSHOTS") == "1" else tmp_path

    def take(name: str) -> Path:
        target.mkdir(parents=True, exist_ok=True)
        path = target / name
        browser.save_screenshot(str(path))
        return path

    return take
