from django.utils.translation import gettext_lazy as _

from infoharbor.core import kinds
from infoharbor.information.forms import DatasetForm, NewsForm, PolicyDocumentForm
from infoharbor.information.models import Dataset, News, PolicyDocument
from infoharbor.information.schemas import DatasetDetails, NewsDetails, PolicyDetails

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

DATASET = kinds.EntryKind(
    key="information.dataset",
    platform="information",
    label=_("Open dataset"),
    label_plural=_("Open datasets"),
    model=Dataset,
    form=DatasetForm,
    schema=DatasetDetails,
    template="information/dataset_details.html",
)


def register_all() -> None:
    kinds.register(NEWS)
    kinds.register(POLICY)
    kinds.register(DATASET)
