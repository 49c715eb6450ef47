"""The weekly review: settings, ISO weeks, the data read from the marts, and the page renderer."""
