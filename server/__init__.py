"""The Flask-SocketIO order hub."""
