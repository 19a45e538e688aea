"""The demo's forms: "loan-application" shows all three execution models on one page —
a blocking "Check" (credit-check), a non-blocking "Score in background" (slow-score: a wait
and an http call to the built-in /demo/score), and "Submit for approval", which starts the
`loan-approval` process (a manager task). `load_demo` calls `ensure_demo_forms`; it is
idempotent and saves a new version only when the definition changed."""

from __future__ import annotations

from typing import Any

from designer import form_services
from designer.form_models import Form, FormVersion
from designer.form_spec import process_exists

LOAN_APPROVAL: dict[str, Any] = {
    "name": "loan-approval", "title": "Loan approval",
    "params": [{"name": "amount", "type": "number", "required": True},
               {"name": "applicant", "type": "string"}],
    "nodes": [
        {"id": "start", "type": "start"},
        {"id": "manager", "type": "user_task", "config": {
            "title": "'Approve a loan of ' + string(amount) + ' for ' + (applicant == null ? 'someone' : applicant)",
            "group": "managers", "outcomes": ["approve", "reject"], "due_in": "P2D",
            "escalate_to": {"group": "directors"}}},
        {"id": "decide", "type": "decision", "config": {"condition": "manager.outcome == 'approve'"}},
        {"id": "approved", "type": "end"},
        {"id": "rejected", "type": "end"},
    ],
    "edges": [{"from": "start", "to": "manager"}, {"from": "manager", "to": "decide"},
              {"from": "decide", "to": "approved", "when": "true"},
              {"from": "decide", "to": "rejected", "when": "false"}],
}

LOAN_APPLICATION: dict[str, Any] = {
    "name": "loan-application", "title": "Loan application",
    "description": "Check is blocking (the page waits); Score in background is not (carry on typing); "
                   "Submit for approval starts a process with a manager task.",
    "fields": [
        {"name": "applicant", "label": "Applicant", "type": "text", "required": True},
        {"name": "amount", "label": "Amount", "type": "number", "required": True},
        {"name": "purpose", "label": "Purpose", "type": "select",
         "options": [{"value": "car", "label": "Car"}, {"value": "home", "label": "Home"},
                     {"value": "study", "label": "Study"}]},
        {"name": "approved", "label": "Approved by the quick check", "type": "checkbox", "readonly": True},
        {"name": "reason", "label": "Reason", "type": "text", "readonly": True},
        {"name": "score", "label": "Score", "type": "number", "readonly": True},
        {"name": "notes", "label": "Notes", "type": "textarea"},
    ],
    "buttons": [
        {"label": "Check", "microflow": "credit-check", "blocking": True, "input": {"amount": "amount"},
         "output": {"approved": "approved", "score": "score",
                    "reason": "has(output.reason) ? output.reason : ''"}},
        {"label": "Score in background", "microflow": "slow-score", "blocking": False,
         "input": {"amount": "amount"}, "output": {"score": "score"}},
        {"label": "Submit for approval", "process": "loan-approval",
         "input": {"amount": "amount", "applicant": "applicant"}},
    ],
}


def ensure_loan_approval(owner) -> bool:
    """Adds `loan-approval` through the processes app's service unless it exists already."""
    if process_exists(LOAN_APPROVAL["name"]):
        return False
    try:
        from processes import services as process_services
    except ImportError:
        return False
    process_services.create_process(LOAN_APPROVAL, owner)
    return True


def ensure_demo_forms(owner) -> list[str]:
    """Saves the demo forms; returns the names created or given a new version."""
    ensure_loan_approval(owner)
    changed = []
    for definition in (LOAN_APPLICATION,):
        form = Form.objects.filter(name=definition["name"]).first()
        if form is None:
            form_services.create_form(definition, owner)
            changed.append(definition["name"])
            continue
        current = FormVersion.objects.get(form=form, version=form.current_version).definition
        if current != form_services.check_form(definition):
            form_services.update_form(definition["name"], definition, owner, comment="demo")
            changed.append(definition["name"])
    return changed
