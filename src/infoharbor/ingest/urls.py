from django.urls import path

from infoharbor.ingest import views

app_name = "ingest"
urlpatterns = [
    path("sources/", views.sources, name="sources"),
    path("sources/<int:pk>/", views.source_health, name="source"),
    path("sources/<int:pk>/edit/", views.source_edit, name="source_edit"),
    path("dashboard/<slug:slug>/sources/", views.organization_sources, name="organization_sources"),
    path("dashboard/<slug:slug>/sources/new/", views.source_create, name="source_create"),
]
