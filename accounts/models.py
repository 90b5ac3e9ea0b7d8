"""Users, organisations, consents, login history and in-app notifications (ACC, NOT-1)."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modified"), auto_now=True)

    class Meta:
        abstract = True


class Organisation(TimeStamped):
    """A business using the portal (operators, administrators; ACC-11)."""

    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email):
        return self.get(email__lower=email.lower())


class User(AbstractBaseUser, PermissionsMixin):
    """A person: driver, charger owner, group owner, organisation user or staff.

    The e-mail is the login (unique ignoring case). There is no username.
    """

    class Plan(models.TextChoices):
        FREE = "free", _("Free")
        PREMIUM = "premium", _("Premium")  # several groups, bookings (ACC-11, GRP-2, RES-1)

    class UserType(models.TextChoices):
        DRIVER = "driver", _("Driver")  # residential / commercial end user
        OPERATOR = "operator", _("Operator")  # organisation user (ACC-11)
        ADMINISTRATOR = "administrator", _("Administrator")  # organisation admin (ACC-11)

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=32, blank=True)
    employee_number = models.CharField(_("employee number"), max_length=64, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    plan = models.CharField(_("plan"), max_length=16, choices=Plan.choices, default=Plan.FREE)
    user_type = models.CharField(
        _("user type"), max_length=16, choices=UserType.choices, default=UserType.DRIVER
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    customer_number = models.CharField(_("customer number"), max_length=64, blank=True)
    # ACC-1: the e-mailed initial password must be replaced at first login.
    must_change_password = models.BooleanField(_("must change password"), default=False)
    # ACC-6: set when the user deletes the account; erased 14 days later unless they return.
    deactivated_at = models.DateTimeField(_("deactivated at"), null=True, blank=True)
    # Portal view settings remembered per user, e.g. {"sessions_columns": [...], "sessions_page_size": 20}.
    portal_preferences = models.JSONField(_("portal preferences"), default=dict, blank=True)
    # ACC-3: a guest signed in with a share's access code; sees only what was shared with this
    # e-mail. Signing up later with the same e-mail turns the guest into a full account.
    is_guest = models.BooleanField(_("guest"), default=False)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    updated_at = models.DateTimeField(_("modified"), auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self):
        return self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def is_premium(self):
        return self.plan == self.Plan.PREMIUM

    @property
    def is_organisation_user(self):
        return self.user_type in (self.UserType.OPERATOR, self.UserType.ADMINISTRATOR)


class Consent(models.Model):
    """Acceptance of a legal document at a version (ACC-1), or a privacy choice (ACC-10)."""

    class Document(models.TextChoices):
        TERMS = "terms", _("Terms of use")
        PRIVACY = "privacy", _("Privacy policy")
        TRACKING = "tracking", _("Optional trackers")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents")
    document = models.CharField(_("document"), max_length=16, choices=Document.choices)
    version = models.CharField(_("version"), max_length=32)
    accepted = models.BooleanField(_("accepted"), default=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["user", "document", "-created_at"])]

    def __str__(self):
        return f"{self.user} {self.document} {self.version}"


class LoginEvent(models.Model):
    """One sign-in attempt (ACC-9 login history)."""

    class Channel(models.TextChoices):
        WEB = "web", _("Web")
        APP = "app", _("App")
        GUEST = "guest", _("Guest access code")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="logins"
    )
    email = models.EmailField(_("e-mail"))
    succeeded = models.BooleanField(_("succeeded"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("login")
        verbose_name_plural = _("login history")
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self):
        return f"{self.email} {self.created_at:%Y-%m-%d %H:%M} {'ok' if self.succeeded else 'failed'}"


class Notification(models.Model):
    """An in-app notification behind the bell (NOT-1)."""

    class Kind(models.TextChoices):
        FIRMWARE_AVAILABLE = "firmware_available", _("Firmware available")
        GROUP_INVITATION = "group_invitation", _("Group invitation")
        CHARGER_SHARED = "charger_shared", _("Charger shared with you")
        SESSION_FINISHED = "session_finished", _("Charging session finished")
        CHARGER_FAULTED = "charger_faulted", _("Charger faulted")
        CHARGER_OFFLINE = "charger_offline", _("Charger offline")
        BOOKING = "booking", _("Booking")
        BOOKING_REMINDER = "booking_reminder", _("Booking reminder")
        WAITLIST_TURN = "waitlist_turn", _("Your turn on the waitlist")
        EXPORT_READY = "export_ready", _("Export ready")
        GENERAL = "general", _("Information")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.GENERAL)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at", "-created_at"])]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None

    @property
    def page_link(self) -> str:
        """The link if it is one of the platform's own pages (a path), else ""."""
        return self.link if self.link.startswith("/") and not self.link.startswith("//") else ""
