"""What of the information platform's entries is searchable beyond the shared fields."""

from infoharbor.information.models import Dataset, PolicyDocument
from infoharbor.search import registry


def _policy(details: PolicyDocument) -> list[str]:
    # People search for a law by its number ("Decree 15/2026/ND-CP") and by who issued it.
    return [details.document_number, details.issuing_body]


registry.register("information.policy", _policy)


def _dataset(details: Dataset) -> list[str]:
    # People look a dataset up by its identifier, its publisher, the place it covers, its
    # formats ("CSV") and the names of its columns ("exchange rate").
    columns = [str(c.get("name", "")) for c in details.columns if isinstance(c, dict)]
    return [
        details.identifier,
        details.publisher,
        details.spatial,
        " ".join(str(name) for name in details.formats),
        " ".join(columns),
    ]


registry.register("information.dataset", _dataset)
