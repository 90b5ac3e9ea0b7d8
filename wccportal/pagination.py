"""Page sizes: the API's pagination, the sizes the portal's tables offer (10 … 50), and the
keyset paging of log tables too big to count (frames, heartbeats, security events)."""

from dataclasses import dataclass

from rest_framework.pagination import PageNumberPagination

PAGE_SIZES = (10, 20, 30, 40, 50)


def page_size(request, *, param: str = "per_page", default: int = 20) -> int:
    """The page size asked for in ``request.GET[param]`` if it is one of PAGE_SIZES."""
    try:
        size = int(request.GET.get(param, default))
    except (TypeError, ValueError):
        return default
    return size if size in PAGE_SIZES else default


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 200


def _cursor(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number > 0 else None


@dataclass
class KeysetPage:
    """One page of a keyset pagination: rows newest first, and the cursors around them."""

    rows: list
    older: int | None  # id to pass as ?before= for the next (older) page, if there is one
    newer: int | None  # id to pass as ?after= for the previous (newer) page, if there is one
    is_first: bool


def keyset_page(qs, *, before=None, after=None, per_page: int = 20) -> KeysetPage:
    """Rows of ``qs`` by descending id, without counting: "older than ``before``" or "newer
    than ``after``" (the first page if neither)."""
    before, after = _cursor(before), _cursor(after)
    if after is not None:
        rows = list(qs.filter(id__gt=after).order_by("id")[: per_page + 1])
        more_newer = len(rows) > per_page
        rows = list(reversed(rows[:per_page]))
        if not rows:  # nothing newer: show the first page
            return keyset_page(qs, per_page=per_page)
        older = rows[-1].pk if qs.filter(id__lt=rows[-1].pk).order_by("-id")[:1].exists() else None
        return KeysetPage(rows, older, rows[0].pk if more_newer else None, not more_newer)
    if before is not None:
        qs = qs.filter(id__lt=before)
    rows = list(qs.order_by("-id")[: per_page + 1])
    more_older = len(rows) > per_page
    rows = rows[:per_page]
    newer = rows[0].pk if before is not None and rows else None
    return KeysetPage(rows, rows[-1].pk if more_older and rows else None, newer, before is None)
