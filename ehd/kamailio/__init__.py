"""Kamailio in front of Asterisk: the agents' registrar and the SIP proxy for the trunk."""
