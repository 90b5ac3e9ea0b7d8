"""Where chargers upload the file a GetDiagnostics asked for (public, token in the path).

The trailing slash is optional and a file name may follow: chargers differ in how they use
the ``location`` they were given (PUT/POST to it as is, or with their file name appended)."""

from django.urls import re_path

from . import views_diagnostics_upload as v

app_name = "diagnostics"
urlpatterns = [
    re_path(r"^(?P<token>[A-Za-z0-9_-]{20,100})/$", v.upload, name="upload"),
    re_path(r"^(?P<token>[A-Za-z0-9_-]{20,100})$", v.upload, name="upload_bare"),
    re_path(r"^(?P<token>[A-Za-z0-9_-]{20,100})/(?P<file_name>[^/]{1,255})$", v.upload, name="upload_named"),
]
