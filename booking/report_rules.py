"""What a problem report must hold, and which photos are accepted. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from mobility.errors import N_, ValidationFailed

CATEGORIES = ("damage", "brakes", "battery", "lock", "dirty", "other")
SAFETY_CATEGORIES = frozenset({"brakes"})  # always unsafe to ride, whatever the box says
MAX_DESCRIPTION = 2000
MAX_PHOTO_BYTES = 8 * 1024 * 1024  # a phone photo; larger is refused, not resized
# Magic numbers of the image types phones upload and browsers show (never trust the name or
# the browser's declared type: the bytes decide).
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


@dataclass(frozen=True)
class Photo:
    """An accepted photo: its bytes, content type and file extension."""

    data: bytes
    content_type: str
    extension: str


def image_type(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) of a JPEG, PNG or WebP from its first bytes, else None."""
    for magic, kind, ext in _SIGNATURES:
        if head.startswith(magic):
            return kind, ext
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def check_photo(data: bytes) -> Photo | None:
    """An accepted photo, None when none was sent; ValidationFailed for a bad one."""
    if not data:
        return None
    if len(data) > MAX_PHOTO_BYTES:
        raise ValidationFailed(
            N_("The photo is too large (8 MB at most)."), field="photo", max_bytes=MAX_PHOTO_BYTES
        )
    found = image_type(data[:16])
    if found is None:
        raise ValidationFailed(N_("Send a JPEG, PNG or WebP photo."), field="photo")
    return Photo(data, found[0], found[1])


@dataclass(frozen=True)
class ReportFacts:
    """What the reporter says: category, description, whether the vehicle is unsafe."""

    category: str
    description: str
    safety: bool


def check_report(category: str, description: str, unsafe: bool) -> ReportFacts:
    """A valid report; a safety category is unsafe whatever the box says."""
    if category not in CATEGORIES:
        raise ValidationFailed(N_("Choose what is wrong."), field="category")
    text = description.strip()
    if len(text) > MAX_DESCRIPTION:
        raise ValidationFailed(
            N_("Keep the description under 2000 characters."), field="description"
        )
    if not text and category == "other":
        raise ValidationFailed(N_("Describe the problem."), field="description")
    return ReportFacts(category, text, unsafe or category in SAFETY_CATEGORIES)
