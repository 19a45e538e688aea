"""Project-level pages: home needs a sign-in, the favicon is served, the built-in demo endpoint answers."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_asks_anonymous_visitors_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_favicon_is_an_svg(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"


def test_the_demo_score_endpoint_scores_and_refuses_bad_amounts(client):
    assert client.get("/demo/score?amount=1000").json() == {"score": 840}
    bad = client.get("/demo/score?amount=lots")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
