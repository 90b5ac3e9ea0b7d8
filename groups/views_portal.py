"""The portal's Group Management (GRP-1 … GRP-6): my groups as a table, creating one, and a
group's page: details and tariff, chargers in or out (toggles), members, invitations, delete;
a member sees it read-only and may leave. The driver app's group pages (``groups.views``) in
the portal shell, through ``views_shared.GroupPages``; another user's group is a 404."""

from django.utils.translation import gettext_lazy as _

from .views_shared import GroupPages

pages = GroupPages(
    namespace="portal", templates="portal/groups", nav="groups",
    premium_notice=_("You already own a group. Several groups are a premium feature: upgrade to premium "
                     "to create another one."),
    charger_notice=_("Only the owner of a charger can create a group. Add your charger first, then create a "
                     "group around it."),
    saved=_("The details of %(name)s were saved."),
    detail_as_listed=True,
)
