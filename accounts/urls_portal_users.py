"""Portal users (ACC-9, ACC-12) in the "portal" namespace: portal:users is the list."""

urlpatterns = []
