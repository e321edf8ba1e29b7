"""Bookings of the parks' offline spaces: the pure rules (no I/O, no clock: ``now`` and
the zone's ``tzinfo`` are passed in). Times are aware ``datetime``s in UTC; the space's
opening hours, blackout dates and recurring series are in the zone's local time
(Asia/Shanghai by default, a setting), so the same rules hold in a zone with daylight
saving time."""
