from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from congdoan.audit.models import ChangeLogged, ObjectChange
from congdoan.audit.services import log_change


@receiver(pre_save)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLogged):
        return
    previous = sender._base_manager.filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_before = previous.audit_snapshot() if previous else None


@receiver(post_save)
def _log_save(sender, instance, created, raw=False, **kwargs):
    if raw or not isinstance(instance, ChangeLogged):
        return
    before = getattr(instance, "_audit_before", None)
    action = ObjectChange.Action.CREATE if created else ObjectChange.Action.UPDATE
    if action == ObjectChange.Action.UPDATE and before == instance.audit_snapshot():
        return  # a save that changed nothing is not a change
    log_change(action=action, obj=instance, before=before)


@receiver(post_delete)
def _log_delete(sender, instance, **kwargs):
    if isinstance(instance, ChangeLogged):
        log_change(action=ObjectChange.Action.DELETE, obj=instance, before=instance.audit_snapshot())
