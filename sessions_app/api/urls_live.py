"""API routes under /api/v1/ (see sessions_app/api/live.py)."""

urlpatterns = []
