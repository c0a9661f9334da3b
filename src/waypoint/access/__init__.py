"""Who may see whom. Every read of learner or staff records goes through this package:

- :func:`waypoint.access.viewer.viewer_for` turns a login into a :class:`Viewer`;
- :mod:`waypoint.access.policies` holds the rules, as querysets;
- :mod:`waypoint.access.selectors` are the reads views, the API and exports call.
"""
