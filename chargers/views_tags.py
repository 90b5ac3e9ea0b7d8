"""Driver-app pages of authorization tags (TAG-1 … TAG-3): list, favourite, alias, delete,
add a virtual tag, add an RFID card at one of my chargers."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from wccportal.errors import DomainError

from . import tags as tag_services
from .selectors import charger_list_for_user, enrolment_get_for_user, tag_get_for_user, tag_list_for_user


def _form_error(form, exc: DomainError, field: str) -> None:
    for name, errors in (exc.fields or {field: [exc.message]}).items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


class VirtualTagForm(forms.Form):
    id_tag = forms.CharField(
        label=gettext_lazy("Tag ID"), max_length=100,
        help_text=gettext_lazy("1 to 20 characters: letters without accents, digits, signs. "
                               "Unique on the platform (upper and lower case count as the same)."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    alias = forms.CharField(
        label=gettext_lazy("Alias"), max_length=100, required=False,
        help_text=gettext_lazy("A name to recognise it, e.g. “Phone” or “Company car”."),
    )


class AliasForm(forms.Form):
    alias = forms.CharField(label=gettext_lazy("Alias"), max_length=100, required=False)


class CardForm(forms.Form):
    charge_point = forms.ChoiceField(label=gettext_lazy("Charger"))
    alias = forms.CharField(
        label=gettext_lazy("Alias"), max_length=100, required=False,
        help_text=gettext_lazy("Optional, e.g. “Blue card”."),
    )

    def __init__(self, *args, chargers, **kwargs):
        super().__init__(*args, **kwargs)
        self.chargers = {cp.charge_point_id: cp for cp in chargers}
        self.fields["charge_point"].choices = [
            (cp.charge_point_id, f"{cp.display_name} ({cp.charge_point_id})"
             + ("" if cp.is_online else " · " + _("offline")))
            for cp in chargers
        ]


@login_required
def tag_list(request):
    tags = (
        tag_list_for_user(request.user).filter(user=request.user)
        .order_by("-is_favourite", "alias", "id_tag")
    )
    return render(request, "app/tags/list.html", {"nav": "profile", "tags": tags})


@login_required
def tag_add(request):
    form = VirtualTagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            tag = tag_services.tag_add_virtual(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc, "id_tag")
        else:
            messages.success(request, _("The tag %(tag)s was added.") % {"tag": tag.id_tag})
            return redirect("app:tags")
    return render(request, "app/tags/add.html", {"nav": "profile", "form": form})


@login_required
@require_POST
def tag_alias(request, pk):
    tag = tag_get_for_user(request.user, pk)
    form = AliasForm(request.POST)
    if form.is_valid():
        try:
            tag_services.tag_update(tag=tag, alias=form.cleaned_data["alias"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The alias was saved."))
    else:
        messages.error(request, _("An alias has at most %(max)d characters.") % {"max": 100})
    return redirect("app:tags")


@login_required
@require_POST
def tag_favourite(request, pk):
    tag = tag_services.tag_set_favourite(tag=tag_get_for_user(request.user, pk))
    messages.success(request, _("%(tag)s is now your favourite tag.") % {"tag": tag})
    return redirect("app:tags")


@login_required
@require_POST
def tag_delete(request, pk):
    tag = tag_get_for_user(request.user, pk)
    name = str(tag)
    tag_services.tag_delete(tag=tag)
    messages.success(request, _("The tag %(tag)s was deleted.") % {"tag": name})
    return redirect("app:tags")


@login_required
def card_add(request):
    chargers = list(charger_list_for_user(request.user, write=True).order_by("name", "charge_point_id"))
    form = CardForm(request.POST or None, chargers=chargers)
    if request.method == "POST" and form.is_valid():
        charge_point = form.chargers[form.cleaned_data["charge_point"]]
        try:
            enrolment = tag_services.enrolment_start(
                user=request.user, charge_point=charge_point, alias=form.cleaned_data["alias"]
            )
        except DomainError as exc:
            _form_error(form, exc, "charge_point")
        else:
            return redirect("app:tag-enrolment", pk=enrolment.pk)
    return render(request, "app/tags/card.html", {"nav": "profile", "form": form, "chargers": chargers})


@login_required
def card_enrolment(request, pk):
    enrolment = enrolment_get_for_user(request.user, pk)
    return render(request, "app/tags/enrolment.html", {
        "nav": "profile", "enrolment": enrolment, "state": tag_services.enrolment_state(enrolment),
        "seconds": tag_services.ENROLMENT_SECONDS,
    })


@login_required
@require_POST
def card_enrolment_cancel(request, pk):
    tag_services.enrolment_cancel(enrolment=enrolment_get_for_user(request.user, pk))
    messages.info(request, _("Adding the card was cancelled."))
    return redirect("app:tags")
