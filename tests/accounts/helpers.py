"""Helpers of the account tests: the allauth headless "app" client and e-mail reading."""

import re

from django.core import mail

APP = "/api/auth/app/v1"


def app_login(client, email, password):
    """Headless app login; returns the response (session token in meta on success)."""
    return client.post(f"{APP}/auth/login", {"email": email, "password": password},
                       content_type="application/json")


def app_token(client, email, password) -> str:
    response = app_login(client, email, password)
    assert response.status_code == 200, response.content
    return response.json()["meta"]["session_token"]


def initial_password(message) -> str:
    match = re.search(r"Initial password: (\S+)", message.body)
    assert match, message.body
    return match.group(1)


def last_mail_to(email):
    messages = [m for m in mail.outbox if email in m.to]
    assert messages, f"no e-mail to {email}"
    return messages[-1]


def html_of(message) -> str:
    (html, mimetype), = message.alternatives
    assert mimetype == "text/html"
    return html
