"""Tests of riskreg."""
