from django.utils.translation import gettext_lazy as _

from infoharbor.core import kinds
from infoharbor.information.forms import NewsForm, PolicyDocumentForm
from infoharbor.information.models import News, PolicyDocument
from infoharbor.information.schemas import NewsDetails, PolicyDetails

NEWS = kinds.EntryKind(
    key="information.news",
    platform="information",
    label=_("News or notice"),
    label_plural=_("News and notices"),
    model=News,
    form=NewsForm,
    schema=NewsDetails,
    template="information/news_details.html",
)

POLICY = kinds.EntryKind(
    key="information.policy",
    platform="information",
    label=_("Policy document"),
    label_plural=_("Policy documents"),
    model=PolicyDocument,
    form=PolicyDocumentForm,
    schema=PolicyDetails,
    template="information/policy_details.html",
)


def register_all() -> None:
    kinds.register(NEWS)
    kinds.register(POLICY)
