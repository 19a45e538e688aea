"""Connections (and business objects): the server side of the integration nodes."""
