"""The ASGI app uvicorn serves (`ticketdesk.main:app`)."""

import gc

from ticketdesk.app import create_app

app = create_app()
# Everything imported and built so far lives as long as the process: take it out of the
# cyclic collector's view, so its full collections walk only what requests create (shorter
# pauses, fewer slow outliers in request latency). A request allocates thousands of objects
# (ORM rows, validated models), so the youngest generation is collected less eagerly too.
gc.freeze()
gc.set_threshold(20_000, 20, 20)
