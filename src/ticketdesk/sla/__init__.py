"""SLA: business hours, policies, every ticket's clocks, their explanation and the breach sweep."""
