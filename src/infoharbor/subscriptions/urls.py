from django.urls import path

from infoharbor.subscriptions import views

app_name = "subscriptions"
urlpatterns = [
    path("", views.subscriptions, name="list"),
    path("new/", views.new, name="new"),
    path("follow/", views.follow, name="follow"),
    path("<int:pk>/", views.edit, name="edit"),
    path("<int:pk>/feed-address/", views.new_feed_address, name="new_feed_address"),
    path("<int:pk>/pause/", views.pause, name="pause"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
