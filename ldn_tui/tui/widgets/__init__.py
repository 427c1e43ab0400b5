"""The panes of the main screen and the search widgets."""
