"""Query expressions shared by the selectors of several apps."""

from django.db.models import IntegerField, Subquery


class SubqueryCount(Subquery):
    """COUNT(*) of a queryset correlated to the outer query (`OuterRef`): counted for the rows a page
    keeps only, where a JOIN with GROUP BY would count for every row of the list before LIMIT cuts it."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()
