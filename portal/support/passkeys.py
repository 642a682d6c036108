"""Passkeys (WebAuthn) for staff: registration and sign-in ceremonies, checked by `webauthn`.

The relying party is the portal's configured public URL (PORTAL_BASE_URL), never the
request's Host: its host name is the RP ID and its origin the only one accepted.
"""

from __future__ import annotations

import json
from typing import Any, TypedDict
from urllib.parse import urlsplit

from sqlalchemy import func, select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import (
    base64url_to_bytes,
    bytes_to_base64url,
    parse_authentication_credential_json,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal import config
from portal.extensions import db
from portal.models.base import utcnow
from portal.models.staff import Staff, StaffPasskey

RP_NAME = "Pongo portal"
# Longer answers are not credentials; they are refused before any parsing.
MAX_CREDENTIAL_JSON = 20_000


def _relying_party() -> tuple[str, str]:
    """(RP ID, origin) from the configured public URL."""
    parts = urlsplit(config.current().base_url)
    return parts.hostname or "", f"{parts.scheme}://{parts.netloc}"


class _Expected(TypedDict):
    expected_challenge: bytes
    expected_rp_id: str
    expected_origin: str


def _expected(challenge: bytes) -> _Expected:
    """What a browser's answer must match: the challenge given, this portal's RP ID and origin."""
    rp_id, origin = _relying_party()
    return {"expected_challenge": challenge, "expected_rp_id": rp_id, "expected_origin": origin}


def _passkeys(staff: Staff) -> list[StaffPasskey]:
    return list(db.session.scalars(select(StaffPasskey).where(StaffPasskey.staff_id == staff.id)))


def _descriptors(staff: Staff) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id))
        for key in _passkeys(staff)
    ]


def registration_options(staff: Staff) -> tuple[str, bytes]:
    """The options for navigator.credentials.create() as JSON, and their challenge."""
    rp_id, _ = _relying_party()
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=RP_NAME,
        user_name=staff.email,
        user_id=f"staff-{staff.id}".encode(),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=_descriptors(staff),
    )
    return options_to_json(options), options.challenge


def _parsed(unsafe_credential: str) -> dict[str, Any] | None:
    """The browser's answer as a JSON object, or None (too long, not JSON, nested too deep)."""
    if not unsafe_credential or len(unsafe_credential) > MAX_CREDENTIAL_JSON:
        return None
    try:
        parsed = json.loads(unsafe_credential)
    except (ValueError, RecursionError):
        return None
    return parsed if isinstance(parsed, dict) else None


def register(staff: Staff, *, unsafe_credential: str, challenge: bytes) -> bool:
    """Keep the new passkey when the browser's answer checks out; flushes. False otherwise."""
    credential = _parsed(unsafe_credential)
    if credential is None:
        return False
    try:
        verified = verify_registration_response(credential=credential, **_expected(challenge))
    except (WebAuthnException, ValueError, TypeError, KeyError):
        return False
    db.session.add(
        StaffPasskey(
            staff_id=staff.id,
            credential_id=bytes_to_base64url(verified.credential_id),
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
        )
    )
    db.session.flush()
    return True


def count(staff: Staff) -> int:
    """How many passkeys the staff member registered."""
    query = select(func.count(StaffPasskey.id)).where(StaffPasskey.staff_id == staff.id)
    return int(db.session.scalar(query) or 0)


def has_passkey(staff: Staff) -> bool:
    """True when the staff member registered at least one passkey."""
    return count(staff) > 0


def authentication_options(staff: Staff) -> tuple[str, bytes]:
    """The options for navigator.credentials.get() as JSON, and their challenge."""
    rp_id, _ = _relying_party()
    options = generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=_descriptors(staff),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return options_to_json(options), options.challenge


def authenticate(staff: Staff, *, unsafe_credential: str, challenge: bytes) -> bool:
    """True when the browser signed the challenge with one of the staff member's passkeys."""
    answer = _parsed(unsafe_credential)
    if answer is None:
        return False
    try:
        credential = parse_authentication_credential_json(answer)
        key = db.session.scalar(
            select(StaffPasskey).where(
                StaffPasskey.staff_id == staff.id,
                StaffPasskey.credential_id == bytes_to_base64url(credential.raw_id),
            )
        )
        if key is None:
            return False
        verified = verify_authentication_response(
            credential=credential,
            **_expected(challenge),
            credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError):
        return False
    key.sign_count = verified.new_sign_count
    key.last_used_at = utcnow()
    db.session.flush()
    return True
