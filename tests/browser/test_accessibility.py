"""WCAG 2.1 AA and mobile fitness of every main page, in Swedish, in a real browser.

axe-core (shipped inside the axe-selenium-python wheel) runs on each page at 360×740 (a small
phone) and at 1280×900 (a desktop); serious and critical violations fail. Each page must also
have no horizontal scrolling on the phone, exactly one h1, lang="sv" and a skip link that moves
focus to <main>. Finally a reporter fills in and sends the report form with the keyboard alone.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from tests.ci import handle_missing

from .conftest import browser_settings

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PHONE = (360, 740)
DESKTOP = (1280, 900)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")
WAIT = 20


# --- helpers ---------------------------------------------------------------------------------------
def axe_source() -> str:
    try:
        import axe_selenium_python
    except ImportError:
        handle_missing("axe-selenium-python", "make install-test, see docs/accessibility.md")
    path = Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
    source = path.read_text(encoding="utf8")
    version = re.search(r"axe v(\d+)\.(\d+)", source[:200])
    # axe-selenium-python 2.x bundles axe-core 3.1 (2018), which knows almost no WCAG 2.1 rule
    assert version and int(version.group(1)) >= 4, f"axe-core 4.x needed, found {source[:40]!r} in {path}"
    return source


def set_viewport(driver, size):
    """The CSS viewport itself (a headless window cannot be made narrower than ~500 px)."""
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def wait_for(driver, condition, timeout=WAIT):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def open_page(driver, url):
    driver.get(url)
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    if driver.find_elements("css selector", ".map, [id$='-map']"):
        # let Leaflet draw its panes and controls before they are checked
        wait_for(driver, lambda d: d.execute_script(
            "return [...document.querySelectorAll('.map, [id$=\"-map\"]')].every(m => m.offsetParent === null"
            " || m.classList.contains('leaflet-container') || m.closest('template'))"))


def run_axe(driver, source) -> list[dict]:
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(source)
    results = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done(r.violations), e => done([{id: 'axe-error', impact: 'critical', help: String(e),"
        " nodes: []}]));", AXE_TAGS)
    return [v for v in results if v.get("impact") in FAILING_IMPACTS]


def describe(violation: dict) -> str:
    lines = [f"  [{violation['impact']}] {violation['id']}: {violation['help']}"]
    for node in violation["nodes"][:6]:
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        lines.append(f"      {' '.join(map(str, node['target']))}  {node['html'][:160]}")
        if summary:
            lines.append(f"        {summary[:300]}")
    if len(violation["nodes"]) > 6:
        lines.append(f"      … and {len(violation['nodes']) - 6} more")
    return "\n".join(lines)


def structure_problems(driver, phone: bool) -> list[str]:
    problems = []
    h1 = driver.execute_script("return document.querySelectorAll('h1').length")
    if h1 != 1:
        problems.append(f"  {h1} h1 elements (exactly one expected)")
    lang = driver.execute_script("return document.documentElement.getAttribute('lang')")
    if lang != "sv":
        problems.append(f"  <html lang={lang!r}> (expected 'sv')")
    if phone:
        widths = driver.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1] + 1:
            wide = driver.execute_script(
                "const w = window.innerWidth; return [...document.querySelectorAll('body *')]"
                ".filter(e => e.getBoundingClientRect().right > w + 1 && !e.closest('.leaflet-container'))"
                ".slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +"
                " (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''))")
            problems.append(f"  scrolls sideways at {widths[1]} px: scrollWidth {widths[0]}; too wide: {wide}")
    return problems


def start_from_the_top(driver):
    """Put the keyboard at the very start of the page, as after loading it without autofocus (blur()
    alone leaves Chrome's sequential focus starting point where the focus was)."""
    driver.execute_script(
        "window.scrollTo(0, 0); const s = document.createElement('span'); s.id = 'a11y-start'; s.tabIndex = -1;"
        "document.body.prepend(s); s.focus();")


def skip_link_problems(driver) -> list[str]:
    """The first Tab reaches a visible "skip to content" link; Enter moves focus into <main>."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    start_from_the_top(driver)
    ActionChains(driver).send_keys(Keys.TAB).perform()
    driver.execute_script("document.getElementById('a11y-start')?.remove()")
    first = driver.execute_script(
        "const a = document.activeElement; const r = a.getBoundingClientRect();"
        "return {cls: a.className, href: a.getAttribute('href'), text: a.textContent.trim(),"
        " visible: r.width > 0 && r.height > 0 && r.top >= 0 && r.left >= 0};")
    if "skip-link" not in (first["cls"] or "") or first["href"] != "#main":
        return [f"  first Tab lands on {first!r}, not the skip link"]
    problems = []
    if not first["visible"]:
        problems.append("  the skip link is not visible when it has focus")
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    in_main = driver.execute_script(
        "const m = document.querySelector('main'); return !!m && m.contains(document.activeElement)")
    if not in_main:
        problems.append("  Enter on the skip link does not move focus into <main>")
    return problems


def login_as(driver, base_url, user, *, verified=True):
    """Put a signed-in (and, if asked, two-factor verified) session into the browser."""
    from django.conf import settings
    from django.test import Client

    from conftest import verified_client

    if verified:
        client = verified_client(user)
    else:
        client = Client()
        client.force_login(user)
    driver.delete_all_cookies()
    driver.get(base_url + "/healthz")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    driver.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": session,
                       "path": "/"})


def log_out(driver, base_url):
    driver.delete_all_cookies()


# --- the world the pages show ----------------------------------------------------------------------
@pytest.fixture
def world(settings, collab_a, org_a, partner_org_a, reporter_a, admin_a, make_event):
    browser_settings(settings)
    # publishing renders PDFs and sends e-mail in a background task: not needed to look at the pages
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    from django.utils import timezone

    from trygg.areas.models import Place

    from trygg.events.services import create_report

    now = timezone.now()
    Place.objects.create(collaboration=collab_a, name="Torget", lat=59.51, lon=17.86)
    Place.objects.create(collaboration=collab_a, name="Skolan", lat=59.49, lon=17.93)
    categories = ["klotter", "skadegorelse", "nedskrapning", "brand"]
    events = [make_event(collab_a, org_a if k % 2 else partner_org_a, user=reporter_a,
                         category=categories[k % len(categories)],
                         occurred_from=now - dt.timedelta(hours=3 * k + 1),
                         lat=59.47 + 0.01 * k, lon=17.82 + 0.02 * k,
                         description="Sprejat på väggen vid cykelstället." if k == 0 else "")
              for k in range(8)]
    report, _ = create_report(reporter_a, org_a, [
        {"category": "skadegorelse", "occurred_from": now - dt.timedelta(minutes=30), "lat": 59.50, "lon": 17.86}])
    return {"collaboration": collab_a, "events": events, "report": report, "reporter": reporter_a, "admin": admin_a}


def import_run(world):
    try:
        from trygg.imports.models import ImportRun
    except ImportError:
        return None
    return ImportRun.objects.create(collaboration=world["collaboration"], started_by=world["admin"],
                                    kind=ImportRun.Kind.POLISEN, source="polisen.se", status=ImportRun.Status.DONE,
                                    read=12, created=10, updated=1, unchanged=0, rejected=1)


def lagesbild_pages(world) -> list[str]:
    """The lägesbild pages, with the current week assessed (all three colours) and published."""
    from django.conf import settings

    if "trygg.situation" not in settings.INSTALLED_APPS:
        return []
    from django.utils import timezone

    from trygg.situation import service
    from trygg.situation.models import AreaAssessment, Status
    from trygg.situation.publish import publish

    iso = timezone.localtime().isocalendar()
    key = iso.year * 100 + iso.week
    label = f"{iso.year}-W{iso.week:02d}"
    picture = service.draft(world["collaboration"], key)
    colours = [Status.RED, Status.YELLOW, Status.GREEN]
    for k, assessment in enumerate(AreaAssessment.objects.filter(picture=picture)):
        assessment.status = colours[k % 3]
        assessment.text = "Klotter vid skolan varje kväll." if k == 0 else ""
        assessment.save()
    version = publish(picture, world["admin"], send=False)
    return [f"/lagesbild/{label}/", f"/lagesbild/{label}/v{version.number}/",
            f"/lagesbild/{label}/v{version.number}/partner/", "/lagesbild/historik/", "/lagesbild/installningar/",
            "/lagesbild/arsrapport/", "/lagesbild/atgardsplan/"]


def password_reset_link(user) -> str:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    uid, token = urlsafe_base64_encode(force_bytes(user.pk)), default_token_generator.make_token(user)
    return f"/konto/losenord/aterstall/{uid}/{token}/"


def send_an_empty_report(driver, base):
    """The report form after "Skicka" with nothing filled in: the error summary and marked fields."""
    open_page(driver, base + "/handelser/rapportera/")
    driver.execute_script("document.getElementById('send-report').click()")
    wait_for(driver, lambda d: d.find_elements("css selector", "#error-summary"))
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    assert "Rapporten skickades inte" in driver.find_element("css selector", "#error-summary").text


def upload_a_spreadsheet(driver, base):
    """The import wizard's second step (which column is what), after uploading a small CSV."""
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf8") as fh:
        fh.write("datum;kategori;lat;lon;beskrivning\n2026-03-01 21:30;Klotter;59.50;17.85;Vid skolan\n")
    open_page(driver, base + "/import/tabell/")
    driver.find_element("id", "id_file").send_keys(fh.name)
    driver.find_element("css selector", "main form button[type=submit]").click()
    wait_for(driver, lambda d: re.search(r"/import/tabell/[^/]+/$", d.current_url))
    wait_for(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    Path(fh.name).unlink(missing_ok=True)


# --- the tests -------------------------------------------------------------------------------------
def test_every_main_page_passes_axe_on_a_phone_and_a_desktop(live_server, module_browser, world):
    from django.conf import settings

    driver = module_browser
    source = axe_source()
    base = live_server.url
    event = world["events"][0]
    pages: list[tuple[str, str, object]] = [
        ("anonymous", "/konto/logga-in/", None),
        ("anonymous", "/konto/losenord/aterstall/", None),
        ("anonymous", "/konto/losenord/aterstall/skickat/", None),
        ("reporter", "/", world["reporter"]),
        ("reporter", "/handelser/rapportera/", world["reporter"]),
        ("reporter", f"/handelser/rapport/{world['report'].uuid}/", world["reporter"]),
        ("reporter", "/handelser/", world["reporter"]),
        ("reporter", f"/handelser/{event.uuid}/", world["reporter"]),
        ("reporter", "/handelser/karta/", world["reporter"]),
        ("reporter", "/omraden/", world["reporter"]),
        ("reporter", "/konto/", world["reporter"]),
        ("reporter", "/konto/byt-losenord/", world["reporter"]),
        ("reporter", "/konto/tvastegs/aktivera/", world["reporter"]),
        ("admin-unverified", "/konto/tvastegs/", world["admin"]),  # the code prompt (admin has an authenticator)
        ("admin", "/", world["admin"]),
        ("admin", "/konto/granskningslogg/", world["admin"]),
    ]
    if "trygg.imports" in settings.INSTALLED_APPS:
        run = import_run(world)
        pages += [("admin", "/import/", world["admin"]), ("admin", "/import/polisen/", world["admin"]),
                  ("admin", f"/import/korning/{run.uuid}/", world["admin"]),
                  ("admin", "/import/tabell/", world["admin"])]
    if "trygg.analysis_db" in settings.INSTALLED_APPS:
        pages += [("admin", "/analys/", world["admin"])]
    pages += [("admin", path, world["admin"]) for path in lagesbild_pages(world)]
    # states a plain address does not reach: validation errors, a reset link, the import wizard's columns
    pages.insert(3, ("anonymous", password_reset_link(world["reporter"]), None))
    pages.insert(6, ("reporter", send_an_empty_report, world["reporter"]))
    if "trygg.imports" in settings.INSTALLED_APPS:
        pages.append(("admin", upload_a_spreadsheet, world["admin"]))

    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=world["admin"], name="telefon", confirmed=True)
    failures: list[str] = []
    checked: set[str] = set()
    current = None
    for who, path, user in pages:
        if who != current:
            if user is None:
                driver.delete_all_cookies()
            else:
                login_as(driver, base, user, verified=who != "admin-unverified")
            current = who
        for size in (PHONE, DESKTOP):
            set_viewport(driver, size)
            if callable(path):
                path(driver, base)
            else:
                open_page(driver, base + path)
            landed = driver.current_url.removeprefix(base)
            where = f"{getattr(path, '__name__', path)} as {who} at {size[0]}×{size[1]} (landed on {landed})"
            problems = [describe(v) for v in run_axe(driver, source)]
            if user is not None and "/konto/logga-in/" in driver.current_url:
                problems.append("  sent to the login page: the page itself was not checked")
            problems += structure_problems(driver, phone=size == PHONE)
            if size == PHONE:
                problems += skip_link_problems(driver)
            if problems:
                failures.append(where + "\n" + "\n".join(problems))
            checked.add(landed)
    assert not failures, f"{len(failures)} page views fail WCAG 2.1 AA checks:\n\n" + "\n\n".join(failures)
    # the pages really were the pages (not all redirects to the login page)
    assert len(checked) >= len(pages) - 2, sorted(checked)
    assert {"/konto/tvastegs/", "/konto/tvastegs/aktivera/", "/konto/granskningslogg/"} <= checked, sorted(checked)
    assert any(p.endswith("/set-password/") for p in checked), sorted(checked)


def test_a_reporter_sends_a_report_with_the_keyboard_alone(live_server, module_browser, world):
    """Tab, Space and Enter only: a category, a named place instead of the map, "nu", send."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    from trygg.events.models import Event, Report

    driver = module_browser
    set_viewport(driver, PHONE)
    login_as(driver, live_server.url, world["reporter"])
    open_page(driver, live_server.url + "/handelser/rapportera/")
    reports_before, events_before = Report.objects.count(), Event.objects.count()

    def focused():
        return driver.execute_script(
            "const a = document.activeElement;"
            "return {tag: a.tagName.toLowerCase(), id: a.id, name: a.getAttribute('name') || '', type: a.type || '',"
            " value: a.value || '', cls: a.className || ''};")

    def press(*keys):
        ActionChains(driver).send_keys(*keys).perform()

    def tab_until(predicate, limit=80):
        for _ in range(limit):
            press(Keys.TAB)
            if predicate(focused()):
                return focused()
        raise AssertionError(f"Tab never reached the element; last focus {focused()!r}")

    start_from_the_top(driver)
    first = tab_until(lambda f: True, limit=1)
    assert "skip-link" in first["cls"]
    # the category tiles are one radio group: Tab enters it, arrow keys move, Space picks
    tab_until(lambda f: f["name"] == "events-0-category")
    target = "skadegorelse"
    for _ in range(12):
        if focused()["value"] == target:
            break
        press(Keys.ARROW_RIGHT)
    assert focused()["value"] == target
    press(Keys.SPACE)
    assert driver.find_element("css selector", f"input[name='events-0-category'][value='{target}']").is_selected()
    # the named place: a native select, opened and chosen with the keyboard
    tab_until(lambda f: f["id"] == "event-0-place")
    place_select = driver.find_element("id", "event-0-place")
    if place_select.tag_name == "select":
        press(Keys.ARROW_DOWN)  # "Skolan" (the list is sorted by name)
        if not place_select.get_attribute("value"):
            press(Keys.ARROW_DOWN)
        assert place_select.get_attribute("value"), "no named place chosen with the arrow keys"
    else:
        press("Torget")
    # "nu" is the default; go on to the send button and press Enter
    send = tab_until(lambda f: f["id"] == "send-report", limit=120)
    assert send["id"] == "send-report"
    press(Keys.ENTER)
    wait_for(driver, lambda d: "/handelser/rapport/" in d.current_url)
    assert "rapporten är skickad" in driver.find_element("css selector", "h1").text
    assert Report.objects.count() == reports_before + 1
    new = Event.objects.order_by("-pk").first()
    assert Event.objects.count() == events_before + 1
    assert new.category.code == target
    assert new.place is not None and new.place.name in ("Skolan", "Torget")


CONTRAST_JS = """
const rgb = c => (c.match(/[\\d.]+/g) || []).slice(0, 3).map(Number);
const lum = c => { const [r, g, b] = rgb(c).map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                   return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
const opaque = c => { const m = c.match(/[\\d.]+/g) || []; return m.length === 3 || (m.length === 4 && Number(m[3]) > 0); };
const behind = e => { for (let n = e; n && n.nodeType === 1; n = n.parentElement) {
                        const b = getComputedStyle(n).backgroundColor; if (opaque(b)) return b; }
                      return 'rgb(255, 255, 255)'; };
return [...document.querySelectorAll(arguments[0])].map(e => { const bg = behind(e);
  return {text: e.textContent.trim(), cls: e.className, ratio: ratio(getComputedStyle(e).color, bg), bg: bg}; });
"""


def test_status_and_category_colours_have_contrast_and_are_never_the_only_signal(live_server, module_browser, world):
    """Grön/gul/röd are always written out next to the colour; category colours never sit behind text
    that is too faint; text on the status colours of trygg.css has at least 4.5:1."""
    from django.conf import settings

    driver = module_browser
    login_as(driver, live_server.url, world["admin"])
    set_viewport(driver, DESKTOP)

    # the status classes of trygg.css, as a page would render them
    open_page(driver, live_server.url + "/")
    driver.execute_script(
        "for (const c of ['green', 'yellow', 'red']) { const s = document.createElement('span');"
        " s.className = 'status-' + c; s.textContent = c; document.querySelector('main').append(s); }")
    for swatch in driver.execute_script(CONTRAST_JS, "main [class^=status-]"):
        assert swatch["ratio"] >= 4.5, f"text on .{swatch['cls']} ({swatch['bg']}) has contrast {swatch['ratio']:.2f}:1"

    # the category tiles of the report form: the letter on the icon and the name on the tile
    open_page(driver, live_server.url + "/handelser/rapportera/")
    tiles = driver.execute_script(CONTRAST_JS, "#event-0 .cat-icon, #event-0 .cat-name")
    assert len(tiles) >= 2 * 10
    faint = [t for t in tiles if t["ratio"] < 4.5]
    assert not faint, f"category text with too little contrast: {faint}"
    names = [t["text"] for t in tiles if "cat-name" in t["cls"]]
    assert all(names) and "Skadegörelse" in names  # the colour is never the only sign of the category

    if "trygg.situation" not in settings.INSTALLED_APPS:
        return
    paths = lagesbild_pages(world)
    labels = {"green": "Grön", "yellow": "Gul", "red": "Röd"}
    for path in (paths[0], paths[1]):  # the meeting's draft (radio buttons) and the published version
        open_page(driver, live_server.url + path)
        statuses = driver.execute_script(CONTRAST_JS, "main .lb-status")
        coloured = [s for s in statuses if re.search(r"lb-status-(green|yellow|red)\b", s["cls"])]
        assert coloured, f"no status shown on {path}"
        for status in coloured:
            value = re.search(r"lb-status-(green|yellow|red)", status["cls"]).group(1)
            assert status["text"] == labels[value], f"{path}: {status} does not say {labels[value]}"
            assert status["ratio"] >= 4.5, f"{path}: status text {status} has too little contrast"
    open_page(driver, live_server.url + paths[1])
    text = driver.find_element("css selector", "main").text
    assert "Röd" in text and "Gul" in text  # the two assessed areas, in words
