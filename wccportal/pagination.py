"""Page sizes: the API's pagination, and the sizes the portal's tables offer (10 … 50)."""

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
