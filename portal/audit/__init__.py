"""The audit log and the merchant's access log page."""
