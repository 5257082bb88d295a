"""Helpers for the REST API tests."""

from __future__ import annotations

PREFIX = "/api/v1"


class ApiClient:
    """The test client, sending one staff member's bearer token to `/api/v1` paths."""

    def __init__(self, client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **kwargs):
        return self.client.get(PREFIX + path, headers=self.headers, **kwargs)

    def post(self, path: str, json=None, headers: dict | None = None, **kwargs):
        return self.client.post(PREFIX + path, headers=self.headers | (headers or {}), json=json, **kwargs)

    def patch(self, path: str, json=None, **kwargs):
        return self.client.patch(PREFIX + path, headers=self.headers, json=json, **kwargs)

    def put(self, path: str, json=None, **kwargs):
        return self.client.put(PREFIX + path, headers=self.headers, json=json, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.client.delete(PREFIX + path, headers=self.headers, **kwargs)


def errors_of(response, location: str = "json") -> dict:
    """The field errors of a JSON error response, at `location`."""
    body = response.get_json()
    assert body["code"] == response.status_code, body
    return body["errors"][location]
