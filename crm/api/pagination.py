"""Cursor pagination for every API list: stable under inserts and constant-time at any depth."""

from __future__ import annotations

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Orders by primary key descending unless a view says otherwise; clients may ask for up to 200 rows."""

    ordering = "-pk"
    page_size_query_param = "page_size"
    max_page_size = 200
