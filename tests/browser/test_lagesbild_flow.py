"""J2 in a real browser (phone-size window): a coordinator logs in with two-factor, opens this week's lägesbild, sets two
area statuses, writes an assessment, publishes and downloads the PDF."""

from __future__ import annotations

import datetime as dt

import pytest
import requests

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_week(collab_a, org_a, partner_org_a, coordinator_a, make_event):
    """A small demo-like week: events of the current week in both districts (all before now)."""
    from django.utils import timezone

    now = timezone.now()
    for k in range(6):
        make_event(collab_a, partner_org_a, category="klotter", occurred_from=now - dt.timedelta(minutes=7 * (k + 1)),
                   lat=59.50 + k * 0.002, lon=17.85)
    for k in range(3):
        make_event(collab_a, org_a, category="nedskrapning", occurred_from=now - dt.timedelta(minutes=5 * (k + 1)),
                   lat=59.49, lon=17.93)
    return collab_a


def _totp_code(device) -> str:
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def test_a_coordinator_assesses_publishes_and_downloads_the_pdf(live_server, browser, demo_week, coordinator_a):
    driver = browser  # the shared headless Chromium of tests/browser/conftest.py (phone size)
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    from selenium.webdriver.support.ui import WebDriverWait

    device = TOTPDevice.objects.create(user=coordinator_a, name="telefon", confirmed=True)
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException

    wait = WebDriverWait(driver, 60, ignored_exceptions=(StaleElementReferenceException, NoSuchElementException))

    driver.get(f"{live_server.url}/konto/logga-in/?next=/lagesbild/")
    driver.find_element(By.ID, "id_username").send_keys("coordinator_a")
    driver.find_element(By.ID, "id_password").send_keys("correct horse battery")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit].button-primary").click()
    wait.until(EC.presence_of_element_located((By.ID, "id_token")))
    driver.find_element(By.ID, "id_token").send_keys(_totp_code(device))
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit].button-primary").click()

    # the current week's draft
    wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.lb-assessment")))
    assert "/lagesbild/" in driver.current_url and "-W" in driver.current_url
    assert "Lägesbild vecka" in driver.page_source

    def assess(area: str, status: str, text: str = ""):
        form = driver.find_element(By.XPATH, f"//form[contains(@class,'lb-assessment')][.//legend[text()='{area}']]")
        form.find_element(By.CSS_SELECTOR, f"input[name=status][value={status}]").click()
        if text:
            box = form.find_element(By.TAG_NAME, "textarea")
            box.clear()
            box.send_keys(text)
        form_id = form.get_attribute("id")
        form.find_element(By.CSS_SELECTOR, "button[value=merged]").click()
        wait.until(lambda d: "Sparat." in d.find_element(By.ID, form_id).text)

    assess("Väster", "red", "Klotter varje kväll vid skolan; väktare kvällstid.")
    assess("Öster", "yellow")

    driver.find_element(By.CSS_SELECTOR, "[data-testid=publish]").click()
    wait.until(lambda d: "/v1/" in d.current_url)
    page = driver.page_source
    assert "Klotter varje kväll vid skolan; väktare kvällstid." in page
    assert "Röd" in page and "Gul" in page

    pdf_url = driver.find_element(By.CSS_SELECTOR, "[data-testid=version-pdf]").get_attribute("href")
    cookies = {c["name"]: c["value"] for c in driver.get_cookies()}
    response = requests.get(pdf_url, cookies=cookies, timeout=120)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
