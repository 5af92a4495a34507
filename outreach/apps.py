"""Everything that goes out to employers and coaches."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutreachConfig(AppConfig):
    """Info packs, evaluation surveys, reminder mails and the follow-up tasks."""

    name = "outreach"
    verbose_name = _("Outreach")

    def ready(self) -> None:
        # crm never imports outreach: the employer timeline words a mailed pack through what is registered here.
        from crm.timeline import register_wording
        from outreach.mentors.services import word_mentor_interactions
        from outreach.packs.services import word_pack_sends

        register_wording(word_pack_sends)
        register_wording(word_mentor_interactions)
