"""Portal logs (CP-10): the CS-CP frame log and the heartbeat log, in the "portal" namespace."""

urlpatterns = []
