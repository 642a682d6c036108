"""Tests for the rewards area."""
