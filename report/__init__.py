"""The status page and Atom feeds (``carewatch report``): a static site written from the
database, readable without a server or JavaScript.

``data`` reads the database into ``records``; ``timeline`` (the SVG chart), ``page`` (HTML)
and ``atom`` (feeds) are pure renderers of those records; ``site`` writes the files, and
``build`` ties the four together at the edge, where the clock is read.
"""
