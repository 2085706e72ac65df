from django.urls import path

from console.containers import files, logs, run, stats, terminal, views

app_name = "containers"
urlpatterns = [
    path("", views.container_list, name="list"),
    path("bulk/", views.bulk_action, name="bulk"),
    path("new/", run.run_container_view, name="new"),
    path("<str:ref>/", views.container_detail, name="detail"),
    path("<str:ref>/inspect/", views.container_inspect, name="inspect"),
    path("<str:ref>/top/", views.container_top, name="top"),
    path("<str:ref>/rename/", views.container_rename, name="rename"),
    path("<str:ref>/remove/", views.container_remove, name="remove"),
    path("<str:ref>/logs/", logs.logs_page, name="logs"),
    path("<str:ref>/logs/download/", logs.logs_download, name="logs_download"),
    path("<str:ref>/files/", files.files, name="files"),
    path("<str:ref>/files/download/", files.download, name="files_download"),
    path("<str:ref>/files/upload/", files.upload, name="files_upload"),
    path("<str:ref>/export/", files.export, name="export"),
    path("<str:ref>/terminal/", terminal.terminal_page, name="terminal"),
    path("<str:ref>/attach/", terminal.attach_page, name="attach"),
    path("<str:ref>/stats/", stats.stats_page, name="stats"),
    path("<str:ref>/<str:action>/", views.container_action, name="action"),
]
