"""The domain core: answers, safety, turns, bookings, handoffs and the store, shared by every edge."""
