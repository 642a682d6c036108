"""A flagged reward's review as its row shows it, written in one pass of Python (see `markup.py`).

Who accepted the reward and why, with a button to withdraw it; or, open, the form to review
it, the reason answering the row's warning offered first and none preselected. The form's
token, hidden fields, reasons and the support guard's attributes are drawn once per page.
"""

from __future__ import annotations

from flask import get_template_attribute
from markupsafe import escape

from portal.moments import when
from portal.rewards.entries import RewardEntry
from portal.rewards.forms import translated_reasons, warned_reason
from portal.rewards.reviews import Acceptance
from portal.rows import RowTexts, row_url


class ReviewForms:
    """The reviews and review forms of a page's rows, their fixed parts made once per page."""

    def __init__(self, texts: RowTexts, keep: dict[str, str | None]) -> None:
        _ = texts.gettext
        self.texts = texts
        # The form token and the support guard's attributes, from the portal's own macros.
        csrf = get_template_attribute("_macros/forms.html", "csrf")
        guarded = get_template_attribute("_macros/forms.html", "guarded")
        kept = "".join(
            [
                f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
                for name, value in keep.items()
                if value
            ]
        )
        self.hidden = f"{csrf()}{kept}"
        self.review_guard = guarded("rewards.review")
        self.unreview_guard = guarded("rewards.unreview")
        self.review_url = row_url("rewards.review")
        self.unreview_url = row_url("rewards.unreview")
        self.reasons = translated_reasons()
        self.undo = _("Undo the review")
        self.mark = _("Mark as reviewed")
        self.why = _("Why is this reward fine as it is?")
        self.note = _("Note (optional)")
        self.note_label = _("Note:")
        self.holds = _("The review holds until the SKUs of this reward change in Pongo.")
        choose = f'<option value="" selected>{_("— Choose a reason —")}</option>'
        options = {
            reason: f'<option value="{escape(reason.value)}">{word}</option>'
            for reason, word in self.reasons.items()
        }
        # The reason list for each reason that may come first (none for no warning).
        self.options = {
            first: choose
            + (options[first] if first else "")
            + "".join([option for reason, option in options.items() if reason != first])
            for first in [None, *options]
        }

    def block(self, entry: RewardEntry, n: int) -> str:
        """The review of a flagged reward, or the form to give one; `n` numbers the row."""
        acceptance = entry.acceptance
        if entry.reviewed and acceptance is not None:
            return self.given(acceptance, entry.check.public_id)
        lapsed = ""
        if entry.review_lapsed and acceptance is not None:
            ended = self.texts.gettext(
                "Your review of %(when)s ended: the SKUs of this reward changed in Pongo since."
                " Check it again.",
                when=when(acceptance.at),
            )
            lapsed = f'<p class="caution"><span aria-hidden="true">↻</span> {ended}</p>'
        action = escape(self.review_url(entry.check.public_id))
        version = escape(acceptance.version if acceptance else "")
        guard = self.review_guard
        # Open: the form is the one thing to do on the row, so no tap is spent unfolding it.
        return (
            f'<div class="reward-review">\n\n{lapsed}\n\n'
            f'  <details class="review-form" open><summary>{self.mark}</summary>\n'
            f'    <form method="post" action="{action}">{self.hidden}'
            f'<input type="hidden" name="version" value="{version}">\n'
            f'      <div class="field"><label for="reason-{n}">{self.why}</label>'
            f' <select id="reason-{n}" name="reason" required {guard}>'
            f"{self.options[warned_reason(entry.check)]}</select></div>\n"
            f'      <div class="field"><label for="note-{n}">{self.note}</label>'
            f' <textarea id="note-{n}" name="note" maxlength="500" rows="2" {guard}>'
            "</textarea></div>\n"
            f'      <p class="hint">{self.holds}</p>\n'
            f'      <button type="submit" class="button button-small" {guard}>'
            f"{self.mark}</button>\n"
            "    </form>\n  </details>\n\n</div>"
        )

    def given(self, acceptance: Acceptance, public_id: str) -> str:
        """The review the merchant gave, and the button that withdraws it."""
        said = self.texts.gettext(
            "Reviewed by %(who)s on %(when)s: %(reason)s.",
            who=acceptance.by,
            when=when(acceptance.at),
            reason=self.reasons[acceptance.reason],
        )
        note = ""
        if acceptance.note:
            note = f'<br><span class="muted">{self.note_label} {escape(acceptance.note)}</span>'
        return (
            f'<div class="reward-review">\n\n  <p class="reviewed-by">{said}\n{note}</p>\n'
            f'  <form method="post" action="{escape(self.unreview_url(public_id))}"'
            f' class="inline-form">{self.hidden}<input type="hidden" name="version"'
            f' value="{escape(acceptance.version)}"><button type="submit"'
            f' class="button button-small button-ghost" {self.unreview_guard}>{self.undo}'
            "</button></form>\n\n</div>"
        )
