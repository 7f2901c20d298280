"""Op declarations and the code that runs them."""
