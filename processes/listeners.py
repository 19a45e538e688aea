"""The runtime's execution listener (ONEWEB["EXECUTION_LISTENERS"]): a finished async run
whose source is `process:<instance id>` resumes that instance's microflow step."""

from __future__ import annotations


def on_execution_finished(execution) -> None:
    if (execution.source or "").startswith("process:"):
        from processes import services

        services.microflow_finished(execution)
