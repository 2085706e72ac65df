from console.access.permissions import can_manage_teams


def team_manager(request):
    """`can_manage_teams` for the navigation; queried only when a page asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"can_manage_teams": lambda: can_manage_teams(user)}
