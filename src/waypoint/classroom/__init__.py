"""The teacher's dashboard: the mastery grid, suggested small groups, next best interventions,
and whether past interventions worked (issue 6; the numbers come from ``waypoint.engine``)."""
