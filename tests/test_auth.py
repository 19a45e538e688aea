"""Bearer tokens: issued for good credentials, remembered briefly, forgotten when the user changes."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_a_token_works_until_its_user_is_deactivated(api, alice):
    assert api.get("/api/microflows").status_code == 200
    assert api.get("/api/microflows").status_code == 200  # served from the process's token memory
    alice.is_active = False
    alice.save()
    response = api.get("/api/microflows")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_a_deleted_token_stops_working(api, alice):
    from oneweb.models import ApiToken

    assert api.get("/api/microflows").status_code == 200
    ApiToken.objects.filter(user=alice).delete()
    assert api.get("/api/microflows").status_code == 401


def test_a_garbage_token_is_refused(anonymous):
    anonymous.headers = {"HTTP_AUTHORIZATION": "Bearer nonsense"}
    assert anonymous.get("/api/microflows").status_code == 401
