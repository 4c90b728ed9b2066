from django.urls import path, re_path

from infoharbor.portal.views import actions, members, moderation, public, translating, writing
from infoharbor.search import feeds as search_feeds
from infoharbor.search import views as search_views

app_name = "portal"
urlpatterns = [
    path("", public.home, name="home"),
    path("about/", public.about, name="about"),
    path("entries/", public.entries, name="entries"),
    path("search/", search_views.search, name="search"),
    path("search/feed.atom", search_feeds.search_atom, name="search_atom"),
    path("search/feed.json", search_feeds.search_json, name="search_json"),
    path("entries/<int:pk>/", public.entry, name="entry"),
    path("entries/<int:pk>/edit/", writing.entry_edit, name="entry_edit"),
    path("entries/<int:pk>/submit/", actions.submit, name="entry_submit"),
    path("entries/<int:pk>/publish/", actions.publish, name="entry_publish"),
    path("entries/<int:pk>/withdraw/", actions.withdraw, name="entry_withdraw"),
    path("entries/<int:pk>/review/", actions.review, name="entry_review"),
    path(
        "entries/<int:pk>/translations/",
        translating.choose_language,
        name="entry_translation_choose",
    ),
    path(
        "entries/<int:pk>/translations/<str:code>/",
        translating.translation,
        name="entry_translation",
    ),
    path("organizations/", public.organizations, name="organizations"),
    path("organizations/<slug:slug>/", public.organization, name="organization"),
    path("countries/", public.countries, name="countries"),
    re_path(r"^countries/(?P<iso2>[A-Za-z]{2})/$", public.country, name="country"),
    path("dashboard/", writing.dashboard, name="dashboard"),
    path("dashboard/<slug:slug>/", writing.dashboard_organization, name="dashboard_organization"),
    path("dashboard/<slug:slug>/new/<slug:kind_slug>/", writing.entry_create, name="entry_create"),
    path("dashboard/<slug:slug>/members/", members.members, name="members"),
    path(
        "dashboard/<slug:slug>/members/<int:pk>/role/",
        members.member_change,
        name="member_change",
    ),
    path(
        "dashboard/<slug:slug>/members/<int:pk>/remove/",
        members.member_remove,
        name="member_remove",
    ),
    path("moderation/", moderation.moderation, name="moderation"),
]
