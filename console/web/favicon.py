"""/favicon.ico, which browsers ask for by themselves on every site, logged in or not."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET

# The one icon, also linked from base.html.
ICON = "img/favicon.svg"


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static(ICON))
