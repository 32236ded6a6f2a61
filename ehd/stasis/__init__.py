"""The Stasis application: every channel that enters ehd's ARI application is dispatched from
here to a call route (menu, queue, voicemail, SIP), remote login or the fallback dialplan."""
