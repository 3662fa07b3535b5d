"""Framework adapters for the webhook receiver, one optional extra each.

Import the one you use (``k2connect_ext.webhooks.adapters.starlette``, ``.flask`` or ``.django``);
this package imports no framework, so installing k2connect without them costs nothing.
"""
