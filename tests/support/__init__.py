"""Helpers the tests share: fixture portals and scans of them, a small world of scans and
issues for the report tests, a scan builder for the rule tests, a misbehaving link lab, and
the command line run in process. No test module imports another; they import from here."""
