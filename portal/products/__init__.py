"""The Products page: the merchant's POS catalogue, searched, and a reward's SKU list composed."""
