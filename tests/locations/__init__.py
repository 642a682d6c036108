"""Tests for the locations area."""
