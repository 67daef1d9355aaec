"""One timeline per customer: every event, in event-time order, on its customer's profile."""
