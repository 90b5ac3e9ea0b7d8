"""API conventions: the single error format, pagination and a few base endpoints.

Every error the API returns has the shape
``{"error": {"code": str, "message": str, "fields": {field: [messages]}}}``.
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular import openapi
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import DomainError


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": str(message), "fields": fields or {}}}


def _flatten(detail) -> dict:
    """DRF validation detail → {field: [messages]} (nested fields joined with dots)."""
    out: dict[str, list[str]] = {}

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                out.setdefault(prefix or "non_field_errors", []).extend(str(v) for v in value)
            else:
                for i, sub in enumerate(value):
                    walk(f"{prefix}.{i}", sub)
        else:
            out.setdefault(prefix or "non_field_errors", []).append(str(value))

    walk("", detail)
    return out


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        body = error_body("invalid", _("The request contains invalid data."), _flatten(exc.detail))
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        if isinstance(code, dict | list):
            code = "error"
        body = error_body(code, detail if isinstance(detail, str) else str(detail))
    response.data = body
    return response


class AutoSchema(openapi.AutoSchema):
    """Names a serializer nested in its view after the view (``MeApi.OutputSerializer`` →
    ``MeOutput``): with the Input/OutputSerializer-inside-the-view convention every
    component would otherwise be called "Output" or "Input", and collide."""

    def get_serializer_name(self, serializer, direction):
        outer, _, inner = type(serializer).__qualname__.rpartition(".")
        if not outer or "<locals>" in outer:
            return super().get_serializer_name(serializer, direction)
        view = outer.rpartition(".")[2].removesuffix("Api")
        return view + inner.removesuffix("Serializer")


def json_error_response(request, status: int, code: str, message: str):
    return JsonResponse(error_body(code, message), status=status)


class HealthApi(APIView):
    """Liveness for load balancers: the database answers."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes: list = []

    @extend_schema(
        responses=inline_serializer("Health", {"status": serializers.CharField()}),
        tags=["platform"],
    )
    def get(self, request):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return Response({"status": "ok"})


class ApiRoot(APIView):
    """Entry point of the API: links to the schema and documentation."""

    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle]

    @extend_schema(
        responses=inline_serializer(
            "ApiRoot",
            {"version": serializers.CharField(), "schema": serializers.CharField(),
             "docs": serializers.CharField(), "auth": serializers.CharField()},
        ),
        tags=["platform"],
    )
    def get(self, request):
        return Response(
            {
                "version": "1",
                "schema": request.build_absolute_uri("/api/schema/"),
                "docs": request.build_absolute_uri("/api/docs/"),
                "auth": request.build_absolute_uri("/api/auth/app/v1/"),
            }
        )
