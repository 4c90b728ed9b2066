from django.urls import path

from infoharbor.stories import views

app_name = "stories"
urlpatterns = [
    path("stories/", views.stories, name="stories"),
    path("stories/<int:pk>/", views.story, name="story"),
]
