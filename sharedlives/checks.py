"""System checks: the audit history stays append-only as models are added."""

import pgtrigger
from django.apps import apps
from django.core import checks
from pghistory.models import Event


def _refuses_update_and_delete(trigger) -> bool:
    operation = str(trigger.operation)
    return isinstance(trigger, pgtrigger.Protect) and "UPDATE" in operation and "DELETE" in operation


@checks.register(checks.Tags.models)
def history_tables_are_append_only(app_configs=None, **kwargs):
    """Every event table django-pghistory writes must refuse UPDATE and
    DELETE (sharedlives.models.audited gives it the trigger). An event model
    made another way, by pghistory.track or by hand, is caught here."""
    errors = []
    for model in apps.get_models():
        if not issubclass(model, Event) or model._meta.proxy or not model._meta.managed:
            continue
        if not any(_refuses_update_and_delete(t) for t in getattr(model._meta, "triggers", [])):
            errors.append(
                checks.Error(
                    f"The history table of {model._meta.label} can be changed or emptied.",
                    hint="Track the model with sharedlives.models.audited, or give its event model "
                    "sharedlives.models.append_only() in Meta.triggers.",
                    obj=model,
                    id="sharedlives.E001",
                )
            )
    return errors
