"""Query expressions shared by the selectors of several apps."""

from django.db import connection
from django.db.models import IntegerField, Model, QuerySet, Subquery
from django.db.models.expressions import RawSQL


class SubqueryCount(Subquery):
    """COUNT(*) of a queryset correlated to the outer query (`OuterRef`): counted for the rows a page
    keeps only, where a JOIN with GROUP BY would count for every row of the list before LIMIT cuts it."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def from_project_start(rows: QuerySet[Model], *, project_id: int, key: str = "id") -> QuerySet[Model]:
    """`rows` of one project, bounded below by that project's first `key` (the model has an index on
    (project, key)).

    A page of one project's rows in `key` order (LIMIT n) leads PostgreSQL to walk the `key` index and
    filter, on the assumption that matches are spread evenly; when an older project's rows come first it
    walks all of them. Asked for the first row with `project_id = X` in `key` order it makes the same
    choice. The row comparison `(project, key) >= (X, 0)` in (project, key) order can only be answered by
    the (project, key) index: one step down it gives the first row of this project (or of a later one,
    when this one has none and the page is empty anyway), and the page's walk starts there.
    """
    quote = connection.ops.quote_name
    meta = rows.model._meta
    table, project = quote(meta.db_table), quote(meta.get_field("project").column)
    column = quote(meta.get_field(key).column)
    first = RawSQL(  # noqa: S611 (identifiers from the model, the value a parameter)
        f"SELECT {column} FROM {table} WHERE ({project}, {column}) >= (%s, 0) "  # noqa: S608
        f"ORDER BY {project}, {column} LIMIT 1",
        (project_id,),
    )
    return rows.filter(project_id=project_id, **{f"{key}__gte": first})
