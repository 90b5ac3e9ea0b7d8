"""The platform's URLs plus views that fail, for the error-page tests."""

from django.urls import path

from accounts.models import User
from wccportal.urls import handler404, handler500
from wccportal.urls import urlpatterns as platform_urls

__all__ = ["handler404", "handler500", "urlpatterns"]


def needs_the_database(request):
    User.objects.count()
    raise AssertionError("the database was expected to be down")


urlpatterns = [
    path("broken/", needs_the_database),
    path("api/v1/broken/", needs_the_database),
    *platform_urls,
]
