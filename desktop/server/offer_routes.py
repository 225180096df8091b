"""/o/<token>: the link in a wait-list offer text, answered in the patient's browser.

No sign-in: the token (the offer's random id) is the credential, and the page shows
only the time and the practitioner. GET shows the offer and never books (messaging
apps fetch links for previews); the page's button POSTs to the same address, which
takes the time exactly like a texted YES (first wins; the others are told it has
gone). An unknown token, or one whose time has started, gets a plain 404 page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from html import escape

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from desktop.server.errors import ERROR_RESPONSES
from desktop.server.guards import Context, rate_limited
from desktop.services.wait_list_offers import LinkedOffer, linked_offer, take_by_link

router = APIRouter(
    prefix="/o",
    tags=["wait list"],
    responses={
        **ERROR_RESPONSES,
        404: {"description": "no such offer, or its time has started (a plain page)"},
    },
    dependencies=[Depends(rate_limited)],
)

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{title}</title>
<style>body{{font-family:sans-serif;max-width:30em;margin:2em auto;padding:0 1em}}
button{{font-size:1.2em;padding:.5em 1em}}</style>
</head><body><h1>{title}</h1>{body}</body></html>"""


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=escape(title), body=body), status_code=status)


def _gone() -> HTMLResponse:
    return _page("Link not found", "<p>This link is not valid or has expired.</p>", 404)


def _now(request: Request) -> datetime:
    clock: Callable[[], datetime] | None = getattr(request.app.state, "clock", None)
    return clock() if clock is not None else datetime.now(UTC)


def _answer_page(offer: LinkedOffer) -> HTMLResponse:
    slot = f"<p>{escape(offer.when)} with {escape(offer.practitioner)}</p>"
    if offer.available:
        button = '<form method="post"><button type="submit">Take this time</button></form>'
        return _page(offer.clinic, slot + button)
    if offer.booked:
        return _page(offer.clinic, slot + "<p><strong>You're booked. See you then!</strong></p>")
    return _page(
        offer.clinic,
        slot + "<p>Sorry, that time has gone. You're still on our wait list.</p>",
    )


@router.get(
    "/{token}",
    summary="A wait-list offer's page: the time, and a button to take it (books nothing)",
    response_class=HTMLResponse,
)
def show_offer(token: str, request: Request, context: Context) -> HTMLResponse:
    offer = linked_offer(context.database, token, _now(request))
    return _answer_page(offer) if offer is not None else _gone()


@router.post(
    "/{token}",
    summary="Take the offered time (first to take it gets it)",
    response_class=HTMLResponse,
)
def take_offer(token: str, request: Request, context: Context) -> HTMLResponse:
    offer = take_by_link(context.database, token, _now(request))
    return _answer_page(offer) if offer is not None else _gone()
