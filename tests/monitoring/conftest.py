"""Every monitoring test starts its clock once (capture_kit.began)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import timezone

from tests.monitoring import capture_kit


@pytest.fixture(autouse=True)
def _one_now_per_test() -> Iterator[None]:
    capture_kit._began.append(timezone.now().replace(microsecond=0))
    yield
    capture_kit._began.clear()
