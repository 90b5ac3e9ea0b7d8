"""Use cases of the portal's charge point page (CP-7): the description and installation site,
the logbook switch, the time zone, the assignment, the pictures and the configuration.

Callers have checked the right to manage the charger (``charger_list_for_user(write=True)``);
each function validates its input again and raises ``DomainError`` (with ``fields``) before
anything is written.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import available_timezones

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from wccportal.errors import DomainError
from wccportal.lib import ocpp16

from . import services
from .models import ChargePoint, ChargerOperation, ChargerPicture

# --- Description and installation site ---------------------------------------------------------

DESCRIPTION_MAX = 1000
SITE_LIMITS = {"house_number": 16, "street": 200, "city": 100, "zip_code": 16}
_ZIP = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 -]*$")
_HOUSE_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./-]*$")


def country_choices() -> list[tuple[str, str]]:
    """ISO 3166-1 alpha-2 codes (what ChargePoint.country stores) with their names in the
    active language (django-countries ships EN/FR/DE and more), sorted by name."""
    return list(countries)


def country_name(code: str) -> str:
    return countries.name(code) or code


@dataclass(frozen=True)
class Site:
    """What the Edit form of the overview changes."""

    description: str = ""
    house_number: str = ""
    street: str = ""
    city: str = ""
    zip_code: str = ""
    country: str = ""

    def cleaned(self) -> Site:
        return Site(
            description=self.description.strip().replace("\r\n", "\n"),
            house_number=self.house_number.strip(), street=self.street.strip(), city=self.city.strip(),
            zip_code=self.zip_code.strip().upper(), country=self.country.strip().upper(),
        )


def site_errors(site: Site) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if len(site.description) > DESCRIPTION_MAX:
        errors["description"] = [_("At most %(n)d characters.") % {"n": DESCRIPTION_MAX}]
    for name, limit in SITE_LIMITS.items():
        if len(getattr(site, name)) > limit:
            errors[name] = [_("At most %(n)d characters.") % {"n": limit}]
    if "zip_code" not in errors and site.zip_code and not _ZIP.match(site.zip_code):
        errors["zip_code"] = [_("Use letters, digits, spaces and hyphens only.")]
    if "house_number" not in errors and site.house_number and not _HOUSE_NUMBER.match(site.house_number):
        errors["house_number"] = [_("Use letters, digits and . / - only.")]
    if site.country and site.country not in dict(countries):
        errors["country"] = [_("Choose a country from the list.")]
    for name in ("street", "city"):
        if name not in errors and any(ord(c) < 32 for c in getattr(site, name)):
            errors[name] = [_("Line breaks and control characters are not allowed.")]
    return errors


def charger_site_update(*, charge_point: ChargePoint, site: Site, acting_user) -> ChargePoint:
    """Set the description and the installation site's address (CP-7 Overview, Edit)."""
    site = site.cleaned()
    if errors := site_errors(site):
        raise DomainError(next(iter(errors.values()))[0], code="invalid", fields=errors)
    changed = [name for name, value in vars(site).items() if getattr(charge_point, name) != value]
    for name in changed:
        setattr(charge_point, name, getattr(site, name))
    if changed:
        # Only these columns: the gateway writes the same row (status, heartbeat) meanwhile.
        charge_point.save(update_fields=[*changed, "updated_at"])
    return charge_point


# --- Logbook and time zone -------------------------------------------------------------------


def charger_logbook_set(*, charge_point: ChargePoint, enabled: bool, acting_user) -> ChargePoint:
    """Switch the logbook (SES-6) on or off: while on, drivers give their mileage and vehicle
    ID before each start (sessions_app.starting enforces it)."""
    if not isinstance(enabled, bool):
        raise DomainError(_("Invalid value."), code="invalid")
    if charge_point.logbook_enabled != enabled:
        charge_point.logbook_enabled = enabled
        charge_point.save(update_fields=["logbook_enabled", "updated_at"])
    return charge_point


@cache
def time_zone_names() -> tuple[str, ...]:
    # Not the legacy aliases ("US/Eastern", "Etc/GMT+3", "EST"): the names people pick.
    names = {name for name in available_timezones() if "/" in name and not name.startswith(("Etc/", "SystemV/"))}
    names.add("UTC")
    return tuple(sorted(names))


def charger_time_zone_set(*, charge_point: ChargePoint, time_zone: str, acting_user) -> ChargePoint:
    """The site's time zone: time-of-use tariffs and local times are read in it."""
    time_zone = (time_zone or "").strip()
    if time_zone not in time_zone_names():
        raise DomainError(_("Choose a time zone from the list."), code="invalid",
                          fields={"time_zone": [_("Choose a time zone from the list.")]})
    if charge_point.time_zone != time_zone:
        charge_point.time_zone = time_zone
        charge_point.save(update_fields=["time_zone", "updated_at"])
    return charge_point


# --- Assignment ------------------------------------------------------------------------------


# --- Pictures --------------------------------------------------------------------------------

PICTURE_MAX_BYTES = 5 * 1024 * 1024
PICTURE_MIN_SIDE = 32
PICTURE_MAX_SIDE = 10_000
PICTURE_MAX_PIXELS = 40_000_000
# Pillow format → file suffix, content type, save options.
PICTURE_FORMATS = {
    "JPEG": ("jpg", "image/jpeg", {"quality": 90, "optimize": True}),
    "PNG": ("png", "image/png", {"optimize": True}),
    "WEBP": ("webp", "image/webp", {"quality": 90}),
}
PICTURE_CONTENT_TYPES = {suffix: content_type for suffix, content_type, _opts in PICTURE_FORMATS.values()}


def _picture_error(message: str) -> DomainError:
    return DomainError(message, code="invalid_picture", fields={"image": [message]})


def picture_prepare(file) -> tuple[ContentFile, str]:
    """The uploaded image checked and written anew (ContentFile, suffix).

    Pillow must read it whole as JPEG, PNG or WebP of sane dimensions. Writing it anew drops
    whatever else the file carried (metadata such as GPS positions, appended data) and turns
    it the way the camera says it was held, since the metadata saying so is dropped too.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError

    size = getattr(file, "size", None)
    if not size:
        raise _picture_error(_("The file is empty."))
    if size > PICTURE_MAX_BYTES:
        raise _picture_error(_("The picture is larger than %(mb)d MB.") % {"mb": PICTURE_MAX_BYTES // (1024 * 1024)})
    try:
        file.seek(0)
        with Image.open(file) as probe:
            kind = probe.format
            width, height = probe.size
            if kind not in PICTURE_FORMATS:
                raise _picture_error(_("Upload a JPEG, PNG or WebP picture."))
            if min(width, height) < PICTURE_MIN_SIDE:
                raise _picture_error(
                    _("The picture is too small: at least %(n)d pixels each way.") % {"n": PICTURE_MIN_SIDE})
            if max(width, height) > PICTURE_MAX_SIDE or width * height > PICTURE_MAX_PIXELS:
                raise _picture_error(_("The picture has too many pixels: at most %(n)d pixels each way and "
                                       "%(mp)d megapixels.") % {"n": PICTURE_MAX_SIDE,
                                                                "mp": PICTURE_MAX_PIXELS // 1_000_000})
            probe.verify()
        file.seek(0)
        with Image.open(file) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            if kind == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
                upright = upright.convert("RGB")
            out = io.BytesIO()
            suffix, _content_type, options = PICTURE_FORMATS[kind]
            upright.save(out, format=kind, **options)
    except DomainError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError,
            EOFError, TypeError):
        raise _picture_error(_("This file is not a picture that can be read (JPEG, PNG or WebP).")) from None
    return ContentFile(out.getvalue()), suffix


def charger_picture_upload(*, charge_point: ChargePoint, slot: int, file, acting_user) -> ChargerPicture:
    """Store a picture in slot 1 or 2, replacing the one there (its file is removed after commit)."""
    if slot not in ChargerPicture.Slot.values:
        raise DomainError(_("There are two places for pictures."), code="invalid",
                          fields={"slot": [_("Choose the first or the second picture.")]})
    content, suffix = picture_prepare(file)
    with transaction.atomic():
        picture = ChargerPicture.objects.select_for_update().filter(charge_point=charge_point, slot=slot).first()
        old_name = picture.image.name if picture else None
        if picture is None:
            picture = ChargerPicture(charge_point=charge_point, slot=slot)
        picture.uploaded_by = acting_user
        picture.created_at = timezone.now()
        picture.image.save(f"picture.{suffix}", content, save=False)
        new_name = picture.image.name
        try:  # the new file is on disk already: a failed write must not leave it behind
            picture.save()
        except Exception:
            picture.image.storage.delete(new_name)
            raise
        if old_name:
            _delete_file_on_commit(old_name)
    return picture


def charger_picture_delete(*, charge_point: ChargePoint, slot: int, acting_user) -> bool:
    """Remove the picture in ``slot``; False when there was none."""
    with transaction.atomic():
        picture = ChargerPicture.objects.select_for_update().filter(charge_point=charge_point, slot=slot).first()
        if picture is None:
            return False
        name = picture.image.name
        picture.delete()
        _delete_file_on_commit(name)
    return True


def picture_content_type(picture: ChargerPicture) -> str:
    suffix = picture.image.name.rsplit(".", 1)[-1].lower()
    return PICTURE_CONTENT_TYPES.get(suffix, "application/octet-stream")


def _delete_file_on_commit(name: str) -> None:
    from wccportal.lib.storage import private_storage

    if name:
        transaction.on_commit(lambda: private_storage().delete(name))


# --- Configuration ---------------------------------------------------------------------------

GET_CONFIGURATION = "GetConfiguration"
CHANGE_CONFIGURATION = "ChangeConfiguration"
KEY_MAX = 50  # OCPP 1.6 CiString50
VALUE_MAX = 500  # CiString500


@dataclass
class ConfigurationEntry:
    key: str
    value: str | None
    readonly: bool
    secret: bool  # kept by the platform (the charger's password): shown masked, not editable here
    change: ChargerOperation | None = None  # the last ChangeConfiguration of this key since the read

    @property
    def editable(self) -> bool:
        return not self.readonly and not self.secret

    @property
    def change_answer(self) -> str:
        response = self.change.response if self.change and isinstance(self.change.response, dict) else {}
        return str(response.get("status") or "")


@dataclass
class Configuration:
    """What the Configuration tab shows: the last full answer to GetConfiguration, the last
    attempt when it is newer (waiting, offline, timed out …) and each key's last change."""

    read: ChargerOperation | None = None
    attempt: ChargerOperation | None = None
    entries: list[ConfigurationEntry] = field(default_factory=list)
    unknown_keys: list[str] = field(default_factory=list)

    @property
    def pending_ids(self) -> list[int]:
        ids = [self.attempt.pk] if self.attempt and self.attempt.status == ChargerOperation.Status.PENDING else []
        return ids + [e.change.pk for e in self.entries
                      if e.change and e.change.status == ChargerOperation.Status.PENDING]

    def entry(self, key: str) -> ConfigurationEntry | None:
        return next((e for e in self.entries if e.key == key), None)


def _full_reads(charge_point: ChargePoint):
    # Reads of some keys only (Operations > Get Configuration) would make the table partial.
    recent = ChargerOperation.objects.filter(charge_point=charge_point, action=GET_CONFIGURATION).order_by(
        "-created_at", "-pk")[:50]
    return [op for op in recent if not (op.payload or {}).get("key")]


def charger_configuration(charge_point: ChargePoint) -> Configuration:
    reads = _full_reads(charge_point)
    read = next((op for op in reads if op.status == ChargerOperation.Status.ACCEPTED), None)
    attempt = reads[0] if reads and reads[0] is not read else None
    config = Configuration(read=read, attempt=attempt)
    if read is None:
        return config
    response = read.response if isinstance(read.response, dict) else {}
    for item in response.get("configurationKey") or []:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            continue
        value = item.get("value")
        config.entries.append(ConfigurationEntry(
            key=item["key"], value=None if value is None else str(value), readonly=bool(item.get("readonly")),
            secret=item["key"] in ocpp16.SECRET_KEYS,
        ))
    config.entries.sort(key=lambda e: e.key.lower())
    config.unknown_keys = [str(k) for k in response.get("unknownKey") or []]
    changes = ChargerOperation.objects.filter(
        charge_point=charge_point, action=CHANGE_CONFIGURATION, created_at__gte=read.created_at,
    ).order_by("created_at", "pk")
    by_key = {e.key: e for e in config.entries}
    for op in changes:
        entry = by_key.get((op.payload or {}).get("key"))
        if entry is not None:
            entry.change = op
    return config


def charger_configuration_read(*, charge_point: ChargePoint, acting_user) -> ChargerOperation:
    """Ask the charger for all its configuration keys; the answer arrives later (or the
    operation is recorded offline at once)."""
    return services.operation_request(
        charge_point=charge_point, action=GET_CONFIGURATION, payload={}, acting_user=acting_user)


def configuration_change_errors(config: Configuration, key: str, value: str) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not key:
        errors["key"] = [_("Choose a key.")]
    elif len(key) > KEY_MAX:
        errors["key"] = [_("A key has at most %(n)d characters.") % {"n": KEY_MAX}]
    elif config.read is None:
        errors["key"] = [_("Read the configuration first.")]
    else:
        entry = config.entry(key)
        if entry is None:
            errors["key"] = [_("The charge point did not report this key.")]
        elif entry.readonly:
            errors["key"] = [_("The charge point reports this key as read-only.")]
        elif entry.secret:
            errors["key"] = [_("This key holds the charge point's password, which the platform sets.")]
    if len(value) > VALUE_MAX:
        errors["value"] = [_("A value has at most %(n)d characters.") % {"n": VALUE_MAX}]
    return errors


def charger_configuration_change(*, charge_point: ChargePoint, key: str, value: str, acting_user) -> ChargerOperation:
    """ChangeConfiguration of one key the charger reported as writable. The answer
    (Accepted, Rejected, RebootRequired, NotSupported) arrives later; offline: at once."""
    key = (key or "").strip()
    value = value if isinstance(value, str) else ""
    if errors := configuration_change_errors(charger_configuration(charge_point), key, value):
        raise DomainError(next(iter(errors.values()))[0], code="invalid", fields=errors)
    return services.operation_request(
        charge_point=charge_point, action=CHANGE_CONFIGURATION, payload={"key": key, "value": value},
        acting_user=acting_user,
    )


# --- Demo data ---------------------------------------------------------------------------------

DEMO_SITES = {
    "DEMO-CP-001": Site(description="Garage, left wall. The cable reaches both parking spaces.",
                        street="Lindenstraße", house_number="14", zip_code="81545", city="München", country="DE"),
    "DEMO-CP-002": Site(description="Residence car park, level -1, bay 12. Book a slot in the app.",
                        street="Marienplatz", house_number="1", zip_code="80331", city="München", country="DE"),
}


def _demo_picture() -> ContentFile:
    """A drawn wallbox on a wall, so the Pictures tab has something to show."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (800, 600), (226, 231, 228))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 470, 800, 600), fill=(190, 196, 192))
    draw.rounded_rectangle((300, 120, 500, 400), radius=28, fill=(40, 48, 44))
    draw.rounded_rectangle((320, 140, 480, 380), radius=18, fill=(58, 68, 63))
    draw.rounded_rectangle((360, 200, 440, 212), radius=6, fill=(10, 190, 110))
    draw.ellipse((378, 290, 422, 334), outline=(150, 160, 155), width=5)
    draw.line((400, 400, 400, 440, 470, 470, 560, 470), fill=(30, 30, 30), width=12, joint="curve")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=88)
    return ContentFile(out.getvalue())


def demo_charger_details(chargers: dict[str, ChargePoint], owner=None) -> None:
    """Demo: an address and description for the demo chargers and a picture of the first one
    (idempotent: what is set already stays)."""
    for cp_id, site in DEMO_SITES.items():
        cp = chargers.get(cp_id)
        if cp is None:
            continue
        if not (cp.street or cp.city or cp.description):
            charger_site_update(charge_point=cp, site=site, acting_user=owner)
        if cp_id == "DEMO-CP-001" and not ChargerPicture.objects.filter(charge_point=cp).exists():
            picture = ChargerPicture(charge_point=cp, slot=1, uploaded_by=owner)
            picture.image.save("wallbox.jpg", _demo_picture(), save=True)
