"""Stands in for lila's `web` package in its own tests: `app` is Cairn, reached over HTTP."""
from . import models
from .common import get_db


class _App:
    dependency_overrides = {}


app = _App()
