"""Portal users screen (ACC-9, ACC-12): who may manage which accounts, the filter, the tables,
the forms and the use cases (add with an e-mailed initial password, edit, delete = deactivate
with the erase scheduled after the grace period).

Staff manage every account; an organisation's administrator manages the accounts of their
organisation (never a staff account). Everyone else has no users screen: every page is a 404.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

import django_filters
import django_tables2 as tables
from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wccportal.errors import DomainError

from . import services
from .models import LoginEvent, Organisation, User

# --- Access -----------------------------------------------------------------------------------


def is_org_admin(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and user.is_active and user.organisation_id
        and user.user_type == User.UserType.ADMINISTRATOR
    )


def may_manage_users(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active
                and (user.is_staff or is_org_admin(user)))


def user_list_for_manager(user) -> QuerySet[User]:
    """The accounts ``user`` may see and manage on the users screen (none: no screen)."""
    if not may_manage_users(user):
        return User.objects.none()
    if user.is_staff:
        return User.objects.all()
    return User.objects.filter(organisation_id=user.organisation_id, is_staff=False)


def user_get_for_manager(user, pk: int) -> User:
    """One account the user may manage, else 404 (never 403)."""
    return get_object_or_404(user_list_for_manager(user), pk=pk)


def login_list_for_manager(user, target: User) -> QuerySet[LoginEvent]:
    """ACC-9: the sign-in attempts of one managed account, newest first."""
    user_get_for_manager(user, target.pk)
    return LoginEvent.objects.filter(user=target).order_by("-created_at")


def all_logins_for_manager(user) -> QuerySet[LoginEvent]:
    """ACC-9 across the screen: the sign-in attempts of every account the user manages (staff:
    also attempts for addresses that match no account)."""
    if not may_manage_users(user):
        return LoginEvent.objects.none()
    if user.is_staff:
        return LoginEvent.objects.all()
    return LoginEvent.objects.filter(user__in=user_list_for_manager(user))


# --- Use cases --------------------------------------------------------------------------------


def _local_lists_changed(user: User) -> None:
    """The user's tags start or stop working: the chargers that know them re-sync (TAG-5)."""
    from chargers.local_list import local_list_changed

    local_list_changed(services._tag_chargers(user))


def user_portal_create(
    *, acting_user: User, email: str, first_name: str, last_name: str,
    user_type: str = User.UserType.DRIVER, language: str = "", organisation: Organisation | None = None,
) -> User:
    """ACC-12 add user: the account gets the same e-mailed initial password as a sign-up
    (ACC-1), to be replaced at the first sign-in. An organisation administrator's new users
    join their organisation. A guest with this e-mail keeps its row (what was shared with it
    stays attached) and becomes a full account."""
    if not may_manage_users(acting_user):
        raise DomainError(_("You may not add users."), code="forbidden", status=404)
    email = User.objects.normalize_email((email or "").strip()).lower()
    first_name, last_name = (first_name or "").strip()[:150], (last_name or "").strip()[:150]
    errors = {}
    for name, value in (("email", email), ("first_name", first_name), ("last_name", last_name)):
        if not value:
            errors[name] = [_("This field is required.")]
    if user_type not in User.UserType.values:
        errors["user_type"] = [_("Choose one of the offered user types.")]
    if errors:
        raise DomainError(_("Fill in every required field."), code="invalid", fields=errors)
    if not acting_user.is_staff:
        organisation = acting_user.organisation
    if language not in dict(settings.LANGUAGES):
        language = acting_user.language if acting_user.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    password = services.initial_password_generate()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(email__lower=email).first()
        if user is not None and not user.is_guest:
            raise DomainError(
                _("An account with this e-mail address already exists."), code="email_taken", status=409,
                fields={"email": [_("This e-mail address is already registered.")]},
            )
        if user is None:
            user = User(email=email)
        user.first_name, user.last_name = first_name, last_name
        user.user_type, user.organisation, user.language = user_type, organisation, language
        user.is_guest, user.is_active, user.deactivated_at = False, True, None
        user.must_change_password = True
        user.set_password(password)
        user.save()
        transaction.on_commit(partial(services._send_initial_password, user.pk, password))
    return user


def user_portal_update(
    *, acting_user: User, user: User, first_name: str, last_name: str, mobile: str = "",
    employee_number: str = "", customer_number: str = "", language: str = "",
    user_type: str | None = None, is_active: bool | None = None,
    organisation: Organisation | None | bool = False,
) -> User:
    """ACC-12 edit. Names, mobile, employee number and language go through the profile use
    case (ACC-8); the manager may also set the customer number, the user type and whether the
    account is active. Nobody changes their own type or locks themselves out here. Switching an
    account off or on makes the chargers re-sync the user's tags. ``organisation`` (staff only)
    is left as it is when False."""
    user_get_for_manager(acting_user, user.pk)
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    errors = {}
    if not first_name:
        errors["first_name"] = [_("This field is required.")]
    if not last_name:
        errors["last_name"] = [_("This field is required.")]
    if user_type is not None and user_type not in User.UserType.values:
        errors["user_type"] = [_("Choose one of the offered user types.")]
    if user == acting_user and user_type is not None and user_type != user.user_type:
        errors["user_type"] = [_("You cannot change your own user type.")]
    if user == acting_user and is_active is False:
        errors["is_active"] = [_("You cannot deactivate your own account here.")]
    if errors:
        raise DomainError(_("Correct the marked fields."), code="invalid", fields=errors)
    with transaction.atomic():
        services.user_profile_update(
            user=user, first_name=first_name, last_name=last_name, mobile=mobile or "",
            employee_number=employee_number or "", language=language or user.language,
        )
        changed = ["customer_number"]
        user.customer_number = (customer_number or "").strip()
        if user_type is not None:
            user.user_type = user_type
            changed.append("user_type")
        if organisation is not False and acting_user.is_staff:
            user.organisation = organisation
            changed.append("organisation")
        switched = is_active is not None and is_active != user.is_active
        if switched:
            user.is_active = is_active
            user.deactivated_at = None  # off by hand: not scheduled for erasure; on: kept
            changed += ["is_active", "deactivated_at"]
        user.save(update_fields=[*changed, "updated_at"])
        if switched:
            _local_lists_changed(user)
    return user


def users_portal_delete(*, acting_user: User, users) -> int:
    """ACC-12 delete (several at once, all or none): the account deletion of ACC-6, done by a
    manager: deactivated at once (sign-in, app tokens and tags stop working), erased after the
    grace period by the scheduled task unless reactivated. Never a raw delete."""
    users = list(users)
    if any(u.pk == acting_user.pk for u in users):
        raise DomainError(_("You cannot delete your own account here: use Settings."), code="self_delete")
    allowed = set(user_list_for_manager(acting_user).filter(pk__in=[u.pk for u in users])
                  .values_list("pk", flat=True))
    if len(allowed) != len(users):
        raise DomainError(_("No such user."), code="not_found", status=404)
    with transaction.atomic():
        for user in users:
            services.user_deactivate_confirmed(user=user)
    return len(users)


# --- Status and role --------------------------------------------------------------------------

STATUSES = (
    ("active", gettext_lazy("Active")),
    ("deactivated", gettext_lazy("Deactivated")),
    ("password", gettext_lazy("Must change password")),
    ("guest", gettext_lazy("Guest")),
)


def status_of(user: User) -> tuple[str, str]:
    """(key, label) of the account's state, the most telling first."""
    if not user.is_active:
        return "deactivated", _("Deactivated")
    if user.is_guest:
        return "guest", _("Guest")
    if user.must_change_password:
        return "password", _("Must change password")
    return "active", _("Active")


STATUS_BADGES = {"active": "text-bg-success", "deactivated": "text-bg-secondary",
                 "password": "text-bg-warning", "guest": "text-bg-info"}


def erase_date(user: User):
    if user.is_active or user.deactivated_at is None:
        return None
    return user.deactivated_at + timedelta(days=settings.ACCOUNT_DELETION_GRACE_DAYS)


# --- Filters ----------------------------------------------------------------------------------


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=gettext_lazy("E-mail or name"))
    status = django_filters.ChoiceFilter(
        choices=STATUSES, method="by_status", label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All states"),
    )
    user_type = django_filters.ChoiceFilter(
        choices=User.UserType.choices, label=gettext_lazy("User type"),
        empty_label=gettext_lazy("All types"),
    )

    class Meta:
        model = User
        fields = ["q", "status", "user_type"]

    def search(self, queryset, name, value):
        words = value.split()
        for word in words[:5]:
            queryset = queryset.filter(
                Q(email__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word)
            )
        return queryset

    def by_status(self, queryset, name, value):
        if value == "deactivated":
            return queryset.filter(is_active=False)
        if value == "guest":
            return queryset.filter(is_active=True, is_guest=True)
        if value == "password":
            return queryset.filter(is_active=True, is_guest=False, must_change_password=True)
        if value == "active":
            return queryset.filter(is_active=True, is_guest=False, must_change_password=False)
        return queryset


def with_tags(queryset: QuerySet[User]) -> QuerySet[User]:
    from chargers.models import IdTag

    return queryset.select_related("organisation").prefetch_related(
        Prefetch("id_tags", queryset=IdTag.objects.order_by("id_tag"), to_attr="tag_list")
    )


# --- Tables -----------------------------------------------------------------------------------


class UserTable(tables.Table):
    selection = tables.CheckBoxColumn(
        accessor="pk", orderable=False,
        attrs={
            "th__input": {"class": "form-check-input", "data-select-all": "users",
                          "aria-label": gettext_lazy("Select all")},
            "td__input": {"class": "form-check-input", "form": "user-bulk", "data-select": "users"},
        },
    )
    id = tables.Column(verbose_name=gettext_lazy("ID"), attrs={"td": {"class": "text-body-secondary"}})
    email = tables.Column(
        verbose_name=gettext_lazy("E-mail"),
        linkify=lambda record: reverse("portal:user_detail", args=[record.pk]),
    )
    tags = tables.Column(verbose_name=gettext_lazy("RFID tag"), empty_values=(), orderable=False)
    first_name = tables.Column(verbose_name=gettext_lazy("First name"), default="–")
    last_name = tables.Column(verbose_name=gettext_lazy("Last name"), default="–")
    role = tables.Column(verbose_name=gettext_lazy("Role"), empty_values=(), order_by=("is_staff", "user_type"))
    status = tables.Column(verbose_name=gettext_lazy("Status"), empty_values=(),
                           order_by=("is_active", "is_guest", "must_change_password"))
    actions = tables.Column(verbose_name=gettext_lazy("Action"), empty_values=(), orderable=False,
                            attrs={"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}})

    class Meta:
        model = User
        fields = ()
        sequence = ("selection", "id", "email", "tags", "first_name", "last_name", "role", "status", "actions")
        attrs = {"class": "table table-hover align-middle mb-0", "data-testid": "user-table",
                 "th": {"class": "text-nowrap"}}
        order_by = ("email",)
        empty_text = gettext_lazy("No users found.")

    def __init__(self, *args, acting_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user

    def render_tags(self, record):
        tags = getattr(record, "tag_list", None)
        if tags is None:
            tags = list(record.id_tags.order_by("id_tag"))
        if not tags:
            return "–"
        shown = format_html_join(
            " ", '<span class="badge text-bg-light border font-monospace" title="{}">{}</span>',
            ((t.alias or t.get_kind_display(), t.id_tag) for t in tags[:3]),
        )
        if len(tags) > 3:
            shown = format_html('{} <span class="small text-body-secondary">+{}</span>', shown, len(tags) - 3)
        return shown

    def render_role(self, record):
        return role_label(record)

    def render_status(self, record):
        key, label = status_of(record)
        return format_html('<span class="badge {}">{}</span>', STATUS_BADGES[key], label)

    def render_actions(self, record):
        return format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}" title="{}" aria-label="{}">'
            '<i class="bi bi-pencil" aria-hidden="true"></i></a>',
            reverse("portal:user_detail", args=[record.pk]), _("Edit"),
            _("Edit %(email)s") % {"email": record.email},
        )


def role_label(user: User) -> str:
    parts = [_("Staff")] if user.is_staff else []
    parts.append(user.get_user_type_display())
    if user.organisation_id:
        parts.append(user.organisation.name)
    if user.is_premium and not user.is_organisation_user:
        parts.append(user.get_plan_display())
    return " · ".join(str(p) for p in parts)


class LoginTable(tables.Table):
    created_at = tables.DateTimeColumn(verbose_name=gettext_lazy("Time"), format="SHORT_DATETIME_FORMAT",
                                       attrs={"td": {"class": "text-nowrap ps-3"}, "th": {"class": "ps-3"}})
    succeeded = tables.Column(verbose_name=gettext_lazy("Result"))
    channel = tables.Column(verbose_name=gettext_lazy("Channel"))
    ip_address = tables.Column(verbose_name=gettext_lazy("IP address"), default="–",
                               attrs={"td": {"class": "font-monospace small"}})
    email = tables.Column(verbose_name=gettext_lazy("E-mail"))
    user_agent = tables.Column(verbose_name=gettext_lazy("Browser / app"), default="–",
                               attrs={"td": {"class": "small text-body-secondary text-break pe-3"}})

    class Meta:
        model = LoginEvent
        fields = ()
        sequence = ("created_at", "email", "succeeded", "channel", "ip_address", "user_agent")
        attrs = {"class": "table table-sm align-middle mb-0", "data-testid": "login-table"}
        order_by = ("-created_at",)
        empty_text = gettext_lazy("No sign-ins recorded yet.")

    def render_email(self, record):
        if record.user_id:
            return format_html('<a href="{}">{}</a>', reverse("portal:user_detail", args=[record.user_id]),
                               record.email)
        return record.email

    def render_succeeded(self, record):
        if record.succeeded:
            return format_html('<span class="badge text-bg-success">{}</span>', _("Signed in"))
        return format_html('<span class="badge text-bg-danger">{}</span>', _("Failed"))


# --- Forms ------------------------------------------------------------------------------------


class DomainErrorFormMixin:
    def add_domain_error(self, exc: DomainError) -> None:
        if exc.fields:
            for name, errors in exc.fields.items():
                for error in errors:
                    self.add_error(name if name in self.fields else None, error)
        else:
            self.add_error(None, exc.message)


class UserAddForm(DomainErrorFormMixin, forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254,
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    user_type = forms.ChoiceField(label=gettext_lazy("User type"), choices=User.UserType.choices)
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=settings.LANGUAGES,
        help_text=gettext_lazy("The language of the e-mail with the initial password."),
    )
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.order_by("name"), required=False,
        empty_label=gettext_lazy("None"),
    )

    def __init__(self, *args, acting_user, **kwargs):
        kwargs.setdefault("initial", {
            "language": acting_user.language,
            "user_type": User.UserType.DRIVER if acting_user.is_staff else User.UserType.OPERATOR,
        })
        super().__init__(*args, **kwargs)
        if not acting_user.is_staff:
            del self.fields["organisation"]


class UserEditForm(DomainErrorFormMixin, forms.Form):
    first_name = forms.CharField(label=gettext_lazy("First name"), max_length=150)
    last_name = forms.CharField(label=gettext_lazy("Last name"), max_length=150)
    mobile = forms.RegexField(
        label=gettext_lazy("Mobile number"), max_length=32, required=False, regex=r"^\+?[0-9 ()/.-]{3,31}$",
        error_messages={"invalid": gettext_lazy("Enter a phone number: digits, spaces and + ( ) / . - only.")},
    )
    employee_number = forms.CharField(label=gettext_lazy("Employee number"), max_length=64, required=False)
    customer_number = forms.CharField(label=gettext_lazy("Customer number"), max_length=64, required=False)
    user_type = forms.ChoiceField(label=gettext_lazy("User type"), choices=User.UserType.choices)
    organisation = forms.ModelChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.order_by("name"), required=False,
        empty_label=gettext_lazy("None"),
    )
    language = forms.ChoiceField(label=gettext_lazy("Language"), choices=settings.LANGUAGES)
    is_active = forms.BooleanField(
        label=gettext_lazy("Active"), required=False,
        help_text=gettext_lazy("Off: the account can no longer sign in and its tags stop working."),
    )

    def __init__(self, *args, acting_user, user: User, **kwargs):
        kwargs.setdefault("initial", {
            "first_name": user.first_name, "last_name": user.last_name, "mobile": user.mobile,
            "employee_number": user.employee_number, "customer_number": user.customer_number,
            "user_type": user.user_type, "organisation": user.organisation_id,
            "language": user.language, "is_active": user.is_active,
        })
        super().__init__(*args, **kwargs)
        if not acting_user.is_staff:
            del self.fields["organisation"]
        if user.pk == acting_user.pk:
            # Nobody locks themselves out or demotes themselves by accident.
            for name in ("user_type", "is_active", "organisation"):
                if name in self.fields:
                    self.fields[name].disabled = True
            self.fields["is_active"].help_text = ""

    def use_case_fields(self) -> dict:
        data = dict(self.cleaned_data)
        if "organisation" not in self.fields:
            data["organisation"] = False
        return data
