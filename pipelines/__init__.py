"""Plain-Python pipelines that chain harvest → transform → load per source. No Prefect here."""
