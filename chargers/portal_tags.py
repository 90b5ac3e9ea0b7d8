"""Portal authorization tags (TAG-4): who may manage which tags, the filters, the table, the
form and the use cases (create, update, delete several). Every change re-checks the local
lists of the chargers concerned (TAG-5) through ``local_list_changed``."""

from __future__ import annotations

import django_filters
import django_tables2 as tables
from django import forms
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wccportal.errors import DomainError

from . import services
from . import tags as tag_services
from .local_list import charger_pks_for_tag, local_list_changed
from .models import ChargePoint, IdTag
from .selectors import _is_org_user, charger_list_for_user, tag_list_for_user

# --- Access -----------------------------------------------------------------------------------


def portal_tag_list_for_user(user) -> QuerySet[IdTag]:
    """Tags the user may manage in the portal: their own (``tag_list_for_user``: staff, any),
    and for an organisation user every tag of their organisation's users."""
    if not user.is_authenticated:
        return IdTag.objects.none()
    qs = tag_list_for_user(user)
    if _is_org_user(user) and not user.is_staff:
        qs = IdTag.objects.filter(
            Q(pk__in=qs.values("pk")) | Q(user__organisation_id=user.organisation_id)
        )
    return qs


def tags_in_group(qs: QuerySet[IdTag], group) -> QuerySet[IdTag]:
    """``qs`` narrowed to the tags that matter at one group's chargers, for the portal's
    group context (ACC-10): tags restricted to at least one of the group's chargers, and
    unrestricted tags of the group's owner and members (valid wherever their user may charge,
    so at the group's chargers too). A tag restricted only to chargers outside the group, or
    an unrestricted tag of someone outside it, is not shown. It only ever narrows ``qs``,
    which decided already which tags the user may manage. Expressed through reverse relations
    so this app need not import ``groups``."""
    from django.contrib.auth import get_user_model

    at_group_chargers = IdTag.objects.filter(valid_charge_points__group_link__group_id=group.pk).values("pk")
    restricted = IdTag.valid_charge_points.through.objects.values("idtag_id")
    people = get_user_model().objects.filter(
        Q(owned_groups__pk=group.pk) | Q(memberships__group_id=group.pk)).values("pk")
    return qs.filter(Q(pk__in=at_group_chargers) | (~Q(pk__in=restricted) & Q(user_id__in=people)))


def portal_tag_get_for_user(user, pk: int) -> IdTag:
    """One tag the user may manage, else 404 (never 403)."""
    return get_object_or_404(portal_tag_list_for_user(user), pk=pk)


def charger_choices_for_user(user) -> QuerySet[ChargePoint]:
    """Chargers a tag may be restricted to: those the user may see (a restriction only ever
    narrows where a tag is accepted)."""
    return charger_list_for_user(user).order_by("charge_point_id")


# --- Use cases --------------------------------------------------------------------------------


def _expiry_error(expires_at, *, previous=None) -> str | None:
    if expires_at is not None and expires_at <= timezone.now() and expires_at != previous:
        return _("The expiry date must be in the future.")
    return None


def _restriction(tag: IdTag | None, chosen, visible_pks: set[int] | None) -> set[int]:
    """The charger pks a tag is restricted to after an edit: the chosen ones, plus those the
    editing user cannot see (they were not offered, so they are not removed)."""
    pks = {cp.pk for cp in chosen}
    if tag is not None and tag.pk and visible_pks is not None:
        pks |= set(tag.valid_charge_points.exclude(pk__in=visible_pks).values_list("pk", flat=True))
    return pks


def tag_portal_create(
    *, acting_user, id_tag: str, alias: str = "", kind: str = IdTag.Kind.PHYSICAL,
    tag_type: str = IdTag.TagType.OTHER, note: str = "", expires_at=None, is_active: bool = True,
    valid_charge_points=(),
) -> IdTag:
    """A tag of ``acting_user`` typed in in the portal (card number or any virtual id)."""
    if error := _expiry_error(expires_at):
        raise DomainError(error, code="invalid_expiry", fields={"expires_at": [error]})
    with transaction.atomic():
        tag = services.tag_create(
            id_tag=id_tag, user=acting_user, alias=alias.strip(), kind=kind, tag_type=tag_type,
            note=note.strip(), expires_at=expires_at, acting_user=acting_user,
        )
        if not is_active:
            tag.is_active = False
            tag.save(update_fields=["is_active", "updated_at"])
        restricted = _restriction(None, valid_charge_points, None)
        tag.valid_charge_points.set(restricted)
        tag_services._favourite_if_first(tag)
        local_list_changed(charger_pks_for_tag(tag) | restricted)
    return tag


def tag_portal_update(
    *, tag: IdTag, acting_user, alias: str, tag_type: str, note: str, expires_at,
    is_active: bool, valid_charge_points, visible_pks: set[int] | None = None,
) -> IdTag:
    """Change what TAG-4 lets the portal change. The tag ID and kind stay (the chargers know
    the tag by its ID)."""
    alias, note = alias.strip(), note.strip()
    errors = services._tag_fields_errors(kind=tag.kind, tag_type=tag_type, alias=alias, note=note)
    if errors:
        raise DomainError(" ".join(errors), code="invalid_tag")
    if expires_at is not None and timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if error := _expiry_error(expires_at, previous=tag.expires_at):
        raise DomainError(error, code="invalid_expiry", fields={"expires_at": [error]})
    with transaction.atomic():
        before = set(tag.valid_charge_points.values_list("pk", flat=True))
        restricted = _restriction(tag, valid_charge_points, visible_pks)
        tag.alias, tag.tag_type, tag.note = alias, tag_type, note
        tag.expires_at, tag.is_active = expires_at, is_active
        tag.save(update_fields=["alias", "tag_type", "note", "expires_at", "is_active", "updated_at"])
        tag.valid_charge_points.set(restricted)
        local_list_changed(charger_pks_for_tag(tag) | before | restricted)
    return tag


@transaction.atomic
def tags_delete(*, tags) -> int:
    """Delete several tags at once (all or none); each leaves the chargers' local lists."""
    count = 0
    for tag in tags:
        tag_services.tag_delete(tag=tag)
        count += 1
    return count


# --- Filters ----------------------------------------------------------------------------------


class TagFilter(django_filters.FilterSet):
    STATES = (
        ("active", gettext_lazy("Active")),
        ("inactive", gettext_lazy("Inactive")),
        ("expired", gettext_lazy("Expired")),
    )

    q = django_filters.CharFilter(method="search", label=gettext_lazy("Search"))
    kind = django_filters.ChoiceFilter(
        choices=IdTag.Kind.choices, label=gettext_lazy("Kind"), empty_label=gettext_lazy("All kinds")
    )
    tag_type = django_filters.ChoiceFilter(
        choices=IdTag.TagType.choices, label=gettext_lazy("Type"), empty_label=gettext_lazy("All types")
    )
    state = django_filters.ChoiceFilter(
        choices=STATES, method="by_state", label=gettext_lazy("Status"),
        empty_label=gettext_lazy("All states"),
    )
    charge_point = django_filters.CharFilter(
        method="by_charge_point", label=gettext_lazy("Valid at charge point"),
    )

    class Meta:
        model = IdTag
        fields = ["q", "kind", "tag_type", "state", "charge_point"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(id_tag__icontains=value) | Q(alias__icontains=value) | Q(note__icontains=value)
            | Q(user__email__icontains=value)
        )

    def by_state(self, queryset, name, value):
        now = timezone.now()
        if value == "expired":
            return queryset.filter(expires_at__lte=now)
        not_expired = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        if value == "active":
            return queryset.filter(not_expired, is_active=True)
        if value == "inactive":
            return queryset.filter(is_active=False)
        return queryset

    def by_charge_point(self, queryset, name, value):
        """Tags restricted to this charger, or not restricted at all (valid wherever their
        user has rights)."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(valid_charge_points__charge_point_id__iexact=value)
            | Q(valid_charge_points__isnull=True)
        ).distinct()


# --- Table ------------------------------------------------------------------------------------


class TagTable(tables.Table):
    selection = tables.CheckBoxColumn(
        accessor="pk", orderable=False,
        attrs={
            "th__input": {"class": "form-check-input", "data-select-all": "tags",
                          "aria-label": gettext_lazy("Select all")},
            "td__input": {"class": "form-check-input", "form": "tag-bulk", "data-select": "tags"},
        },
    )
    id_tag = tables.Column(
        verbose_name=gettext_lazy("RFID tag"),
        linkify=lambda record: reverse("portal:tag_edit", args=[record.pk]),
        attrs={"td": {"class": "text-nowrap font-monospace"}},
    )
    alias = tables.Column(verbose_name=gettext_lazy("Alias"), default="–")
    kind = tables.Column(verbose_name=gettext_lazy("Kind"), attrs={"td": {"class": "text-nowrap"}})
    tag_type = tables.Column(verbose_name=gettext_lazy("Type"))
    user = tables.Column(verbose_name=gettext_lazy("User"), accessor="user__email", default="–")
    valid_charge_points = tables.Column(
        verbose_name=gettext_lazy("Valid charge points"), empty_values=(), orderable=False
    )
    note = tables.Column(verbose_name=gettext_lazy("Note"), default="–")
    expires_at = tables.DateTimeColumn(
        verbose_name=gettext_lazy("Expiry time"), format="SHORT_DATETIME_FORMAT", default="–",
        attrs={"td": {"class": "text-nowrap"}},
    )
    is_active = tables.Column(verbose_name=gettext_lazy("Status"))

    class Meta:
        model = IdTag
        fields = ()
        sequence = ("selection", "id_tag", "alias", "kind", "tag_type", "user",
                    "valid_charge_points", "note", "expires_at", "is_active")
        attrs = {"class": "table table-hover align-middle mb-0", "data-testid": "tag-table"}
        order_by = ("id_tag",)
        empty_text = gettext_lazy("No authorization tags found.")

    def render_kind(self, record):
        icon = "credit-card-2-front" if record.kind == IdTag.Kind.PHYSICAL else "phone"
        return format_html('<i class="bi bi-{}" aria-hidden="true"></i> {}', icon,
                           record.get_kind_display())

    def render_valid_charge_points(self, record):
        cps = list(record.valid_charge_points.all())
        if not cps:
            return format_html('<span class="text-body-secondary">{}</span>',
                               _("All with rights"))
        return format_html_join(
            " ", '<span class="badge text-bg-light border" title="{}">{}</span>',
            ((cp.display_name, cp.charge_point_id) for cp in cps),
        )

    def render_is_active(self, record):
        if record.is_expired():
            return format_html('<span class="badge text-bg-warning">{}</span>', _("Expired"))
        if not record.is_active:
            return format_html('<span class="badge text-bg-secondary">{}</span>', _("Inactive"))
        return format_html('<span class="badge text-bg-success">{}</span>', _("Active"))


# --- Form -------------------------------------------------------------------------------------


class TagForm(forms.Form):
    id_tag = forms.CharField(
        label=gettext_lazy("RFID tag"), max_length=100,
        help_text=gettext_lazy("The card's number (an NFC reader app shows it) or, for a virtual "
                               "tag, any ID of 1 to 20 characters. Unique on the platform."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=IdTag.Kind.choices,
                             initial=IdTag.Kind.PHYSICAL)
    alias = forms.CharField(label=gettext_lazy("Alias"), max_length=100, required=False)
    tag_type = forms.ChoiceField(
        label=gettext_lazy("RFID tag type"), choices=IdTag.TagType.choices,
        initial=IdTag.TagType.OTHER, widget=forms.RadioSelect,
        help_text=gettext_lazy("For your records only: it changes nothing else."),
    )
    note = forms.CharField(label=gettext_lazy("Additional note"), max_length=200, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    expires_at = forms.DateTimeField(
        label=gettext_lazy("Expiry date"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=gettext_lazy("After this moment the tag is refused. Empty: no expiry."),
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False, initial=True)
    valid_charge_points = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Valid charge points"), queryset=ChargePoint.objects.none(),
        required=False, widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=gettext_lazy("None ticked: the tag is valid wherever its user may charge."),
    )

    def __init__(self, *args, chargers, tag: IdTag | None = None, **kwargs):
        if tag is not None:
            kwargs.setdefault("initial", {
                "id_tag": tag.id_tag, "kind": tag.kind, "alias": tag.alias,
                "tag_type": tag.tag_type, "note": tag.note,
                "expires_at": timezone.localtime(tag.expires_at) if tag.expires_at else None,
                "is_active": tag.is_active,
                "valid_charge_points": list(tag.valid_charge_points.values_list("pk", flat=True)),
            })
        super().__init__(*args, **kwargs)
        self.tag = tag
        self.fields["valid_charge_points"].queryset = chargers
        self.fields["valid_charge_points"].label_from_instance = (
            lambda cp: f"{cp.charge_point_id} · {cp.display_name}"
        )
        if tag is not None:
            # The chargers know a tag by its ID: it cannot change (delete and add instead).
            for name in ("id_tag", "kind"):
                self.fields[name].disabled = True
                self.fields[name].required = False
            self.fields["id_tag"].help_text = ""

    def clean_id_tag(self):
        value = (self.cleaned_data.get("id_tag") or "").strip()
        if self.tag is None and (error := services._tag_id_error(value)):
            raise forms.ValidationError(error)
        return value

    def add_domain_error(self, exc: DomainError) -> None:
        if exc.fields:
            for name, errors in exc.fields.items():
                for error in errors:
                    self.add_error(name if name in self.fields else None, error)
        elif exc.code == "duplicate_tag" and self.tag is None:
            self.add_error("id_tag", exc.message)
        else:
            self.add_error(None, exc.message)
