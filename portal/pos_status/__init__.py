"""What the POS back-end learns of each merchant: the summary it reads and the events it gets."""
