"""Process models: definitions with immutable versions, instances, human tasks, timers, history."""

from processes.models.definitions import ProcessDefinition, ProcessVersion
from processes.models.instances import InstanceStatus, ProcessEvent, ProcessInstance
from processes.models.tasks import Task, TaskStatus
from processes.models.timers import Timer, TimerKind, TimerStatus

__all__ = [
    "ProcessDefinition", "ProcessVersion", "ProcessInstance", "InstanceStatus", "ProcessEvent",
    "Task", "TaskStatus", "Timer", "TimerKind", "TimerStatus",
]
