"""The error shape shared by REST answers, join acks and client-side checks.

Every refusal is ``{"error": {"code", "message", "field"?}}``: a stable
machine code, a sentence a person can act on, and the offending field.
"""

from __future__ import annotations

from typing import Any


class ProtocolError(ValueError):
    """A refusal with a stable code, a readable message and the field at fault."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def to_body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field is not None:
            error["field"] = self.field
        return {"error": error}


def error_body(code: str, message: str, field: str | None = None) -> dict[str, Any]:
    return ProtocolError(code, message, field).to_body()
