from __future__ import annotations

import pytest

from desktop.services.context import ServiceContext
from tests.auth.people import People, make_people
from tests.helpers.clinic import ClinicFixture


@pytest.fixture
def people(ctx: ServiceContext, clinic: ClinicFixture) -> People:
    return make_people(ctx, clinic)
