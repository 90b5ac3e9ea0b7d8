"""Account pages: sign-up (ACC-1), password change (ACC-5, also ACC-1's forced change),
delete account (ACC-6) and profile (ACC-8). Thin: forms validate, services act."""

from urllib.parse import urlencode

from allauth.account.views import PasswordChangeView as AllauthPasswordChangeView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from wccportal.errors import DomainError

from .forms import DeleteAccountForm, PasswordChangeForm, ProfileForm, SignupForm
from .services import user_deactivate, user_profile_update, user_signup


def _form_errors(form, error: DomainError) -> None:
    if error.fields:
        for field, errors in error.fields.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, error.message)


def signup(request):
    """ACC-1: names, e-mail and consent; the initial password comes by e-mail."""
    if request.user.is_authenticated:
        return redirect("app:dashboard")
    # An invitation's "Create account" passes the invited address and the way back (GRP-3).
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        next_url = ""
    initial = {"email": request.GET.get("email", "")[:254]}
    form = SignupForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_signup(
                email=data["email"], first_name=data["first_name"], last_name=data["last_name"],
                accepted_terms=data["accept_terms"], language=get_language(),
            )
        except DomainError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _(
                "Your account is ready. We sent your initial password to %(email)s; sign in "
                "with it and choose your own.") % {"email": user.email})
            login_url = reverse("account_login")
            return redirect(f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url)
    return render(request, "account/signup.html", {"form": form, "next": next_url})


@method_decorator(login_required, name="dispatch")
class PasswordChangeView(AllauthPasswordChangeView):
    """ACC-5 in the app shell; also the page ACC-1's forced change leads to."""

    template_name = "app/account/password_change.html"
    form_class = PasswordChangeForm

    def get_form_class(self):
        return self.form_class

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "nav": "profile",
                "forced": self.request.user.must_change_password}

    def get_default_success_url(self):
        return reverse("app:profile")


password_change = PasswordChangeView.as_view()


@login_required
def profile(request):
    """ACC-8: names, mobile, employee number, language; the own tags, read-only."""
    from chargers.selectors import own_tag_list

    form = ProfileForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user_profile_update(user=request.user, **form.cleaned_data)
        messages.success(request, _("Your profile was saved."))
        response = redirect("app:profile")
        response.set_cookie("django_language", form.cleaned_data["language"], samesite="Lax")
        return response
    tags = own_tag_list(request.user)
    return render(request, "app/profile.html", {"nav": "profile", "form": form, "tags": tags})


@login_required
@sensitive_post_parameters("password")
def delete_account(request):
    """ACC-6: confirmed in a dialog with the current password; signs out at once."""
    form = DeleteAccountForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            user_deactivate(user=request.user, password=form.cleaned_data["password"])
        except DomainError as error:
            _form_errors(form, error)
        else:
            logout(request)
            messages.success(request, _(
                "Your account was deleted. Sign in again within %(days)s days to restore it; "
                "after that it is erased for good.") % {"days": settings.ACCOUNT_DELETION_GRACE_DAYS})
            return redirect("account_login")
    return render(request, "app/account/delete.html", {
        "nav": "profile", "form": form, "grace_days": settings.ACCOUNT_DELETION_GRACE_DAYS,
    })
