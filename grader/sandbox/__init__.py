"""The trust boundary: everything that touches student code.

Student code runs only in a worker process (``worker.py``) started and
spoken to by ``client.py``.  The two sides exchange frames (``framing.py``)
whose payload is a JSON header plus raw array bytes (``codec.py``), so the
grader never decodes anything that can run code.  This package imports
nothing from the rest of ``grader``, which keeps the boundary small enough to
audit on its own.
"""
