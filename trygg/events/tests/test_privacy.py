import pytest

from trygg.events.privacy import MASK, mask_personal_data, personal_data_warnings


@pytest.mark.parametrize("text, kind", [
    ("Killen hade personnummer 19811224-1234 på sig", "personnummer"),
    ("ring 070-123 45 67 om det händer igen", "phone"),
    ("ring +46 70 123 45 67", "phone"),
    ("bilen ABC 123 stod på gångvägen", "registration"),
    ("bilen ABC12D stod på gångvägen", "registration"),
    ("det var grannen Anna Svensson som såg det", "name"),
])
def test_it_warns_about_personal_data(text, kind):
    assert kind in [w["kind"] for w in personal_data_warnings(text)]


@pytest.mark.parametrize("text", [
    "Klotter på elskåpet vid torget, ca 2 m2.",
    "Fem ungdomar samlades vid busshållplatsen kl 22.",
    "Trasig belysning längs gång- och cykelvägen.",
])
def test_it_does_not_warn_about_ordinary_descriptions(text):
    assert personal_data_warnings(text) == []


def test_masking_removes_what_the_warnings_find():
    text = "Anmälare 19811224-1234, tel 0701234567, bil ABC 123"
    masked = mask_personal_data(text)
    assert "1234" not in masked and "0701234567" not in masked and "ABC 123" not in masked
    assert masked.count(MASK) == 3
