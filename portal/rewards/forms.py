"""Forms of the Rewards page."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, ValidationError

from portal.rewards.catalogue_index import TokenKind
from portal.rewards.checks import RewardCheck, RewardStatus
from portal.rewards.reviews import MAX_NOTE, ReviewReason

# The reasons a merchant can give, in the order the form offers them (see `reasons_for`).
REASON_LABELS = {
    ReviewReason.PRODUCT_INTENDED: _l("Checked, this product is the one intended"),
    ReviewReason.OTHER_PARTNER: _l("Only for another partner's system"),
    ReviewReason.PAID_OPTIONS_CHARGED: _l("Paid options are charged at the till"),
    ReviewReason.SHARED_SKU_INTENDED: _l("Checked, the shared SKU is intended"),
    ReviewReason.NOT_A_PRODUCT: _l("Not a product of the POS (a discount, an event…)"),
    ReviewReason.OTHER: _l("Other (say why in the note)"),
}


def translated_reasons() -> dict[ReviewReason, Markup]:
    """The reasons in the merchant's words, translated once for every row of a page."""
    # The catalogue's words are the portal's own text: Jinja's gettext marks them safe too.
    return {reason: Markup(label) for reason, label in REASON_LABELS.items()}  # noqa: S704


def warned_reason(check: RewardCheck) -> ReviewReason | None:
    """The reason that answers the row's warning, if one does."""
    if check.unrelated_skus:
        return ReviewReason.PRODUCT_INTENDED
    if check.paid_options_caution:
        return ReviewReason.PAID_OPTIONS_CHARGED
    if any(result.kind is TokenKind.AMBIGUOUS for result in check.tokens):
        return ReviewReason.SHARED_SKU_INTENDED
    if check.only_other_systems:
        return ReviewReason.OTHER_PARTNER
    if check.status is RewardStatus.NO_SKU:
        return ReviewReason.NOT_A_PRODUCT
    return None


def reasons_for(check: RewardCheck) -> list[ReviewReason]:
    """Every reason in the form's order, the one answering the row's warning first."""
    first = warned_reason(check)
    return ([first] if first else []) + [reason for reason in REASON_LABELS if reason != first]


class ReviewForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """Mark a flagged reward as reviewed: a reason from the list and an optional note."""

    # The page renders the choices from REASON_LABELS; a plain field keeps WTForms out of it.
    reason = StringField(
        _l("Why is this reward fine as it is?"),
        validators=[
            DataRequired(message=_l("Choose a reason.")),
            AnyOf([reason.value for reason in REASON_LABELS], message=_l("Choose a reason.")),
        ],
    )
    note = TextAreaField(_l("Note (optional)"), validators=[Length(max=MAX_NOTE)])
    # The review's version when the page was drawn ("" for none): see `reviews.version_of`.
    version = HiddenField(validators=[Length(max=40)])

    def validate_note(self, field: Any) -> None:
        """A review for another reason must say which."""
        if self.reason.data == ReviewReason.OTHER.value and not (field.data or "").strip():
            raise ValidationError(_l("Say in a few words why this reward is fine as it is."))


class UnreviewForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """Withdraw a review: the review's version when the page was drawn."""

    version = HiddenField(validators=[Length(max=40)])
