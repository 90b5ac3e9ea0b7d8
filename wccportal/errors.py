"""Domain errors: one exception type with a code, mapped once for the API, pages and OCPP."""


class DomainError(Exception):
    """A refused use case. ``code`` is stable (API clients and OCPP replies map from it)."""

    code = "error"
    status = 400  # HTTP status used by the API mapping

    def __init__(self, message: str = "", *, code: str | None = None, fields: dict | None = None,
                 status: int | None = None):
        super().__init__(message or self.code)
        self.message = message or self.code
        if code:
            self.code = code
        if status:
            self.status = status
        self.fields = fields or {}


class NotFound(DomainError):
    code = "not_found"
    status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    status = 403


class Conflict(DomainError):
    code = "conflict"
    status = 409
