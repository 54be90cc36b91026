"""``switchboard report``: call records in, an HTML page with charts and a text summary out.

``summary`` aggregates (pure), ``svg`` draws (pure), ``page`` lays out (pure); the
command in ``agent.cli.report`` does the reading and writing.
"""
