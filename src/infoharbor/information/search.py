"""What of the information platform's entries is searchable beyond the shared fields."""

from infoharbor.information.models import PolicyDocument
from infoharbor.search import registry


def _policy(details: PolicyDocument) -> list[str]:
    # People search for a law by its number ("Decree 15/2026/ND-CP") and by who issued it.
    return [details.document_number, details.issuing_body]


registry.register("information.policy", _policy)
