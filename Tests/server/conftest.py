"""Fixtures the pytest server tests share."""

import os
import secrets
import shutil
import subprocess
import urllib.parse

import pytest

from support import need


@pytest.fixture
def database():
    """A fresh PostgreSQL database, dropped afterwards; yields its URL."""
    base = os.environ.get("VITRINE_TEST_POSTGRES_URL")
    need(base, "VITRINE_TEST_POSTGRES_URL is not set (scripts/test.sh starts a PostgreSQL server)")
    need(shutil.which("psql"), "psql is not installed")
    name = "vitrine_two_" + secrets.token_hex(4)
    subprocess.run(["psql", base, "-q", "-c", f"CREATE DATABASE {name}"], check=True)
    parts = urllib.parse.urlsplit(base)
    yield urllib.parse.urlunsplit(parts._replace(path="/" + name))
    subprocess.run(["psql", base, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)
