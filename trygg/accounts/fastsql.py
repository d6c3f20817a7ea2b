"""Plain SQL for the API's hot path, with the ORM's own value conversions.

The API's busiest request (a report: token check, the caller's memberships, the report, its
events and audit entry) runs the same few queries every time; building them through the ORM
costs more CPU than running them. A :class:`Columns` lists a model's concrete columns under a
table alias for a ``SELECT`` and turns that slice of a result row back into a model instance
with the backend's and the fields' own converters (dates, booleans, UUIDs, JSON), the way
``QuerySet`` iteration does. :func:`insert` writes model instances the way ``bulk_create``
does (``pre_save`` for auto dates, ``get_db_prep_save`` for values) in one ``INSERT``, and
sets the new ids. Neither sends model signals: use them only for models without receivers
(or where the caller does the receivers' work, as the event write path does).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import connection as default_connection
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper


class Columns:
    """The concrete columns of ``model`` under ``alias``; builds instances from row slices."""

    def __init__(self, model, alias: str):
        self.model = model
        self.alias = alias
        self.fields = list(model._meta.concrete_fields)
        self.attnames = [f.attname for f in self.fields]
        self.width = len(self.fields)
        self._converters: dict[str, list] = {}
        self._sql: dict[str, str] = {}

    def sql(self, connection=default_connection) -> str:
        found = self._sql.get(connection.vendor)
        if found is None:
            qn = connection.ops.quote_name
            found = self._sql[connection.vendor] = ", ".join(f"{self.alias}.{qn(f.column)}" for f in self.fields)
        return found

    def converters(self, connection) -> list:
        """(position, converter functions, column) for the fields that need converting."""
        found = self._converters.get(connection.alias)
        if found is None:
            found = []
            table = self.model._meta.db_table
            for i, field in enumerate(self.fields):
                col = field.get_col(table)
                functions = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if functions:
                    found.append((i, functions, col))
            self._converters[connection.alias] = found
        return found

    def build(self, row, start: int = 0, connection=default_connection):
        """The instance held in ``row[start:start + width]`` (pass the real connection: :func:`real`)."""
        values = list(row[start:start + self.width])
        for i, functions, col in self.converters(connection):
            value = values[i]
            for function in functions:
                value = function(value, col, connection)
            values[i] = value
        return self.model.from_db(connection.alias, self.attnames, values)


# Field types whose Python value (already validated) is the database parameter on every backend.
_PLAIN_TYPES = frozenset({
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField", "FloatField", "BooleanField",
    "CharField", "TextField", "SlugField", "EmailField",
})
_UTC = dt.UTC
_insert_plans: dict[tuple, tuple] = {}


def real(connection):
    """The connection object itself rather than Django's ``connection`` proxy, whose every
    attribute access goes through a thread-local lookup."""
    if isinstance(connection, BaseDatabaseWrapper):
        return connection
    return connections[connection.alias]


def _preparer(field, connection):
    """A function turning a field's Python value into the query parameter (None: the value itself).

    The same result as ``field.get_db_prep_save``, with short cuts for the common cases on
    SQLite and PostgreSQL: aware datetimes (SQLite stores UTC text, as Django writes it) and UUIDs.
    """
    kind = field.get_internal_type()
    if kind in ("ForeignKey", "OneToOneField"):
        kind = field.target_field.get_internal_type()
        if kind in ("AutoField", "BigAutoField", "SmallAutoField"):
            return None
    if kind in _PLAIN_TYPES:
        return None

    def general(value):
        return field.get_db_prep_save(value, connection)

    sqlite, postgres = connection.vendor == "sqlite", connection.vendor == "postgresql"
    if kind == "DateTimeField" and settings.USE_TZ and (postgres or connection.timezone_name == "UTC"):
        def datetime_value(value):
            if value is None:
                return None
            if type(value) is dt.datetime and value.tzinfo is not None:
                return str(value.astimezone(_UTC).replace(tzinfo=None)) if sqlite else value
            return general(value)
        return datetime_value if sqlite or postgres else general
    if kind == "UUIDField" and (sqlite or postgres):
        def uuid_value(value):
            if type(value) is uuid.UUID:
                return value if connection.features.has_native_uuid_field else value.hex
            return general(value)
        return uuid_value
    return general


def _insert_plan(model, connection) -> tuple:
    """(SQL prefix, one-row placeholder, [(field, fills an auto date, preparer)], RETURNING, id converters)."""
    key = (model, connection.alias)
    plan = _insert_plans.get(key)
    if plan is None:
        qn = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key or not f.db_returning]
        steps = [(f, bool(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)),
                  _preparer(f, connection)) for f in fields]
        pk = model._meta.pk
        returning = f" RETURNING {qn(pk.column)}" if pk.db_returning else ""
        pk_col = pk.get_col(model._meta.db_table)
        plan = (
            f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES ",
            "(" + ", ".join(["%s"] * len(fields)) + ")", steps, returning,
            [(fn, pk_col) for fn in connection.ops.get_db_converters(pk_col) + pk_col.get_db_converters(connection)],
        )
        _insert_plans[key] = plan
    return plan


def can_insert(connection=default_connection) -> bool:
    """One multi-row ``INSERT … RETURNING`` gives the new ids in row order on this backend."""
    return connection.features.can_return_rows_from_bulk_insert


def insert(objs: list, connection=default_connection) -> None:
    """Insert unsaved instances of one model in one statement; sets their ids (``RETURNING``).

    Auto dates (``auto_now``/``auto_now_add``) are filled in as a save would. Call only when
    :func:`can_insert` holds (or for models whose id is set before).
    """
    if not objs:
        return
    connection = real(connection)
    model = type(objs[0])
    prefix, one_row, steps, returning, pk_converters = _insert_plan(model, connection)
    params = []
    for obj in objs:
        for field, auto_date, prepare in steps:
            value = field.pre_save(obj, True) if auto_date else getattr(obj, field.attname)
            params.append(value if prepare is None else prepare(value))
    with connection.cursor() as cursor:
        cursor.execute(prefix + ", ".join([one_row] * len(objs)) + returning, params)
        ids = [row[0] for row in cursor.fetchall()] if returning else None
    if ids is not None and len(ids) != len(objs):
        raise RuntimeError(f"INSERT … RETURNING gave {len(ids)} ids for {len(objs)} rows")
    alias = connection.alias
    for i, obj in enumerate(objs):
        if ids is not None:
            value = ids[i]
            for function, col in pk_converters:
                value = function(value, col, connection)
            obj.pk = value
        obj._state.adding = False
        obj._state.db = alias


def insert_values(model, attnames: list[str], rows: list[tuple], connection=default_connection) -> None:
    """Insert rows of database-ready values (plain numbers and strings) for these columns of
    ``model`` in one statement, without building instances; no ids are returned."""
    if not rows:
        return
    connection = real(connection)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in attnames)
    one_row = "(" + ", ".join(["%s"] * len(attnames)) + ")"
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES " + ", ".join([one_row] * len(rows)),
                       [value for row in rows for value in row])
