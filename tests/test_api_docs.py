"""The API documentation: docs/api.md covers every endpoint (and only real ones), the OpenAPI
document is complete, and the browsable docs work without any external host (no CDN)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import resolve

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "api.md"
# Apps that add endpoints document them in docs/api.md or in their own docs/api-<app>.md.
OWN = ("/api/v1/collaborations", "/api/v1/areas", "/api/v1/categories", "/api/v1/reports", "/api/v1/events")
HEADING = re.compile(r"^#{2,4} (GET|POST|PATCH|PUT|DELETE) (/api/v1/\S*)", re.M)
CURL_URL = re.compile(r"https?://[^/\s\"']+(/api/v1/[^\s\"'?]*)")


def openapi():
    from trygg.api import api

    return api.get_openapi_schema(path_prefix="/api/v1/")


def openapi_operations() -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, ops in openapi()["paths"].items() for method in ops}


def doc_files() -> list[Path]:
    return [DOC, *sorted((ROOT / "docs").glob("api-*.md"))]


def documented_operations() -> set[tuple[str, str]]:
    return {(m, p) for doc in doc_files() for m, p in HEADING.findall(doc.read_text(encoding="utf-8"))}


def test_every_endpoint_in_the_openapi_document_is_documented():
    missing = openapi_operations() - documented_operations()
    assert not missing, f"add a section to docs/api.md (or docs/api-<app>.md) for: {sorted(missing)}"


def test_every_endpoint_documented_exists():
    unknown = documented_operations() - openapi_operations()
    assert not unknown, f"docs/api.md documents endpoints that do not exist: {sorted(unknown)}"


def test_every_curl_example_points_at_a_real_endpoint():
    text = "\n".join(doc.read_text(encoding="utf-8") for doc in doc_files())
    urls = CURL_URL.findall(text)
    assert len(urls) >= len(documented_operations())
    for url in urls:
        path = re.sub(r"\{[a-z_]+\}|\$[A-Z_]+", "00000000-0000-0000-0000-000000000000", url)
        match = resolve(path)
        assert match.url_name not in ("not-found", None), f"docs/api.md: {url} is not an endpoint"


def test_every_documented_endpoint_has_a_curl_example():
    text = "\n".join(doc.read_text(encoding="utf-8") for doc in doc_files())
    sections = re.split(r"^#{2,4} ", text, flags=re.M)
    for section in sections:
        head = HEADING.match("### " + section)
        if head:
            assert "curl" in section, f"docs/api.md: no curl example for {head.group(1)} {head.group(2)}"


def test_the_openapi_document_has_tags_summaries_and_the_error_schema():
    schema = openapi()
    assert "ErrorOut" in schema["components"]["schemas"]
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert op.get("tags"), f"{method} {path} has no tag"
            assert op.get("summary"), f"{method} {path} has no summary"
            if not path.startswith(OWN):
                continue  # other apps' endpoints: their own tests
            errors = [str(code) for code in op["responses"] if str(code).startswith(("4", "5"))]
            assert "401" in errors, f"{method} {path} does not declare 401"
            for code in errors:
                ref = op["responses"][int(code)]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/ErrorOut")


def test_the_openapi_document_is_served(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Trygg API"


def test_the_docs_page_references_no_external_host(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    refs = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert refs, "the docs page loads its Swagger UI files"
    for ref in refs:
        assert not re.match(r"^(https?:)?//", ref), f"external reference on the docs page: {ref}"
    assert "cdn" not in html.lower()
    assert "swagger-ui-bundle.js" in html


def test_the_docs_assets_are_served_locally(db):
    client = Client()
    html = client.get("/api/v1/docs").content.decode()
    for ref in re.findall(r"""(?:src|href)=["'](/api/v1/docs/assets/[^"']+)["']""", html):
        response = client.get(ref)
        assert response.status_code == 200, ref
        assert b"".join(response.streaming_content)
    assert client.get("/api/v1/docs/assets/..%2F..%2Fsettings.py").status_code == 404


@pytest.mark.parametrize("path", ["/api/v1/", "/api/v1/docs", "/api/v1/openapi.json"])
def test_the_api_root_and_docs_need_no_login(db, path):
    assert Client().get(path).status_code == 200
