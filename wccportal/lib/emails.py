"""E-mails as template triplets rendered in the recipient's language (NOT-2).

``templates/emails/<name>-subject.txt``, ``<name>-body.txt`` and ``<name>-body.html``.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def render_templated(name: str, ctx: dict, language: str | None = None) -> tuple[str, str, str]:
    language = language or settings.LANGUAGE_CODE
    context = {"site_url": settings.SITE_URL, **ctx}
    with translation.override(language):
        subject = render_to_string(f"emails/{name}-subject.txt", context)
        text = render_to_string(f"emails/{name}-body.txt", context)
        html = render_to_string(f"emails/{name}-body.html", context)
    return " ".join(subject.split()), text, html


def send_templated(name: str, to: str | list[str], ctx: dict, language: str | None = None) -> int:
    """Render and send one e-mail; ``language`` is the recipient's (default: site default)."""
    subject, text, html = render_templated(name, ctx, language)
    recipients = [to] if isinstance(to, str) else list(to)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach_alternative(html, "text/html")
    return message.send()


def send_templated_task(name: str, to, ctx: dict, language: str | None = None) -> int:
    """Job entry point: the same, run by the job cluster (ctx must be JSON-like)."""
    return send_templated(name, to, ctx, language)
