"""The EST category list that every new collaboration starts with (editable afterwards)."""

from __future__ import annotations

from django.db import transaction

from .models import Category

# code, Swedish, English, colour, icon, [(code, Swedish, English), ...]
EST_CATEGORIES = [
    ("skadegorelse", "Skadegörelse", "Vandalism", "#8e44ad", "hammer", [
        ("klotter", "Klotter/graffiti", "Graffiti"),
        ("glaskross", "Glaskross", "Broken glass"),
        ("annan-skadegorelse", "Annan skadegörelse", "Other damage"),
    ]),
    ("brand", "Brand", "Fire", "#d35400", "fire", [
        ("brand-soptunna", "Brand i soptunna/container", "Fire in a bin or container"),
        ("brand-fordon", "Brand i fordon", "Vehicle fire"),
        ("brand-byggnad", "Brand i byggnad", "Building fire"),
    ]),
    ("nedskrapning", "Nedskräpning", "Littering", "#7f8c8d", "trash", [
        ("grovavfall", "Dumpat grovavfall", "Dumped bulky waste"),
    ]),
    ("samling", "Otrygghetsskapande samling av personer", "Gathering that creates insecurity", "#e67e22", "people", [
        ("samling-trapphus", "Trapphus/källare/garage", "Stairwell, basement or garage"),
        ("samling-centrum", "Centrum/galleria", "Town centre or mall"),
        ("samling-utomhus", "Utomhus", "Outdoors"),
        ("ungdomar-stor", "Ungdomar som stör boende", "Youths disturbing residents"),
    ]),
    ("ordningsstorning", "Ordningsstörning, bråk, hot, våld", "Disorder, threats, violence", "#c0392b", "alert", [
        ("brak", "Bråk", "Fight"),
        ("hot", "Hot", "Threat"),
        ("misshandel", "Misshandel", "Assault"),
    ]),
    ("narkotika", "Narkotika", "Drugs", "#16a085", "pill", [
        ("misstankt-droghandel", "Misstänkt droghantering", "Suspected drug dealing"),
        ("oppen-droghandel", "Öppen droghandel", "Open drug dealing"),
        ("langning", "Langning", "Supplying alcohol to minors"),
    ]),
    ("inbrott-stold-ran", "Inbrott, stöld, rån", "Burglary, theft, robbery", "#2c3e50", "lock", [
        ("inbrott", "Inbrott", "Burglary"),
        ("stold", "Stöld", "Theft"),
        ("ran", "Rån", "Robbery"),
    ]),
    ("hot-mot-anstalld", "Hot och våld mot anställd", "Threats or violence against staff", "#a93226", "badge", []),
    ("olovlig-trafik", "Olovlig trafik", "Unlawful traffic", "#2980b9", "car", [
        ("moped-gangvag", "Moped/bil på gångväg", "Moped or car on a footpath"),
        ("buskorning", "Buskörning", "Reckless driving"),
        ("epa", "EPA/A-traktor, hög musik", "EPA tractor, loud music"),
    ]),
    ("olovligt-boende", "Olovligt boende/sovplats", "Unauthorised sleeping place", "#6c3483", "bed", []),
    ("tillhyggen", "Tillhyggen/stenupplag", "Stashed weapons or piles of stones", "#784212", "stone", []),
    ("otrygg-plats", "Otrygg plats", "Unsafe place", "#f1c40f", "lamp", [
        ("belysning", "Dålig belysning", "Poor lighting"),
        ("siktlinjer", "Skymda siktlinjer/vegetation", "Blocked sight lines, overgrown vegetation"),
        ("ode-plats", "Öde plats", "Deserted place"),
        ("bristande-underhall", "Bristande underhåll", "Lacking maintenance"),
        ("otrygg-trafik", "Otrygg trafiksituation", "Unsafe traffic situation"),
    ]),
    ("arrangemang", "Arrangemang", "Planned event", "#27ae60", "calendar", []),
    ("rykten", "Rykten/sociala medier", "Rumours, social media", "#5d6d7e", "chat", []),
    ("trygg-plats", "Trygg plats", "Safe place (positive)", "#2ecc71", "heart", []),
]
OTHER_POLICE = ("ovrigt-polis", "Övrigt (polis)", "Other (police)", "#34495e", "shield")


@transaction.atomic
def seed_categories(collaboration) -> int:
    """Create the EST categories for a collaboration; existing codes are left as they are."""
    existing = set(Category.objects.filter(collaboration=collaboration).values_list("code", flat=True))
    created = 0
    for order, (code, sv, en, colour, icon, children) in enumerate(EST_CATEGORIES + [OTHER_POLICE + ([],)], 1):
        if code in existing:
            parent = Category.objects.get(collaboration=collaboration, code=code)
        else:
            parent = Category.objects.create(collaboration=collaboration, code=code, name_sv=sv, name_en=en,
                                             colour=colour, icon=icon, sort_order=order * 10)
            created += 1
        for sub_order, (sub_code, sub_sv, sub_en) in enumerate(children, 1):
            if sub_code not in existing:
                Category.objects.create(collaboration=collaboration, parent=parent, code=sub_code, name_sv=sub_sv,
                                        name_en=sub_en, colour=colour, icon=icon, sort_order=order * 10 + sub_order)
                created += 1
    return created
