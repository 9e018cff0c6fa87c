"""People and their ways in: phones enrolled by a one-time code, staff with a password and
a second factor, and the coordinators who manage them."""
