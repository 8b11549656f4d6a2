"""The petition's own refusal: after 复核 the same matter is not accepted again (art. 36)."""

from __future__ import annotations

from datetime import datetime

from domain.errors import ValidationFailed

BASIS = "信访工作条例 art. 36"


class AlreadyReExamined(ValidationFailed):
    """A VALIDATION failure that names the re-examined petition the new arrival repeats."""

    def __init__(self, *, petition_id: str, re_examined_at: datetime) -> None:
        super().__init__(
            f"petition {petition_id} was re-examined (复核) at "
            f"{re_examined_at.isoformat(timespec='minutes')}; the same matter is not accepted "
            f"again ({BASIS}). The repeat was recorded on that petition, now a backlog case (积案)",
            field="sameMatterAs",
        )
        self.petition_id = petition_id
        self.re_examined_at = re_examined_at
        self.basis = BASIS
