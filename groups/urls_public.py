"""The Accept link of a group invitation e-mail (GRP-3), at /invitations/ (no namespace)."""

from django.urls import path

from . import views as v

urlpatterns = [
    path("<str:token>/", v.invitation_detail, name="invitation_detail"),
    path("<str:token>/accept/", v.invitation_respond, {"answer": "accept"}, name="invitation_token_accept"),
    path("<str:token>/decline/", v.invitation_respond, {"answer": "decline"}, name="invitation_token_decline"),
]
