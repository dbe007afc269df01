"""The ASGI app uvicorn serves (`ticketdesk.main:app`)."""

from ticketdesk.app import create_app

app = create_app()
