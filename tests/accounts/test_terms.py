"""ACC-1: the terms of use accepted at sign-up exist as a page, with the version recorded."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_terms_page_shows_the_version_accepted_at_sign_up(client, settings):
    settings.TERMS_VERSION = "2026-07"
    response = client.get(reverse("terms"))
    assert response.status_code == 200
    assert "Version 2026-07" in response.content.decode()
    signup = client.get(reverse("account_signup")).content.decode()
    assert f'href="{reverse("terms")}"' in signup and f'href="{reverse("privacy")}"' in signup


def test_terms_page_in_german(client):
    response = client.get(reverse("terms"), HTTP_ACCEPT_LANGUAGE="de")
    assert "Nutzungsbedingungen" in response.content.decode()
