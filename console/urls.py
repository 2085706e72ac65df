from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from console.access import users as access_users
from console.access import views as access_views
from console.containers import views as container_views
from console.hosts import views as host_views
from console.images import views as image_views
from console.networks import views as network_views
from console.volumes import views as volume_views
from console.web.favicon import favicon

urlpatterns = [
    path("", host_views.dashboard, name="dashboard"),
    path(
        "accounts/login/",
        login_not_required(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("accounts/logout/", access_users.Logout.as_view(), name="logout"),
    path("accounts/password/", access_users.PasswordChange.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("hosts/", include("console.hosts.urls")),
    path("hosts/<slug:slug>/containers/", include("console.containers.urls")),
    path("containers/", container_views.all_containers, name="all_containers"),
    path("images/", image_views.all_images, name="all_images"),
    path("hosts/<slug:slug>/df/", image_views.system_df, name="system_df"),
    path("hosts/<slug:slug>/images/", include("console.images.urls")),
    path("registries/", include("console.images.registry_urls")),
    path("hosts/<slug:slug>/volumes/", include("console.volumes.urls")),
    path("hosts/<slug:slug>/networks/", include("console.networks.urls")),
    path("volumes/", volume_views.all_volumes, name="all_volumes"),
    path("networks/", network_views.all_networks, name="all_networks"),
    path("audit/", access_views.audit_log, name="audit"),
    path("teams/", include("console.access.urls")),
    path("hosts/<slug:slug>/access/", access_views.host_access, name="host_access"),
    path("admin/", admin.site.urls),
    path("favicon.ico", favicon, name="favicon"),
]
