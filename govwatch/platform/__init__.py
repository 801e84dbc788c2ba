"""The 纠错 platform: a web application over the govwatch database (``govwatch serve``).

Units sign in to see and answer the problems of their own sites (claim 认领, answer 已整改
with proof, dispute 有异议); the office watches every unit, decides disputes and publishes
bulletins; auditors read everything and change nothing. Every change goes through the
issue tracker (:mod:`govwatch.reports.tracker`), so the audit trail names the account that
acted. The scheduler keeps writing the same database while the platform serves: pages read
through read-only connections (WAL mode lets them run beside a scan's writer), and each
change takes the write lock for its own short transaction.

Above the workflow and reports, below the command line: nothing imports it but
:mod:`govwatch.cli`.
"""
