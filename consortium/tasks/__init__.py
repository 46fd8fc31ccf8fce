"""Tasks and deadlines: who does what by when, reminders, the proposal activity log."""
