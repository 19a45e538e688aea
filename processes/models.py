"""Process models arrive with the processes issue (#4)."""
