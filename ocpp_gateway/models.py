"""The CS-CP frame log (CP-10): every OCPP frame in both directions, written in bulk."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OcppFrame(models.Model):
    class Direction(models.TextChoices):
        IN = "in", _("Charger → platform")
        OUT = "out", _("Platform → charger")

    # The charge point id as the charger presented it: frames of refused or unknown chargers
    # are logged too, so this is not a foreign key.
    charge_point_id = models.CharField(_("charge point ID"), max_length=64)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    message_type = models.PositiveSmallIntegerField(_("type"), null=True)  # 2 call, 3 result, 4 error
    action = models.CharField(_("action"), max_length=40, blank=True)
    message_id = models.CharField(_("message ID"), max_length=64, blank=True)
    payload = models.TextField(_("frame"))
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("OCPP frame")
        verbose_name_plural = _("OCPP frames")
        indexes = [
            models.Index(fields=["charge_point_id", "-id"]),
            models.Index(fields=["action", "-id"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self):
        return f"{self.charge_point_id} {self.direction} {self.action or self.message_type}"


class HeartbeatFrameManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(action="Heartbeat", direction=OcppFrame.Direction.IN)


class HeartbeatLog(OcppFrame):
    """The heartbeat log (CP-10): the Heartbeat requests of the frame log. Heartbeats cost
    no write of their own; the frame log already keeps each one with its time."""

    objects = HeartbeatFrameManager()

    class Meta:
        proxy = True
        ordering = ["-id"]
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeat log")
