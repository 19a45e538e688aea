"""The compiled-flow cache never serves a deleted microflow's compile to a re-created one."""

from __future__ import annotations

import copy

import pytest

from runtime import catalog
from tests.flows import CREDIT_CHECK

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_recreated_microflow_is_compiled_afresh_even_when_its_row_id_is_reused(api, monkeypatch):
    api.post("/api/microflows", CREDIT_CHECK)
    first = catalog.latest("credit-check")
    # Another process deletes it: this process's cache is not told (no forget()).
    monkeypatch.setattr(catalog, "forget", lambda name: None)
    assert api.delete("/api/microflows/credit-check").status_code == 204
    changed = copy.deepcopy(CREDIT_CHECK)
    changed["nodes"][2]["config"]["output"] = {"approved": "true", "new": "1"}
    api.post("/api/microflows", changed)
    again = catalog.latest("credit-check")
    assert again is not first
    assert api.post("/api/microflows/credit-check/run", {"input": {"amount": 1}}).json()["output"] == {
        "approved": True, "new": 1}
