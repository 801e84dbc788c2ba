"""Reports for people: issue tracking across scans, bulletins and scorecards."""
