"""The tracker page's idle dialog (static/js/idle.js): idle.py's rules, with the session's login.

The page posts the absence it noticed and the person's choice, as a form (start and end in
ISO 8601 with their offset, as `Date.toISOString()` writes them); the answer is JSON, the
API's shape (`{"message", "code"}` on refusal), and the page reloads to show the entries.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from workspaces.access import get_membership
from workspaces.api_fields import instant

from . import idle
from .models import IdleAction

INSTANT_HELP = "an ISO 8601 time with its offset, such as 2026-03-04T10:23:52Z."


class InstantField(forms.CharField):
    """A moment in ISO 8601 with its offset: a time without one would be read in the
    server's zone, which is not where the browser noticed the absence."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=40, error_messages={"required": INSTANT_HELP}, **kwargs)

    def clean(self, value: Any) -> datetime:
        text = super().clean(value)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(INSTANT_HELP) from None
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise forms.ValidationError(INSTANT_HELP)
        return moment


class IdleAnswerForm(forms.Form):
    """The absence the page noticed and what the person chose to do with it."""

    start = InstantField()
    end = InstantField()
    action = forms.ChoiceField(
        choices=IdleAction.choices,
        error_messages={
            "required": "Choose DISCARD, DISCARD_AND_CONTINUE or KEEP.",
            "invalid_choice": "Choose DISCARD, DISCARD_AND_CONTINUE or KEEP.",
        },
    )


def _refusal(message: str, status: int) -> JsonResponse:
    return JsonResponse({"message": message, "code": status}, status=status)


@login_required
@require_POST
def answer_idle(request: HttpRequest, workspace_id: UUID) -> JsonResponse:
    """201 with what the answer did; 200 with the earlier answer when this absence was
    answered before (nothing changes); 403 while idle detection is off; 400 for bad times."""
    workspace = get_membership(request, workspace_id).workspace
    form = IdleAnswerForm(request.POST)
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        return _refusal(f"{field}: {errors[0]}", 400)
    data = form.cleaned_data
    try:
        answer = idle.answer_idle(
            workspace, request.user, data["start"], data["end"], data["action"]
        )
    except idle.IdleRefused as refused:
        return _refusal(str(refused), refused.status)
    period = answer.period
    body = {
        "id": str(period.id),
        "start": instant(period.start),
        "end": instant(period.end),
        "action": period.action,
        "actionLabel": IdleAction(period.action).label,
        "outcome": period.outcome,
        "alreadyAnswered": answer.repeated,
        "changedEntryIds": [str(entry.pk) for entry in answer.changed],
        "deletedEntryIds": [str(pk) for pk in answer.deleted],
        "continuedEntryId": str(period.continued_id) if period.continued_id else None,
    }
    return JsonResponse(body, status=200 if answer.repeated else 201)
