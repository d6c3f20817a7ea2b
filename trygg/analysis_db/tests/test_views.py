import pytest

pytestmark = pytest.mark.django_db


def test_the_analysis_page_links_to_the_api_in_swedish(collab_a, client_for, coordinator_a):
    response = client_for(coordinator_a).get("/analys/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "Veckotabell" in text
    assert f"samverkan={collab_a.uuid}" in text


def test_the_analysis_page_needs_a_login(collab_a, client):
    response = client.get("/analys/")
    assert response.status_code == 302
