"""Errors on pages are pages: a browser gets a sign-in redirect or an HTML explanation, never
the API's JSON. One route class wraps every page handler *and its dependencies*, so the API's
authorisation dependencies can be reused as they are."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import HTTPException, Request
from fastapi.routing import APIRoute
from starlette.responses import Response

from aisec.common.errors import AisecError, InputError
from aisec.store.access import Conflict, Forbidden, NotFound


class PageRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            from aisec.web.pages.common import error_page, see_other

            try:
                return await original(request)
            except HTTPException as exc:
                if exc.status_code == 401:
                    target = request.url.path
                    if request.url.query:
                        target += "?" + request.url.query
                    if request.method != "GET":
                        target = "/"
                    return see_other("/login?" + urllib.parse.urlencode({"next": target}))
                return error_page(request, exc.status_code, str(exc.detail))
            except NotFound as exc:
                return error_page(request, 404, exc.message)
            except Forbidden as exc:
                return error_page(request, 403, exc.message)
            except Conflict as exc:
                return error_page(request, 409, exc.message)
            except InputError as exc:
                return error_page(request, 422, str(exc))
            except AisecError as exc:
                return error_page(request, 400, str(exc))

        return handler
