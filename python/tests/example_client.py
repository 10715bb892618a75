"""A small CINNOX Open API client, as a team would write one: the subject of the plugin's test.

It pages through `GET /v1/api/apps/{app}/data/enquiry-detail` and returns each page's body as
received, retrying transient failures (5xx, a reset connection, a truncated body).
"""

from __future__ import annotations

import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import List


def fetch_pages(base_url: str, app: str, token: str, start: str, end: str, limit: int = 50) -> List[bytes]:
    """Every page of enquiries created in [start, end), as raw response bodies."""
    pages: List[bytes] = []
    offset = 0
    while True:
        query = urllib.parse.urlencode({"startAt": start, "endAt": end, "offset": offset, "limit": limit})
        url = f"{base_url}/v1/api/apps/{app}/data/enquiry-detail?{query}"
        body = _get(url, token)
        page = json.loads(body)
        pages.append(body)
        offset += limit
        if offset >= page["total"]:
            return pages


def _get(url: str, token: str, attempts: int = 10) -> bytes:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                body: bytes = response.read()
                return body
        except urllib.error.HTTPError as err:
            if err.code < 500 or attempt == attempts - 1:
                raise
        except (urllib.error.URLError, http.client.HTTPException, ConnectionError):
            if attempt == attempts - 1:
                raise
        time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")
