"""Processes: long-running approval workflows, human tasks, timers and the approval inbox."""
