"""The booking service of the parks' offline spaces (issue 11): one-click booking,
weekly series, approvals, the waitlist, check-in codes and the release of no-shows,
over ``server.db.bookings`` (where the database refuses double bookings) and the pure
rules of ``world.bookings``. See docs/bookings.md."""
