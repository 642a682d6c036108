"""Demo merchants, locations and catalogues, loaded through the POS API like a real POS would."""
