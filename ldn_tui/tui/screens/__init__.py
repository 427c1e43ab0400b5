"""The app's screens: loading, main (the panes), study detail, summary, help and dialogs."""
