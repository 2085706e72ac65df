from django.urls import path

from console.images import archives, build_page, pull_push, search, views

app_name = "images"
# Fixed paths (pull/, build/, load/, import/, search/, prune/) come before "<str:ref>/".
# <ref> is an image id (sha256:… or a short id): names with "/" cannot be a path segment.
urlpatterns = [
    path("", views.image_list, name="list"),
    path("prune/", views.image_prune, name="prune"),
    path("pull/", pull_push.pull_page, name="pull"),
    path("search/", search.search_page, name="search"),
    path("build/", build_page.build_page, name="build"),
    path("build/<str:job>/", build_page.build_status, name="build_status"),
    path("save/", archives.save_many, name="save_many"),
    path("load/", archives.load_page, name="load"),
    path("import/", archives.import_page, name="import"),
    path("<str:ref>/", views.image_detail, name="detail"),
    path("<str:ref>/remove/", views.image_remove, name="remove"),
    path("<str:ref>/tag/", views.image_tag, name="tag"),
    path("<str:ref>/save/", archives.save_one, name="save"),
    path("<str:ref>/push/", pull_push.push_page, name="push"),
]
