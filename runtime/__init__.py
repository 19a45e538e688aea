"""Run time: the microflow engine, sync and RQ execution, execution records, WebSocket pushes."""
