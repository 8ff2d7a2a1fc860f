"""lila's tests talk to their app through FastAPI's TestClient; here the same calls go over
HTTP to the Cairn server under test."""
import requests

import cairn_under_test


class TestClient:
    __test__ = False  # not a test class for pytest

    def __init__(self, app):
        self.session = requests.Session()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.session.close()

    def request(self, method, url, **kwargs):
        return self.session.request(method, cairn_under_test.base_url + url, **kwargs)

    def get(self, url, **kwargs):
        return self.request("GET", url, **kwargs)

    def post(self, url, **kwargs):
        return self.request("POST", url, **kwargs)

    def put(self, url, **kwargs):
        return self.request("PUT", url, **kwargs)

    def delete(self, url, **kwargs):
        return self.request("DELETE", url, **kwargs)
