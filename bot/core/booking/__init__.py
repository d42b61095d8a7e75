"""Home-visit bookings: dates, contact details, slots and the booking rules."""
