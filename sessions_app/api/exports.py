"""Session exports API (SES-5): ask for an export (all sessions, the filtered history view
or one session, as PDF, XLSX or CSV), follow its progress, download the file.

The file is produced by a job; the user also gets it by e-mail as a signed link."""

import json

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import renderers, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from sessions_app import exports as services
from sessions_app.export_writers import CONTENT_TYPES
from sessions_app.history import SCOPES as WHO_CHOICES
from sessions_app.models import SessionExport
from wccportal.pagination import Pagination

TAGS = ["exports"]


class ExportOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    format = serializers.ChoiceField(choices=SessionExport.Format.choices)
    scope = serializers.ChoiceField(choices=SessionExport.Scope.choices)
    filters = serializers.DictField(
        help_text="What was exported: month (YYYY-MM), charger (charge point ID), tag (id), who "
                  "(mine | chargers), or session (id) for one session.")
    description = serializers.SerializerMethodField(help_text="What the export holds, in words.")
    status = serializers.ChoiceField(choices=SessionExport.Status.choices)
    rows_total = serializers.IntegerField(allow_null=True, help_text="Sessions to write.")
    rows_done = serializers.IntegerField(help_text="Sessions written so far.")
    progress = serializers.SerializerMethodField(help_text="Per cent done (100 when ready).")
    file_name = serializers.SerializerMethodField(help_text="The name the file downloads as.")
    size_bytes = serializers.IntegerField(allow_null=True)
    error = serializers.CharField(help_text="Why it failed (status failed).")
    language = serializers.CharField()
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True, help_text="Download possible until then.")
    download_url = serializers.SerializerMethodField(
        help_text="This API's download of the file (status done), with the app's credentials.")
    link = serializers.SerializerMethodField(
        help_text="The signed web link of the e-mail (status done): opens after signing in, as this user only.")

    def get_description(self, export) -> str:
        return services.export_description(export)

    def get_progress(self, export) -> int:
        return services.export_progress(export)

    def get_file_name(self, export) -> str:
        return services.export_download_name(export)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, export):
        if export.status != SessionExport.Status.DONE:
            return None
        return self.context["request"].build_absolute_uri(reverse("api-export-download", args=[export.pk]))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_link(self, export):
        if export.status != SessionExport.Status.DONE:
            return None
        return services.export_link(export, absolute=True)


class ExportPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ExportOutputSerializer(many=True)


class ExportsApi(APIView):
    """My exports (newest first, until they expire), and asking for a new one."""

    class InputSerializer(serializers.Serializer):
        format = serializers.ChoiceField(choices=SessionExport.Format.choices)
        scope = serializers.ChoiceField(
            choices=SessionExport.Scope.choices, default=SessionExport.Scope.ALL,
            help_text="all: every finished session I can see; filtered: those matching month / charger / tag / "
                      "who (the history's filters); session: the one given by session.")
        month = serializers.RegexField(r"^\d{4}-\d{2}$", required=False, allow_blank=True,
                                       help_text="YYYY-MM (scope filtered).")
        charger = serializers.CharField(required=False, allow_blank=True, max_length=64,
                                        help_text="A charge point ID (scope filtered).")
        tag = serializers.IntegerField(required=False, allow_null=True, help_text="A tag's id (scope filtered).")
        who = serializers.ChoiceField(choices=list(WHO_CHOICES), required=False, allow_blank=True,
                                      help_text="all (default), mine, or chargers: on my chargers (scope filtered).")
        session = serializers.IntegerField(required=False, allow_null=True, help_text="A session's id (scope session).")

    @extend_schema(
        parameters=[OpenApiParameter("page", int, required=False),
                    OpenApiParameter("page_size", int, required=False, description="Default 20, at most 200.")],
        responses=ExportPageSerializer, tags=TAGS, operation_id="exports_list",
    )
    def get(self, request):
        paginator = Pagination()
        page = paginator.paginate_queryset(services.export_list_for_user(request.user), request, view=self)
        return paginator.get_paginated_response(
            ExportOutputSerializer(page, many=True, context={"request": request}).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            202: ExportOutputSerializer,
            400: OpenApiResponse(description="invalid, invalid_format, invalid_scope, invalid_filter (fields), "
                                             "no_sessions, too_many_for_pdf (choose XLSX or CSV)"),
            404: OpenApiResponse(description="not_found: no such session of mine"),
            409: OpenApiResponse(description="session_active: the session is still charging"),
            429: OpenApiResponse(description="too_many_exports: wait until one in progress is ready"),
        },
        tags=TAGS,
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        filters = {key: data[key] for key in ("month", "charger", "tag", "who", "session")
                   if data.get(key) not in (None, "")}
        export = services.export_request(user=request.user, format=data["format"], scope=data["scope"],
                                         filters=filters, language=request.LANGUAGE_CODE)
        return Response(ExportOutputSerializer(export, context={"request": request}).data,
                        status=status.HTTP_202_ACCEPTED)


class ExportApi(APIView):
    """One of my exports: status and progress; the download URL once it is ready."""

    @extend_schema(responses={200: ExportOutputSerializer, 404: OpenApiResponse(description="not_found")},
                   tags=TAGS)
    def get(self, request, pk):
        export = services.export_get_for_user(request.user, pk)
        return Response(ExportOutputSerializer(export, context={"request": request}).data)


class _FileRenderer(renderers.BaseRenderer):
    """Lets clients ask for the file's own type; errors are still JSON."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return json.dumps(data).encode() if isinstance(data, dict) else data


class _PdfRenderer(_FileRenderer):
    media_type = CONTENT_TYPES["pdf"]
    format = "pdf"


class _XlsxRenderer(_FileRenderer):
    media_type = CONTENT_TYPES["xlsx"]
    format = "xlsx"


class _CsvRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class ExportDownloadApi(APIView):
    """The export's file (status done), as an attachment."""

    renderer_classes = [renderers.JSONRenderer, _PdfRenderer, _XlsxRenderer, _CsvRenderer]

    @extend_schema(
        responses={
            (200, CONTENT_TYPES["pdf"]): OpenApiTypes.BINARY,
            (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            (200, "text/csv"): OpenApiTypes.STR,
            (404, "application/json"): OpenApiResponse(description="not_found: no such export, or not ready"),
        },
        tags=TAGS,
    )
    def get(self, request, pk):
        export = services.export_ready_for_user(request.user, pk)
        return FileResponse(
            open(services.export_file_path(export), "rb"), as_attachment=True,  # noqa: SIM115 - closed by Django
            filename=services.export_download_name(export), content_type=CONTENT_TYPES[export.format],
        )
