from django.urls import path  # noqa: F401

app_name = "images"
# Fixed paths (pull/, build/, load/, import/, search/, prune/) come before "<str:ref>/".
urlpatterns = []
