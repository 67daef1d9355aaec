"""Read a JSON request body within a size limit, with a precise 4xx for every way it can be bad."""

from __future__ import annotations

from typing import Any

import orjson
from fastapi import HTTPException, Request, status


async def read_json(request: Request, max_bytes: int) -> Any:
    return parse_json(await read_body(request, max_bytes))


async def read_body(request: Request, max_bytes: int) -> bytes:
    """The raw body (signatures are computed over these bytes), after the size and type checks."""
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip()
    if content_type and content_type != "application/json" and not content_type.endswith("+json"):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"content type {content_type!r} is not JSON; send application/json",
        )
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(max_bytes)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise _too_large(max_bytes)
    if not body.strip():
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "request body is empty; send JSON")
    return bytes(body)


def parse_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        try:
            bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST, "request body is not valid UTF-8"
            ) from error
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"request body is not valid JSON: {error}"
        ) from error


def _too_large(max_bytes: int) -> HTTPException:
    return HTTPException(
        status.HTTP_413_CONTENT_TOO_LARGE,
        f"request body exceeds {max_bytes} bytes; split it into smaller batches",
    )
