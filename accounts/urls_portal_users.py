"""Portal users (ACC-9, ACC-12) in the "portal" namespace: portal:users is the list."""

from django.urls import path

from . import views_portal_users as views

urlpatterns = [
    path("", views.user_list, name="users"),
    path("add/", views.user_add, name="user_add"),
    path("logins/", views.login_history, name="users_logins"),
    path("delete/", views.user_delete, name="users_delete"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
]
