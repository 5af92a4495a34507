"""How the employer timeline words the interactions another app logs, in the language of whoever reads it.

An interaction's summary is stored text: what a person typed, or, for an interaction an app logs by
itself (an info pack mailed), a summary in the site's language for the admin, the API and exports.
The app that logs such interactions knows what they were about, so it registers a wording function
here (from its AppConfig.ready); the timeline calls each one for the interactions it shows and uses
their words, read through gettext in the reader's language, instead of the stored text. crm imports
no other app: it only calls what was registered.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from crm.models import Interaction

# interactions -> {interaction pk: the summary in the active language}; a fixed number of queries.
Wording = Callable[[Sequence[Interaction]], dict[int, str]]

_wordings: list[Wording] = []


def register_wording(wording: Wording) -> None:
    """Let an app word the interactions it logs when a timeline shows them (once per function)."""
    if wording not in _wordings:
        _wordings.append(wording)


def summaries(interactions: Sequence[Interaction]) -> dict[int, str]:
    """The summary to show for each interaction: a registered wording in the active language, else the stored text."""
    shown = {interaction.pk: interaction.summary for interaction in interactions}
    for wording in _wordings:
        shown.update(wording(interactions))
    return shown
