"""Jobs of the accounts app (entry points for the job cluster; the work is in services)."""

from .services import users_erase_deactivated


def erase_deactivated_accounts() -> int:
    """Daily (ACC-6): erase accounts deleted longer than the grace period ago."""
    return users_erase_deactivated()
