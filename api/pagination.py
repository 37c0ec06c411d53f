"""Pagination for lists that grow with a project (claims run to millions)."""

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Pages by the primary key: each page is an index range scan from the last row of the one before,
    never an OFFSET past rows or a COUNT over the whole list; follow `next` (an opaque `cursor`)."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class PassageOrderPagination(KeysetPagination):
    """Assignments in passage order (the order the passages were imported: by document, then position),
    a page at a time from the index (project, passage, annotator); follow `next`."""

    ordering = ("passage_id", "annotator_id")
