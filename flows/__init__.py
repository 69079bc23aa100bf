"""Prefect flows and deployments over `pipelines/`, and the `oer` command line.

Importing this package does not import Prefect: the CLI stays fast, and only the
modules that define flows pull it in.
"""
