"""Checking and storing portfolio files: a size limit, an allow-list of types, and the content
sniffed so that a file whose bytes do not match its extension is refused.

Files live under ``settings.UPLOAD_DIR / "artifacts" / <district id>`` with a random name;
they are never served by a static URL, only by the artifact view after the access check.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

MAX_BYTES = 5 * 1024 * 1024
"""The largest portfolio file accepted (5 MB, the request limit the settings allow)."""

ALLOWED = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".txt": "text/plain",
    ".md": "text/plain",
}
"""Extension → the content type it is served with. Anything else is refused."""

_MAGIC = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}


class UploadRefused(ValueError):
    """The file cannot be kept; the message says why, in words the learner understands."""


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    data: bytes


def max_bytes() -> int:
    return int(getattr(settings, "WAYPOINT_MAX_UPLOAD_BYTES", MAX_BYTES))


def _is_text(data: bytes) -> bool:
    if b"\x00" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return not any(data.startswith(m) for ms in _MAGIC.values() for m in ms)


def check_file(name: str, data: bytes) -> CheckedFile:
    """The file as it will be kept, or :class:`UploadRefused` with the reason."""
    clean = Path(name.replace("\\", "/")).name.strip()[:200] or "file"
    limit = max_bytes()
    if len(data) > limit:
        raise UploadRefused(
            _("The file is too large (%(size)s MB). The largest file allowed is %(limit)s MB.")
            % {"size": f"{len(data) / 1048576:.3g}", "limit": f"{limit / 1048576:.3g}"}
        )
    if not data:
        raise UploadRefused(_("The file is empty."))
    extension = Path(clean).suffix.lower()
    content_type = ALLOWED.get(extension)
    if content_type is None:
        raise UploadRefused(
            _("Files of this type (%(ext)s) cannot be added. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(sorted(ALLOWED))}
        )
    if content_type == "text/plain":
        matches = _is_text(data)
    else:
        matches = any(data.startswith(m) for m in _MAGIC[content_type])
    if not matches:
        raise UploadRefused(
            _("The file's content does not match its name (%(ext)s). It was not saved.")
            % {"ext": extension}
        )
    return CheckedFile(clean, content_type, data)


def artifact_dir(district_id: int) -> Path:
    return Path(settings.UPLOAD_DIR) / "artifacts" / str(district_id)


def store(district_id: int, data: bytes) -> str:
    """Write the bytes under a new random name; returns the name."""
    folder = artifact_dir(district_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored = uuid.uuid4().hex
    (folder / stored).write_bytes(data)
    return stored


def path_of(district_id: int, stored_name: str) -> Path:
    return artifact_dir(district_id) / stored_name


def remove(district_id: int, stored_name: str) -> None:
    path_of(district_id, stored_name).unlink(missing_ok=True)
