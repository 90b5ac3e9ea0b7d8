"""Public account pages that replace allauth's (mounted at /accounts/ before allauth.urls)."""

from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    # ACC-1: our sign-up (names, consent, e-mailed password) under allauth's name.
    path("signup/", views.signup, name="account_signup"),
    # ACC-5: the password change lives in the app shell.
    path("password/change/", RedirectView.as_view(pattern_name="app:password_change"),
         name="account_change_password"),
]
