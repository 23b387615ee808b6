"""Every write of the strategies app: catalog (content loading), mine (users' strategies)."""
