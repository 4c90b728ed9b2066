import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infoharbor.settings")
application = get_wsgi_application()

# Load the text models and index what a previous process left in the outbox, in the
# background, so the first search is fast and nothing waits for the next change.
from infoharbor.search import indexer  # noqa: E402 - needs the settings configured above

indexer.start()
