"""When things happen: weekly scans, availability probes, Wednesday/Friday bulletins.

Knows time only: it calls the crawler, the rules and the reports and holds none of their
logic. The APScheduler service arrives with the scheduler issue; today `govwatch scan` and
the listings are run by hand or from cron.
"""
