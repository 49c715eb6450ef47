"""Automation: the landing-folder sensor and the frequent refresh schedule."""
