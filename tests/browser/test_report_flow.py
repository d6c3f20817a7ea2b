"""J1 in a real browser on a phone-size screen: log in, report two events by tapping the map,
see the confirmation, and find both events in the list and in the GeoJSON export."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WAIT = 15


def wait_for(driver, condition, timeout=WAIT):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def by_css(driver, selector):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def log_in(driver, base_url, username):
    from selenium.webdriver.common.by import By

    driver.get(base_url + "/konto/logga-in/")
    driver.find_element(By.ID, "id_username").send_keys(username)
    driver.find_element(By.ID, "id_password").send_keys("correct horse battery")
    driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()
    wait_for(driver, lambda d: "/konto/logga-in/" not in d.current_url)


def tap_map(driver, block_index, dx, dy):
    from selenium.webdriver.common.action_chains import ActionChains

    element = by_css(driver, f"#event-{block_index}-map")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    wait_for(driver, lambda d: "leaflet-container" in element.get_attribute("class"))
    ActionChains(driver).move_to_element_with_offset(element, dx, dy).click().perform()
    lat = by_css(driver, f"input[name='events-{block_index}-lat']")
    wait_for(driver, lambda d: lat.get_attribute("value") != "")
    return float(lat.get_attribute("value")), float(by_css(driver, f"input[name='events-{block_index}-lon']").get_attribute("value"))


def choose_category(driver, block_index, code):
    tile = by_css(driver, f"input[name='events-{block_index}-category'][value='{code}']")
    label = tile.find_element("xpath", "./ancestor::label")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", label)
    label.click()
    assert tile.is_selected()


def test_a_reporter_files_two_events_from_a_phone(transactional_db, live_server, browser, screenshot, reporter_a,
                                                  collab_a):
    from trygg.events.models import Event, Report

    driver = browser
    log_in(driver, live_server.url, "reporter_a")
    driver.get(live_server.url + "/handelser/rapportera/")
    wait_for(driver, lambda d: by_css(d, "#event-0-map").get_attribute("class").find("leaflet-container") >= 0)
    assert by_css(driver, "h1").text == "Rapportera"

    choose_category(driver, 0, "skadegorelse")
    first = tap_map(driver, 0, -40, -30)
    assert "Platsen är markerad" in by_css(driver, "#event-0-location-status").text
    driver.execute_script("window.scrollTo(0, 0);")
    screenshot("report-form.png")

    by_css(driver, "#add-event").click()
    wait_for(driver, lambda d: len(d.find_elements("css selector", "#event-blocks > .event-block")) == 2)
    choose_category(driver, 1, "brand")
    second = tap_map(driver, 1, 50, 40)
    assert first != second

    by_css(driver, "#send-report").click()
    wait_for(driver, lambda d: "/handelser/rapport/" in d.current_url)
    heading = by_css(driver, "h1").text
    assert "rapporten är skickad" in heading
    assert "har rapporterat 2 händelser" in by_css(driver, "[data-testid=week-count]").text

    report = Report.objects.get()
    events = list(report.events.order_by("pk"))
    assert [e.category.code for e in events] == ["skadegorelse", "brand"]
    assert [(round(e.lat, 6), round(e.lon, 6)) for e in events] == [first, second]
    assert all(not e.outside for e in events)

    driver.get(live_server.url + "/handelser/")
    rows = driver.find_elements("css selector", "tr[data-event]")
    assert {r.get_attribute("data-event") for r in rows} == {str(e.uuid) for e in events}
    screenshot("events-list.png")

    raw = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch('/handelser/export.geojson', {credentials: 'same-origin'}).then(r => r.text()).then(done);"
    )
    features = json.loads(raw)["features"]
    assert {f["id"] for f in features} == {str(e.uuid) for e in events}
    coordinates = {f["id"]: tuple(f["geometry"]["coordinates"]) for f in features}
    for event in events:
        assert coordinates[str(event.uuid)] == (round(event.lon, 6), round(event.lat, 6))

    driver.get(live_server.url + "/handelser/karta/")
    wait_for(driver, lambda d: len(d.find_elements("css selector", "#events-map path.leaflet-interactive")) >= 2)
    driver.execute_script("document.getElementById('events-map').scrollIntoView({block: 'start'});")
    screenshot("map.png")
    assert Event.objects.count() == 2


def test_a_report_made_offline_is_sent_once_when_the_connection_returns(
        transactional_db, live_server, browser, reporter_a, collab_a):
    from trygg.events.models import Event, Report

    driver = browser
    log_in(driver, live_server.url, "reporter_a")
    driver.get(live_server.url + "/handelser/rapportera/")
    wait_for(driver, lambda d: "leaflet-container" in by_css(d, "#event-0-map").get_attribute("class"))
    choose_category(driver, 0, "nedskrapning")
    tap_map(driver, 0, 10, 10)

    driver.set_network_conditions(offline=True, latency=0, download_throughput=0, upload_throughput=0)
    wait_for(driver, lambda d: d.execute_script("return navigator.onLine") is False)
    by_css(driver, "#send-report").click()
    wait_for(driver, lambda d: d.execute_script("return TryggQueue.pending()") == 1)
    assert "Ingen anslutning" in by_css(driver, "#queue-status").text
    assert Report.objects.count() == 0

    # the phone sends the queue twice (the answer to the first delivery is "lost")
    queued = driver.execute_script("return localStorage.getItem('trygg-report-queue-v1')")
    driver.set_network_conditions(offline=False, latency=0, download_throughput=-1, upload_throughput=-1)
    driver.execute_script("window.dispatchEvent(new Event('online'));")
    wait_for(driver, lambda d: d.execute_script("return TryggQueue.pending()") == 0)
    driver.execute_script("localStorage.setItem('trygg-report-queue-v1', arguments[0]);", queued)
    driver.execute_async_script("TryggQueue.flush().then(arguments[arguments.length - 1]);")
    wait_for(driver, lambda d: d.execute_script("return TryggQueue.pending()") == 0)

    assert Report.objects.count() == 1
    assert list(Event.objects.values_list("category__code", flat=True)) == ["nedskrapning"]
