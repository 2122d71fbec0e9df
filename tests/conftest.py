"""Shared fixtures: the public reference data in ../shared (skip clearly where absent)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _shared(sub: str) -> Path:
    path = SHARED / sub
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (CI keeps ../shared beside the checkout)")
    return path


@pytest.fixture(scope="session")
def arx_data() -> Path:
    """The ARX benchmark tables and hierarchies (../shared/benchmarks/arx-data)."""
    return _shared("benchmarks/arx-data")


@pytest.fixture(scope="session")
def seed_pack() -> Path:
    """The public EUCAIM Wizard pack (../shared/seed-pack)."""
    return _shared("seed-pack")
