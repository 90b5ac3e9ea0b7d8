"""Shared by the provisioning commands (the leading underscore keeps it from being one)."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chargers import services


def user_by_email(email: str | None):
    if not email:
        return None
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(_("No user has the e-mail address %(email)s.") % {"email": email})
    return user


def run_import(service, path: str, *, dry_run: bool) -> services.ImportResult:
    """Import the file at ``path``; on bad lines exit with status 1, listing every one."""
    try:
        with open(path, "rb") as file:
            return service(file=file, dry_run=dry_run)
    except OSError as exc:
        message = _("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}
        raise CommandError(message) from None
    except services.ImportRejected as exc:
        lines = [exc.message, *(str(error) for error in exc.errors)]
        raise CommandError("\n".join(lines), returncode=1) from None


def write_result(command, result: services.ImportResult, id_column: str) -> None:
    count = len(result.ids)
    if result.dry_run:
        heading = ngettext("The file is valid: %(count)d line would be imported.",
                           "The file is valid: %(count)d lines would be imported.", count)
    else:
        heading = ngettext("%(count)d line imported.", "%(count)d lines imported.", count)
    rows = [(id_column, _("generated OCPP password") if result.passwords else "")]
    rows += [(id_, result.passwords.get(id_, "")) for id_ in result.ids]
    width = max(len(id_) for id_, _password in rows)
    for id_, password in rows:
        command.stdout.write(f"{id_:<{width}}  {password}".rstrip())
    command.stdout.write(command.style.SUCCESS(heading % {"count": count}))
    if result.passwords:
        command.stdout.write(command.style.WARNING(
            _("The generated passwords are shown only this once: store them now.")
        ))
