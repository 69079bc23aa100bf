"""Plain-Python pipelines that chain harvest → transform → load per source. No Prefect here."""

import logging

# The run issues are logged (pipelines.run) for whoever listens: the Prefect flows send them
# to the run's log. Nobody listening is not a reason to print them on stderr (Python's
# last-resort handler would), where the CLI writes its own one-line errors.
logging.getLogger(__name__).addHandler(logging.NullHandler())
