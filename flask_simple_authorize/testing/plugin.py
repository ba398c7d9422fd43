"""The pytest plugin (``pytest11`` entry point): fixtures for apps that use the extension."""
