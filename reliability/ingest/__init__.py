"""Loading landing files into the warehouse's raw tables."""
