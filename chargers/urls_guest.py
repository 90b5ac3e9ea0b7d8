"""Guest sign-in with a share's e-mail and access code (ACC-3), at /accounts/guest/."""

from django.urls import path

from . import views_sharing

urlpatterns = [
    path("", views_sharing.guest_login, name="guest_login"),
]
