"""Privacy settings (ACC-10): the consent to optional trackers. Every choice is kept as a
``Consent`` row (document "tracking"), so the history of who allowed what and when stays; the
newest row is the choice in force, and none means no consent."""

from __future__ import annotations

from django.conf import settings

from accounts.models import Consent


def _latest(user) -> Consent | None:
    return Consent.objects.filter(user=user, document=Consent.Document.TRACKING).order_by("-created_at", "-pk").first()


def privacy_tracking_get(*, user) -> bool:
    """Whether the user allows optional trackers now (no choice made: no)."""
    if not user.is_authenticated:
        return False
    latest = _latest(user)
    return bool(latest and latest.accepted)


def privacy_tracking_set(*, user, allowed: bool, version: str | None = None) -> Consent | None:
    """Record the user's choice about optional trackers: a new ``Consent`` row when it
    changes, or when it is the first explicit choice (a refusal is worth recording too).
    Saving the same choice again writes nothing and returns None."""
    allowed = bool(allowed)
    latest = _latest(user)
    if latest is not None and latest.accepted == allowed:
        return None
    return Consent.objects.create(user=user, document=Consent.Document.TRACKING,
                                  version=version or settings.PRIVACY_VERSION, accepted=allowed)
