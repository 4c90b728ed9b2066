from django.urls import path

from infoharbor.portal import health

urlpatterns = [path("", health.health, name="health")]
