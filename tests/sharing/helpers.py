import re

from django.core import mail
from django.test import Client

from tests.factories.accounts import PASSWORD


def code_from_mail(message=None) -> str:
    message = message or mail.outbox[-1]
    return re.search(r"Access code: (\d{6})", message.body).group(1)


def tag_from_mail(message=None) -> str:
    message = message or mail.outbox[-1]
    return re.search(r"RFID tag: (\S+)", message.body).group(1)


def app_client(user=None, token: str | None = None) -> Client:
    """A client speaking to the API like the mobile app: allauth headless app token."""
    client = Client()
    if user is not None:
        r = client.post("/api/auth/app/v1/auth/login", {"email": user.email, "password": PASSWORD},
                        content_type="application/json")
        assert r.status_code == 200, r.content
        token = r.json()["meta"]["session_token"]
    return Client(headers={"X-Session-Token": token}) if token else client
