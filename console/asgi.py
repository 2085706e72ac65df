import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402  (needs Django set up first)
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from console.routing import websocket_urlpatterns  # noqa: E402
from console.streams.origin import SameOriginValidator  # noqa: E402
from console.web.daphne import check_daphne, paced, uploads_from_disk  # noqa: E402

check_daphne()  # one warning at start when daphne or Twisted changed under its glue
application = uploads_from_disk(
    ProtocolTypeRouter(
        {
            "http": paced(django_asgi_app),
            "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
        }
    )
)
