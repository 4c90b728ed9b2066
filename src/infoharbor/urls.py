from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

from infoharbor.api.routes import api
from infoharbor.mail import views as mail_views
from infoharbor.subscriptions import feeds as subscription_feeds

urlpatterns: list[URLPattern | URLResolver] = [
    path("api/v1/", api.urls),
    path("health", include("infoharbor.portal.health_urls")),
    # Private feeds have no language prefix: the subscription says its language.
    path(
        "feeds/subscriptions/<str:token>.atom",
        subscription_feeds.subscription_atom,
        name="subscription_feed_atom",
    ),
    path(
        "feeds/subscriptions/<str:token>.json",
        subscription_feeds.subscription_json,
        name="subscription_feed_json",
    ),
    # One-click unsubscribe (RFC 8058) has no language prefix: a redirect would lose the POST.
    path("mail/unsubscribe/<str:token>", mail_views.unsubscribe, name="mail_unsubscribe"),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("infoharbor.accounts.urls")),
    path("operator/", admin.site.urls),
    path("subscriptions/", include("infoharbor.subscriptions.urls")),
    path("mail/", include("infoharbor.mail.urls")),
    path("webhooks/", include("infoharbor.webhooks.urls")),
    path("", include("infoharbor.ingest.urls")),
    path("", include("infoharbor.stories.urls")),
    path("", include("infoharbor.portal.urls")),
    prefix_default_language=True,
)

admin.site.site_header = "Information Harbor — operators"
admin.site.site_title = "Information Harbor"
