"""Widgets every screen shares: header with connection badge, alert banners, toasts."""
