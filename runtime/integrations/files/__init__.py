"""`file_read` / `file_write`: delimited, fixed-width, XML, Excel, text and JSON files.

Files live under a storage connection's root and nowhere else (`storage.py`); the
formats (`formats.py`) stream rows in and out so a large file never has to sit in
memory as a whole, within size and row limits.
"""
