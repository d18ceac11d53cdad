"""The local web inbox: what waits for a person, decided by keyboard in a browser beside the queue file.

``listing`` and ``item`` build the views from the store, ``decisions`` applies and undoes decisions,
``live`` tells open pages about changes, ``security`` guards every request, ``server`` holds the routes
and ``serve`` runs them under uvicorn. Nothing here is imported until `heard inbox` runs.
"""
