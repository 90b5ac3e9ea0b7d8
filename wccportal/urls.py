from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from . import api, views

urlpatterns = [
    path("", views.home, name="home"),
    path("imprint/", views.imprint, name="imprint"),
    path("privacy/", views.privacy, name="privacy"),
    path("terms/", views.terms, name="terms"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/guest/", include("chargers.urls_guest")),  # ACC-3
    path("accounts/", include("accounts.urls_public")),  # ACC-1 sign-up, first password
    path("accounts/", include("allauth.urls")),
    path("captcha/", include("captcha.urls")),  # ACC-2 sign-in captcha images and refresh
    path("diagnostics/", include("chargers.urls_diagnostics_upload")),  # GetDiagnostics uploads (CP-10)
    path("invitations/", include("groups.urls_public")),  # GRP-3 Accept link of the e-mail
    path("portal/", include("wccportal.urls_portal")),
    path("app/", include("wccportal.urls_app")),
    # API: allauth headless for accounts (mobile app: /api/auth/app/v1/…), DRF for the rest.
    path("api/auth/", include("allauth.headless.urls")),
    path("api/v1/", api.ApiRoot.as_view(), name="api-root"),
    path("api/v1/health/", api.HealthApi.as_view(), name="api-health"),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/", include("chargers.api.urls")),
    path("api/v1/", include("chargers.api.urls_sharing")),
    path("api/v1/", include("chargers.api.urls_tags")),
    path("api/v1/", include("chargers.api.urls_firmware")),
    path("api/v1/", include("groups.api.urls_groups")),
    path("api/v1/", include("groups.api.urls_tariffs")),
    path("api/v1/", include("groups.api.urls_bookings")),
    path("api/v1/", include("groups.api.urls_waitlist")),
    path("api/v1/", include("sessions_app.api.urls_charging")),  # SES-1, SES-2, SES-6
    path("api/v1/", include("sessions_app.api.urls_live")),  # SES-3, DASH-1
    path("api/v1/", include("sessions_app.api.urls_sessions")),  # SES-4
    path("api/v1/", include("sessions_app.api.urls_exports")),  # SES-5
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler404 = "wccportal.views.page_not_found"
handler500 = "wccportal.views.server_error"

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
