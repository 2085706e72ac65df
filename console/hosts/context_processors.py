from console.access.permissions import visible_hosts


def host_switcher(request):
    """The hosts for the navigation's host switcher, queried only if a page shows it."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"switcher_hosts": visible_hosts(request.user).only("name", "slug")}
