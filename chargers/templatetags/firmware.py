"""{% firmware_state charge_point as fw %}: the firmware card's data (CP-5), so the card
needs nothing from its page but ``charge_point`` and the signed-in user."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from chargers import firmware as fw

register = template.Library()


def step_labels() -> dict[str, str]:
    return {
        "Sent": pgettext("firmware step", "Sent to the charger"),
        "Downloading": pgettext("firmware step", "Downloading"),
        "Downloaded": pgettext("firmware step", "Downloaded"),
        "Installing": pgettext("firmware step", "Installing"),
        "Installed": pgettext("firmware step", "Installed"),
    }


def progress_messages() -> dict[str, str]:
    """What the progress line says, by firmware status or operation outcome (also used
    by static/js/firmware.js)."""
    return {
        "pending": _("Sending the update to the charger…"),
        "accepted": _("The charger accepted the update and will start the download shortly."),
        "Downloading": _("The charger is downloading the firmware…"),
        "Downloaded": _("Download complete. The installation starts next."),
        "Installing": _("Installing… the charger restarts when it is done."),
        "Installed": _("Installed. The charger restarts with the new version."),
        "DownloadFailed": _("The download failed. Check the charger's Internet connection and "
                            "try again."),
        "InstallationFailed": _("The installation failed. The charger keeps its current "
                                "firmware; try again."),
        "rejected": _("The charger refused the update."),
        "failed": _("The charger could not process the request."),
        "timed_out": _("The charger did not answer. Try again when it is connected."),
        "offline": _("The charger is offline: nothing was sent."),
    }


def progress_message(state: fw.FirmwareState) -> str:
    messages = progress_messages()
    operation_status = state.operation.status if state.operation else ""
    if operation_status in ("rejected", "failed", "timed_out", "offline"):
        return messages[operation_status]
    return messages.get(state.status) or messages.get(operation_status, "")


@register.simple_tag(takes_context=True)
def firmware_state(context, charge_point):
    """The FirmwareState of ``charge_point`` for the request's user, plus labels."""
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    state = fw.firmware_state_for(user=user, charge_point=charge_point)
    labels = step_labels()
    return {
        "state": state,
        "steps": [(step, labels[step], status) for step, status in state.steps],
        "message": progress_message(state),
        "js": {"steps": labels, "messages": progress_messages()},
    }
