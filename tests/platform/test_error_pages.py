"""Error pages: 404 and 500 in HTML for pages and in the error format for the API. The 500
page must render while the database is down."""

from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.platform.error_urls")]


@contextmanager
def database_down():
    def refuse(execute, sql, params, many, context):
        raise OperationalError("connection refused (the database is down)")

    with connection.execute_wrapper(refuse):
        yield


@pytest.fixture
def signed_in(owner):
    client = Client(raise_request_exception=False)
    client.force_login(owner)
    return client


def test_server_error_page_renders_while_the_database_is_down(signed_in):
    with database_down():
        response = signed_in.get("/broken/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert "Something went wrong" in html
    assert "/static/css/wcc.css" in html
    assert "owner@example.com" not in html  # no user, no context processors


def test_server_error_page_speaks_the_visitors_language(db):
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="de")
    with database_down():
        response = client.get("/broken/")
    assert response.status_code == 500
    assert '<html lang="de"' in response.content.decode()


def test_api_server_error_is_json(signed_in):
    with database_down():
        response = signed_in.get("/api/v1/broken/")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"


def test_not_found_page_keeps_the_shell_context(signed_in):
    response = signed_in.get("/portal/charger/NOPE/")
    assert response.status_code == 404
    assert b"Page not found" in response.content
