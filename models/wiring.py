"""Every reaction of an upper layer to a hook of a lower one, connected in one place.

Read this module to see what else happens, in the same transaction, when a case closes,
consent is withdrawn, a person's data is erased, or a report or payment is written. It is
called when the database is connected (``models.schema.connect``)."""

from __future__ import annotations

from models import hooks
from models.followup.erasure import erase_followup
from models.followup.progress import add_months_reported
from models.outcomes.frozen import amend_if_closed, erase_closure_notes, freeze_on_closure
from models.outcomes.review import erase_review_comments
from models.stories.lifecycle import retire_stories_of


def wire() -> None:
    """Connect the reactions (connecting twice changes nothing)."""
    hooks.case_records_read.connect(add_months_reported)
    hooks.case_closed.connect(freeze_on_closure)
    hooks.followup_changed.connect(amend_if_closed)
    hooks.story_consent_withdrawn.connect(retire_stories_of)
    hooks.personal_data_erased.connect(erase_followup)
    hooks.personal_data_erased.connect(erase_closure_notes)
    hooks.personal_data_erased.connect(erase_review_comments)
    hooks.personal_data_erased.connect(retire_stories_of)
