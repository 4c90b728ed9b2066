from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def create_state(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # The one row the subscription services bump (created here so they never race to make it).
    MatchState = apps.get_model("subscriptions", "MatchState")
    MatchState.objects.get_or_create(pk=1)


def remove_state(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("subscriptions", "MatchState").objects.filter(pk=1).delete()


class Migration(migrations.Migration):
    dependencies = [("subscriptions", "0001_subscriptions_and_matches")]

    operations = [migrations.RunPython(create_state, remove_state)]
