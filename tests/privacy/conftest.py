"""The privacy tests count page views, which the rest of the suite leaves off."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _page_analytics_on(settings: pytest.FixtureRequest) -> None:
    settings.PAGE_ANALYTICS = True
