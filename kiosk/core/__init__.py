"""The kiosk core: state kept equal to the server, with no Qt import."""
