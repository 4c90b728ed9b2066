"""The five platforms of the harbor. A platform is open once an app registers kinds for it."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Platform:
    key: str
    name: str | Promise
    description: str | Promise


PLATFORMS: tuple[Platform, ...] = (
    Platform(
        "information",
        _("Information sharing"),
        _("News, notices, policies and open data on economy, education, health and disasters."),
    ),
    Platform(
        "trade",
        _("Economic & trade services"),
        _("Find trading partners, post buy and sell leads by HS code, look up tariffs."),
    ),
    Platform(
        "cooperation",
        _("Technological cooperation"),
        _("Technology offers and requests, research partner searches and matching."),
    ),
    Platform(
        "culture",
        _("Cultural exchange"),
        _("Films, music, books and games of the region, with a copyright registry."),
    ),
    Platform(
        "infrastructure",
        _("Digital infrastructure"),
        _("Cross-border cables, landing stations, data centres and exchanges."),
    ),
)
BY_KEY = {platform.key: platform for platform in PLATFORMS}
