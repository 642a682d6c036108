"""Helpers the whole suite shares: POS API calls, sandbox controls, ports, catalogues."""
