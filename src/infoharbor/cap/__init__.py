"""CAP (the OASIS Common Alerting Protocol) in and out: read 1.0, 1.1 and 1.2 alerts, EDXL-DE
distributions and CAP index feeds; validate them against the schema and the standard's rules;
write CAP 1.2; turn areas into geometry. A plain library: no Django, no network.

    from infoharbor.cap.validate import validate_alert
    from infoharbor.cap.write import write_alert

See docs/development/cap.md.
"""
