"""The driver app as mobile-first web pages (app shell)."""

from django.urls import include, path

from . import app_views as v

app_name = "app"
urlpatterns = [
    path("", include("sessions_app.urls_live")),  # DASH-1 dashboard, SES-3 live session and Stop
    path("charge/", include("sessions_app.urls_charge")),  # SES-1, SES-2, SES-6 starting
    path("sessions/", include("sessions_app.urls_sessions")),  # SES-4 history and detail
    path("exports/", include("sessions_app.urls_exports")),  # SES-5 exports
    path("notifications/", v.notifications, name="notifications"),
    # Feature modules; their URL names join the "app" namespace.
    path("account/", include("accounts.urls")),  # ACC-5 … ACC-8: profile, password, delete
    path("chargers/", include("chargers.urls")),  # CP-1 … CP-4
    path("chargers/", include("chargers.urls_sharing")),  # CP-3 share, users
    path("chargers/", include("chargers.urls_firmware")),  # CP-5
    path("chargers/", include("sessions_app.urls_stickers")),  # SES-1 QR stickers
    path("tags/", include("chargers.urls_tags")),  # TAG-1 … TAG-3
    path("groups/", include("groups.urls")),  # GRP-1 … GRP-6
    path("tariffs/", include("groups.urls_tariffs")),  # TAR-1, TAR-2
    path("bookings/", include("groups.urls_bookings")),  # RES-1 … RES-3
    path("waitlist/", include("groups.urls_waitlist")),  # RES-4
]
