"""Integration node types (database, files, SOAP, email, notify) and what they share.

Each node type is its own module, listed in ONEWEB["NODE_TYPE_MODULES"]. They reach the
outside world through named connections (`connections.py`), never through credentials
in the flow definition.
"""
