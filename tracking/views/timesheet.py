"""The weekly timesheet grid."""
