"""Session exports (SES-5) in the driver app's namespace: app:exports is the list."""

urlpatterns = []
