"""Jobs of sessions_app (django-q2 entry points): load by id, call the service."""


def export_run(export_id: int) -> str | None:
    """Produce a session export's file and tell its user (SES-5)."""
    from .exports import export_run as run

    return run(export_id)


def exports_prune() -> dict:
    """Delete expired session exports and their files; fail lost ones (SES-5). Daily."""
    from .exports import exports_prune as prune

    return prune()
