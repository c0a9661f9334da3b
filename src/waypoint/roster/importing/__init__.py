"""Roster imports, format-neutral: the data an importer hands over, the plan, and the writer.

``interop`` parses and validates a format (OneRoster CSV) into :class:`RosterData`;
``waypoint.roster.services.import_roster`` plans it against the district's rows and writes it.
"""
