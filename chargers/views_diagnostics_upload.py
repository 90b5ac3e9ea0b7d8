"""The upload link of a GetDiagnostics request (CP-7, CP-10): public, no session, no CSRF.

A charger sends its file with HTTP PUT (raw body) or POST (multipart with one file field, or a
raw body) to ``/diagnostics/<token>/`` or ``/diagnostics/<token>/<file name>``. The token is the
only credential: unknown, expired or already used tokens get a bare 404. The body is copied to
a temporary file in chunks and refused with 413 once it passes DIAGNOSTICS_MAX_BYTES, so a
large upload never sits in memory and nothing of a refused one is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload, TemporaryFileUploadHandler
from django.http import JsonResponse
from django.utils.http import parse_header_parameters
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .diagnostics import diagnostics_upload_store, diagnostics_upload_target

CHUNK = 64 * 1024
# Room for a multipart body's boundaries and headers around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


def _answer(code: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"status" if status < 400 else "error": code, **extra}, status=status)


def _not_found() -> JsonResponse:
    return _answer("not_found", 404)


def _too_large() -> JsonResponse:
    return _answer("too_large", 413, max_bytes=settings.DIAGNOSTICS_MAX_BYTES)


class _SizeLimitHandler(FileUploadHandler):
    """First in the chain: counts the file bytes of a multipart body and stops at the limit."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.total = 0
        self.files = 0
        self.too_large = False

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.files += 1

    def receive_data_chunk(self, raw_data, start):
        self.total += len(raw_data)
        if self.total > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None


def _content_length(request) -> int | None:
    try:
        return int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None


def _raw_body(request, limit: int) -> TemporaryUploadedFile | None:
    """The request body copied to a temporary file; None if it is larger than ``limit``."""
    upload = TemporaryUploadedFile("upload", request.content_type or "application/octet-stream", 0, None)
    total = 0
    while chunk := request.read(CHUNK):
        total += len(chunk)
        if total > limit:
            upload.close()  # deletes the temporary file
            return None
        upload.write(chunk)
    upload.size = total
    upload.seek(0)
    return upload


def _multipart_file(request, limit: int):
    """The single file of a multipart body in a temporary file; "too_large", or None if no file."""
    counter = _SizeLimitHandler(request, limit)
    request.upload_handlers = [counter, TemporaryFileUploadHandler(request)]
    files = [f for name in request.FILES for f in request.FILES.getlist(name)]
    if counter.too_large:
        for f in files:
            f.close()
        return "too_large"
    if len(files) != 1:
        for f in files:
            f.close()
        return None
    return files[0]


def _disposition_name(request) -> str:
    header = request.headers.get("Content-Disposition", "")
    return parse_header_parameters(header)[1].get("filename", "") if header else ""


@csrf_exempt
@require_http_methods(["PUT", "POST"])
def upload(request, token, file_name=""):
    row = diagnostics_upload_target(token)
    if row is None:
        return _not_found()
    limit = settings.DIAGNOSTICS_MAX_BYTES
    length = _content_length(request)
    multipart = request.method == "POST" and request.content_type == "multipart/form-data"
    if length is not None and length > limit + (MULTIPART_OVERHEAD if multipart else 0):
        return _too_large()  # said up front: refused before a byte is read
    if multipart:
        content = _multipart_file(request, limit)
        if content == "too_large":
            return _too_large()
        if content is None:
            return _answer("one_file_expected", 400)
        file_name = file_name or content.name or ""
    else:
        content = _raw_body(request, limit)
        if content is None:
            return _too_large()
        file_name = file_name or _disposition_name(request)
    try:
        if content.size == 0:
            return _answer("empty", 400)
        if not diagnostics_upload_store(row=row, content=content, file_name=file_name):
            return _not_found()  # another upload used the link first
    finally:
        content.close()
    return _answer("uploaded", 201, size=row.size)
