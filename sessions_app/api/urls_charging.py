"""API routes under /api/v1/ (see sessions_app/api/charging.py)."""

urlpatterns = []
