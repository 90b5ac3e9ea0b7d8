from django.urls import path

from . import views

urlpatterns = [
    path("auth/signup/", views.SignupApi.as_view(), name="api-signup"),
    path("me/", views.MeApi.as_view(), name="api-me"),
    path("me/delete/", views.AccountDeleteApi.as_view(), name="api-me-delete"),
    path("notifications/", views.NotificationListApi.as_view(), name="api-notifications"),
    path("notifications/read/", views.NotificationReadApi.as_view(), name="api-notifications-read"),
]
