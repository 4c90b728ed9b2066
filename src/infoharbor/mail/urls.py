from django.urls import path

from infoharbor.mail import views

app_name = "mail"
urlpatterns = [
    path("retry-address/", views.retry_address, name="retry_address"),
]
