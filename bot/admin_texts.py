"""What the bot says to admins in the admin chat about the knowledge base, in the admin's
language (`bot.admin`). English source strings for Babel, like `bot/texts.py`.

The validation problems themselves (row, id, field, what is wrong) come from
`actions/knowledge/validate.py` and stay in English.
"""
from __future__ import annotations

from mitra.i18n import N_

NOT_ADMIN = N_("Only admins can do this.")
FAILED = N_("Something went wrong and nothing changed. Please try again in a minute.")

# An upload.
TOO_BIG = N_("This file is too big: at most {megabytes} MB.")
NOT_DOWNLOADED = N_("I could not download this file. Please send it again.")
REFUSED = N_("Not published. Fix these and send the file again:")
MORE = N_("… and {count} more.")
COMPARED_WITH = N_("Compared with version {version}:")
COMPARED_WITH_EMPTY = N_("Compared with an empty knowledge base:")
ADDED = N_("Added ({count}): {ids}")
CHANGED = N_("Changed ({count}): {ids}")
REMOVED = N_("Removed ({count}): {ids}")
UNCHANGED = N_("Unchanged: {count}")
WARNINGS = N_("Warnings ({count}), published anyway:")
NO_CHANGES = N_("No changes: this file is the same as version {version}.")
PUBLISH = N_("Publish")
CANCEL = N_("Cancel")

# Publish and Cancel.
PUBLISHED = N_("Version {version} is live. Every server uses it within seconds.")
CONFLICT = N_("Not published: version {version} went live after this preview. Send the file again.")
EXPIRED = N_("This preview has expired. Send the file again.")
CANCELLED = N_("Cancelled. Nothing changed.")

# /faq_rollback and /faq_export.
ROLLED_BACK = N_("Rolled back: version {version} is live again.")
NOTHING_TO_ROLL_BACK = N_("There is no earlier version. Nothing changed.")
EXPORTED = N_("The knowledge base, version {version}. Edit it and send it back to publish.")
EMPTY = N_("The knowledge base is empty.")
