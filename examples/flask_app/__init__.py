"""Flask example app for k2connect: STK push form, callback and webhook receiver (see app.py)."""
