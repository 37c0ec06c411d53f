"""Pagination for lists that grow with a project (claims run to millions)."""

from rest_framework.pagination import CursorPagination
from rest_framework.request import Request

from api.params import BadParameter, int_param


class KeysetPagination(CursorPagination):
    """Pages by the primary key: each page is an index range scan from the last row of the one before,
    never an OFFSET past rows or a COUNT over the whole list; follow `next` (an opaque `cursor`)."""

    ordering = "id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request: Request) -> int:
        """`page_size` from 1 to `max_page_size` (a larger one is cut to it); anything else is a 400
        naming it, where DRF would quietly use the default."""
        size = int_param(request.query_params, self.page_size_query_param)
        if size is None:
            return self.page_size
        if size < 1:
            raise BadParameter(self.page_size_query_param, f"must be from 1 to {self.max_page_size}.")
        return min(size, self.max_page_size)


class PassageOrderPagination(KeysetPagination):
    """Assignments in passage order (the order the passages were imported: by document, then position),
    a page at a time from the index (project, passage, annotator); follow `next`."""

    ordering = ("passage_id", "annotator_id")
