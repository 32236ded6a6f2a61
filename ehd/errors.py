"""Domain exceptions: each carries a stable error id, an HTTP status and details.

One web middleware maps them to JSON or a page; the CLI prints their message.
Foreign errors are translated at the adapter boundary with ``raise ... from err``.
"""

from __future__ import annotations

from typing import Any


class EhdError(Exception):
    error_id = "ehd-error"
    status = 500

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        return {"error": self.error_id, "message": self.message, "details": self.details}


class ConfigError(EhdError):
    error_id = "config-invalid"
    status = 400


class SetupError(EhdError):
    """Something needed on the machine is missing or could not be installed."""

    error_id = "setup-failed"


class PortInUseError(EhdError):
    error_id = "port-in-use"
    status = 409


class AsteriskError(EhdError):
    error_id = "asterisk-failed"
    status = 503


class TooManyAttemptsError(EhdError):
    """Too many failed tries from one address: wait ``details["retry_after"]`` seconds."""

    error_id = "too-many-attempts"
    status = 429


class TelephonyDownError(EhdError):
    """Asked of the phones while telephony is not running (web-only, starting, or lost)."""

    error_id = "telephony-down"
    status = 503


class AriError(EhdError):
    error_id = "ari-failed"
    status = 502


class NotFoundError(EhdError):
    error_id = "not-found"
    status = 404


class ValidationError(EhdError):
    error_id = "invalid-input"
    status = 400


class AuthenticationError(EhdError):
    error_id = "not-authenticated"
    status = 401


class PermissionDeniedError(EhdError):
    error_id = "forbidden"
    status = 403


class PasswordExpiredError(EhdError):
    error_id = "password-expired"
    status = 403


class CsrfError(EhdError):
    error_id = "csrf-failed"
    status = 403


class ConflictError(EhdError):
    """The request is valid but the thing is not in a state that allows it."""

    error_id = "conflict"
    status = 409


class PayloadTooLargeError(EhdError):
    error_id = "too-large"
    status = 413
