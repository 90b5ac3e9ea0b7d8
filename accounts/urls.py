"""Account pages in the driver app (ACC-5, ACC-6, ACC-8), in the "app" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("password/", views.password_change, name="password_change"),
    path("delete/", views.delete_account, name="account_delete"),
]
