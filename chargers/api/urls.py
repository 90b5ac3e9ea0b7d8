from django.urls import path

from . import views

urlpatterns = [
    # My chargers (CP-1 … CP-4). "claim" before <charge_point_id>: it is not a charger.
    path("chargers/", views.ChargerListApi.as_view(), name="api-chargers"),
    path("chargers/claim/", views.ChargerClaimApi.as_view(), name="api-charger-claim"),
    path("chargers/<str:charge_point_id>/", views.ChargerDetailApi.as_view(), name="api-charger"),
    path("chargers/<str:charge_point_id>/favourite/", views.ChargerFavouriteApi.as_view(),
         name="api-charger-favourite"),
    path("chargers/<str:charge_point_id>/settings/", views.ChargerSettingsApi.as_view(),
         name="api-charger-settings"),
    path("chargers/<str:charge_point_id>/restart/", views.ChargerRestartApi.as_view(),
         name="api-charger-restart"),
    path("chargers/<str:charge_point_id>/qr/", views.ChargerQrApi.as_view(), name="api-charger-qr"),
    # Remote operations (OPS-1, OPS-2).
    path("chargers/<str:charge_point_id>/operations/", views.OperationRequestApi.as_view(),
         name="api-operations"),
    path("operations/<int:operation_id>/", views.OperationDetailApi.as_view(),
         name="api-operation"),
]
