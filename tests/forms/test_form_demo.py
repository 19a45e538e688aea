"""`load_demo` brings the loan-application form (and the loan-approval process it starts)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_load_demo_adds_the_loan_application_form_once(admin_api):
    call_command("load_demo", verbosity=0)
    form = admin_api.get("/api/forms/loan-application").json()
    assert form["version"] == 1
    assert [b["label"] for b in form["buttons"]] == ["Check", "Score in background", "Submit for approval"]
    assert [b.get("blocking") for b in form["buttons"][:2]] == [True, False]
    assert admin_api.get("/api/processes/loan-approval").status_code == 200
    call_command("load_demo", verbosity=0)
    assert admin_api.get("/api/forms/loan-application").json()["version"] == 1


def test_the_demo_check_button_answers_with_mapped_outputs(admin_api):
    call_command("load_demo", verbosity=0)
    response = admin_api.post("/api/forms/loan-application/buttons/0/press",
                              {"values": {"applicant": "Ann", "amount": 5000}})
    assert response.status_code == 200, response.content
    assert response.json()["outputs"] == {"approved": False, "score": 300, "reason": "too big"}
    small = admin_api.post("/api/forms/loan-application/buttons/0/press", {"values": {"applicant": "Ann", "amount": 50}})
    assert small.json()["outputs"] == {"approved": True, "score": 700, "reason": ""}
