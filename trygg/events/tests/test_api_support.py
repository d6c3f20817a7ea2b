"""Helpers shared by the API tests (no tests here): token clients and JSON calls."""

from __future__ import annotations

import json

import pytest
from django.test import Client


def token_client(user, name="test") -> Client:
    """A client that authenticates with a fresh personal API token of ``user`` (no session)."""
    from trygg.accounts.models import ApiToken

    _token, raw = ApiToken.issue(user, name)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}", HTTP_ACCEPT_LANGUAGE="en")
    client.raw_token = raw
    return client


def send(client, method: str, url: str, body=None, **extra):
    """POST/PATCH/DELETE a JSON body."""
    data = json.dumps(body) if body is not None else None
    return getattr(client, method.lower())(url, data=data, content_type="application/json", **extra)


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The response is an error in the one shape; returns its ``error`` object."""
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["fields"], dict)
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


@pytest.fixture
def api_as():
    """``api_as(user)``: a token client for a persona."""
    return token_client
