from django.urls import path

from . import views

urlpatterns = [
    path("chargers/<str:charge_point_id>/operations/", views.OperationRequestApi.as_view(),
         name="api-operations"),
    path("operations/<int:operation_id>/", views.OperationDetailApi.as_view(),
         name="api-operation"),
]
