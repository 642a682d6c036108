"""Merchant entry: the signed link-out from the POS admin panel."""
