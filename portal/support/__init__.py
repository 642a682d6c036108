"""The support staff console: sign-in, merchant directory and audited "view as merchant"."""
