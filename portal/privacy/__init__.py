"""Personal data over time: erasing a customer's phone, retention, offboarding a merchant."""
