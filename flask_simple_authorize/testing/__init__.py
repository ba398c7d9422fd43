"""Test helpers for apps that use Flask-Simple-Authorize."""
