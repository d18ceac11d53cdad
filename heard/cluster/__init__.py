"""Spread `heard run` over machines through PostgreSQL itself, with Procrastinate's tasks, locks and periodic jobs.

Loaded only when every workspace's database is a PostgreSQL URL: a SQLite user never imports Procrastinate.
``place`` names where the task tables live, ``pool`` lends each task a workspace's app, ``shards`` splits
tagging and deciding, ``tasks`` defines the work, ``worker`` runs it, and ``health`` reads the workers and
tasks for `heard status` (without Procrastinate).
"""
