"""In-app notifications: reminders before a session, results published, changes to one's seat."""
