from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

import infoharbor.subscriptions.models


def give_tokens(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Each existing subscription its own secret (a column default would give all the same).
    Subscription = apps.get_model("subscriptions", "Subscription")
    for subscription in Subscription.objects.filter(feed_token="").only("pk").iterator():
        Subscription.objects.filter(pk=subscription.pk).update(
            feed_token=infoharbor.subscriptions.models.new_feed_token()
        )


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0002_match_state_row")]

    operations = [
        migrations.AddField(
            model_name="subscription",
            name="feed_token",
            field=models.CharField(default="", max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(give_tokens, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subscription",
            name="feed_token",
            field=models.CharField(
                default=infoharbor.subscriptions.models.new_feed_token, max_length=64, unique=True
            ),
        ),
    ]
