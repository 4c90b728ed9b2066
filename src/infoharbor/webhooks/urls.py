from django.urls import path

from infoharbor.webhooks import views

app_name = "webhooks"
urlpatterns = [
    path("", views.endpoints, name="list"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/secret/", views.rotate, name="rotate"),
    path("<int:pk>/test/", views.test_event, name="test"),
    path("<int:pk>/pause/", views.pause, name="pause"),
    path("<int:pk>/delete/", views.delete, name="delete"),
    path("<int:pk>/deliveries/<int:delivery>/replay/", views.replay, name="replay"),
]
