"""Portal authorization tags (TAG-4) in the "portal" namespace: portal:tags is the table."""

urlpatterns = []
