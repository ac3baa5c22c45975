"""Running the generated query in Spark (``eval --engine spark``), through PySpark.

Needs the ``spark`` extra (``pip install 'leaddsl[spark]'``) and Java 17 or later. The
leads file (CSV or Parquet) is read with every cell as text, as exported, numbered in
file order; the events file likewise. The query is the one ``leaddsl sql --dialect
spark`` prints, its as-of time bound as the named parameter ``as_of``. The session is
local (``local[*]``) unless one is already running or ``SPARK_REMOTE``/``spark-submit``
configures another: a cluster runs the same query over its own tables.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from .. import sql as S
from .. import types as T
from . import lines
from .duck import EngineError, check_csv_headers, check_event_columns, no_lead_column, no_lead_rows, table_stats

FORMATS = {".csv": "csv", ".parquet": "parquet"}
# The local session's settings. A query with many fields has a large plan, and Spark 4 kept
# each run's broadcast joins (~180 MB a run here) until a process running many queries ran
# out of its 1 GB heap: no broadcast joins (the leads/events joins sort and merge instead),
# and 2 GB for the driver, which is the whole of a local Spark (``spark.driver.memory`` counts
# only when this process starts the JVM; a session already running keeps its own settings).
# Its log (LOG4J, shipped with the package) says errors only, and not the compiler's stack
# trace when a stage's generated Java is too large and Spark interprets it instead.
LOG4J = Path(__file__).with_name("spark-log4j2.properties")
CONF = {"spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false", "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "4", "spark.driver.memory": "2g",
        "spark.sql.autoBroadcastJoinThreshold": "-1",
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile={LOG4J.as_uri()}"}
_session = None


def session():
    """The Spark session (one per process: starting one takes seconds)."""
    global _session
    if _session is not None:
        return _session
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError("--engine spark needs PySpark: pip install 'leaddsl[spark]' (and Java 17)") from None
    try:
        builder = SparkSession.builder.appName("leaddsl").master("local[*]")
        for key, value in CONF.items():
            builder = builder.config(key, value)
        _session = builder.getOrCreate()
    except Exception as e:  # no Java, or Java too old: PySpark says why in its first line
        raise EngineError(f"--engine spark could not start Spark: {str(e).strip().splitlines()[0]}") from None
    _session.sparkContext.setLogLevel("ERROR")
    return _session


_INTEGERS = ("tinyint", "smallint", "int", "bigint")


def _cells(df, path: str, typed: dict) -> dict:
    """For a Parquet file's typed columns that feed a field or property (``typed``: -> its
    type), each -> the text the query reads as the Python engine reads the value: a whole
    number as written, a boolean as ``true``/``false``, a FLOAT or DOUBLE (for a number) as the
    double, a list's elements joined by ``;`` (a null one left out); a value that keeps its
    type's text where Python reads a bad value (``true`` in a number) errs there too. A column
    whose values no text reads as Python does stops the run at its first value (EngineError):
    a boolean, list or struct in a text field, a number in a date, a DECIMAL, a FLOAT or a
    time outside a number or a time, a list element holding ``;``."""
    from pyspark.sql import functions as F
    kinds = dict(df.dtypes)
    out = {}
    for c, t in typed.items():
        kind = kinds.get(c, "string")
        if kind == "string":
            continue
        listed = isinstance(t, T.ListT)
        element = t.element if listed else t
        base = kind[6:-1] if kind.startswith("array<") else kind
        column = F.col(f"`{c}`")
        fits = _fits(base, element) if listed or not kind.startswith("array<") else t != T.TEXT
        if not fits:
            _refuse(df, path, c, column.isNotNull(), f"holds a Parquet {kind} value where {t} is expected (the "
                    "Python engine reads it as a bad value)")
        widened = "double" if base == "float" else None
        if kind.startswith("array<") and listed:
            each = F.transform(column, lambda x: F.coalesce((x.cast(widened) if widened else x).cast("string"),
                                                            F.lit("")))
            _refuse(df, path, c, F.exists(column, lambda x: x.cast("string").contains(";")),
                    "holds a list element with `;`, which the query would read as two")
            out[c] = F.concat(F.array_join(each, ";"), F.lit(";"))  # (see json_cells: one element is no whole cell)
        else:
            out[c] = (column.cast(widened) if widened else column).cast("string")
    return out


def _fits(kind: str, t) -> bool:
    """Whether a value of the Spark type ``kind``, as its text, reads in ``t`` as the Python
    engine reads it (a value, or a bad value in both)."""
    temporal = t in (T.DATE, T.DATETIME)
    if kind == "string" or isinstance(t, (T.EnumT, T.OrdinalT)):  # (no member is spelled as a number or true)
        return True
    if kind in _INTEGERS:
        return not temporal
    if kind == "boolean":
        return t != T.TEXT
    if kind in ("float", "double") or kind.startswith("decimal"):
        return t == T.NUMBER
    if kind == "date" or kind.startswith("timestamp"):
        return temporal
    return kind.startswith(("struct", "map", "array")) and t != T.TEXT


def _refuse(df, path: str, column: str, cond, what: str) -> None:
    """EngineError naming the first row of ``df`` where ``cond`` holds, if one does."""
    from pyspark.sql import functions as F
    hit = df.where(cond).select(F.min("_row")).collect()[0][0]
    if hit is not None:
        row = df.where(F.col("_row") < hit).count() + 1
        raise EngineError(f"{path}: row {row}: `{column}` {what}; --engine spark cannot read it as the Python engine "
                          "does (use --engine python)")


def _view(spark, path: str, name: str, typed=None, ids=()) -> list[str]:
    """A view ``name`` of the file, every cell as text, with ``_row`` in file order (a Parquet
    file's ``typed`` columns as ``_cells`` reads them)."""
    from pyspark.sql import functions as F
    p = Path(path)
    if not p.is_file():
        raise EngineError(f"{path}: no such file")
    fmt = FORMATS.get(p.suffix.lower())
    if fmt is None:
        raise EngineError(f"{path}: --engine spark reads .csv and .parquet files")
    reader = spark.read.format(fmt)
    if fmt == "csv":  # every cell as text, as exported; quoted cells may hold line breaks
        reader = reader.option("header", "true").option("inferSchema", "false").option("multiLine", "true") \
            .option("escape", '"')
    df = reader.load(str(p.resolve()))
    columns = df.columns
    if fmt == "csv":
        # Spark drops a row's cells beyond the header's, silently: read them into one more
        # column, and refuse the file when a row has any (the Python engine errs that row)
        from pyspark.sql.types import StringType, StructField, StructType
        extra = "_leaddsl_more_cells"
        schema = StructType([StructField(c, StringType()) for c in columns] + [StructField(extra, StringType())])
        df = reader.schema(schema).option("enforceSchema", "true").load(str(p.resolve()))
        wide = df.where(F.col(extra).isNotNull()).limit(1).count()
        if wide:
            raise EngineError(f"{path}: a row has more cells than the header has columns, which Spark would drop; "
                              "--engine python reads the file, and names each such row in that row's error")
        df = df.drop(extra)
        if len(columns) > 1:  # a line of white space alone is no row for the Python reader
            first = F.regexp_replace(F.col(f"`{columns[0]}`"), r"(?U)^\s+|\s+$", "")
            blank = F.coalesce(first, F.lit("")) == F.lit("")
            for c in columns[1:]:
                blank = blank & F.col(f"`{c}`").isNull()
            df = df.where(~blank)
    df = df.withColumn("_row", F.monotonically_increasing_id())
    cells = _cells(df, path, {c: t for c, t in (typed or {}).items() if c in columns}) if fmt == "parquet" else {}
    kinds = dict(df.dtypes)
    for c in ids:  # a floating-point id (a pandas export of an integer column with gaps): 8.0 is 8, as in Python
        if kinds.get(c) in ("float", "double") and c not in cells:
            x = F.col(f"`{c}`").cast("double")
            cells[c] = F.when((x == F.floor(x)) & (F.abs(x) < 1e18), x.cast("bigint").cast("string")).otherwise(
                x.cast("string"))
    df = df.select(*[cells[c].alias(c) if c in cells else F.col(f"`{c}`").cast("string").alias(c) for c in columns],
                   "_row")
    df.createOrReplaceTempView(name)
    return columns


def _native_ids(spark, path: str, id_field: str):
    """The lead ids as a Parquet file types them, in file order (an iterator), when they are
    not text (the view reads every cell as text); else None."""
    from pyspark.sql import functions as F
    if FORMATS.get(Path(path).suffix.lower()) != "parquet":
        return None
    df = spark.read.parquet(str(Path(path).resolve()))
    if dict(df.dtypes).get(id_field) in (None, "string"):
        return None
    rows = df.select(F.col(f"`{id_field}`")).withColumn("_n", F.monotonically_increasing_id()).orderBy("_n") \
        .select(F.col(f"`{id_field}`")).toLocalIterator()
    return (r[0] for r in rows)


def _lined(spark, path: str, folder: str) -> str | None:
    """The view ``_events_lined``: ``_events_file`` with each event's ``_line`` as the Python
    reader numbers it (see ``lines.py``); returns the file and what its numbers count
    (``e.csv line``), or None (and no view) when the lines are not known."""
    from pyspark.sql import Window, functions as F
    df = spark.table("_events_file")
    numbering = lines.numbering(path, df.count(), folder)
    if numbering is None:
        return None
    # ``_row`` orders the rows but counts from 0 in each partition: number them 1, 2, ...
    df = df.withColumn("_n", F.row_number().over(Window.orderBy("_row")))
    if numbering.offset is not None:
        df = df.withColumn("_line", F.col("_n") + F.lit(numbering.offset))
    else:
        pairs = spark.read.csv(numbering.table, schema="`_n` BIGINT, `_line` BIGINT")
        df = df.join(pairs, "_n", "left")
    df.drop("_n").createOrReplaceTempView("_events_lined")
    return f"{path} {numbering.unit}"


def _rows(df, folder: Path):
    """The query's rows as dicts, in its order, streamed: Spark writes them as JSON Lines into
    ``folder`` (a file per partition, numbered in the sort's order) and they are read back a
    line at a time. (With ``toLocalIterator`` Spark 4 kept every run's plan: ~20 MB a run of
    a query with many fields, broadcasts off.) The values are those ``Row.asDict`` gives;
    JSON spells a double's infinity or NaN as text, read back here."""
    import json
    from pyspark.sql import types as T
    numbers = {f.name for f in df.schema.fields if isinstance(f.dataType, (T.DoubleType, T.FloatType))}
    other = [f"{f.name}: {f.dataType.simpleString()}" for f in df.schema.fields if not isinstance(
        f.dataType, (T.DoubleType, T.FloatType, T.StringType, T.BooleanType, T.IntegralType))]
    if other:  # the query gives only these; a new type needs its reading back here
        raise EngineError(f"spark: cannot read back the columns {', '.join(other)}")
    df.write.option("ignoreNullFields", "false").json(str(folder))
    for part in sorted(folder.glob("part-*")):
        with open(part, encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                for name in numbers:
                    if isinstance(row[name], str):
                        row[name] = float(row[name])
                yield row


def evaluate_files(program, leads: str, events: str | None = None, as_of=None, *, id_field: str = "id",
                   lead_field: str = "lead_id", type_field: str = "type", ts_field: str = "ts", keep=(),
                   stats: dict | None = None, bad_values: str = "error"):
    """As ``duck.evaluate_files``, run by Spark: one dict per lead row, in file order."""
    from ..runtime.program import normalize_as_of
    moment = normalize_as_of(as_of)
    spark = session()
    from pyspark.errors import PySparkException
    from py4j.protocol import Py4JJavaError
    folder = tempfile.TemporaryDirectory(prefix="leaddsl-")
    try:
        check_csv_headers(leads, events)
        columns = _view(spark, leads, "_leads_file", {".".join(s.path): s.type for s in program.plan.slots},
                        ids=(id_field,))
        if stats is not None:  # where each lead row is in its file (see duck.evaluate_files)
            stats["place"] = lines.places(leads, spark.table("_leads_file").count(), folder.name)
        for c in [id_field, *program.columns, *keep]:
            if c not in columns:
                raise no_lead_column(leads, columns, c, program, keep, id_field)
        props = sorted(program.event_columns)
        if events is not None:
            typed = {pr.name: pr.type for e in program.plan.events.values() for pr in e.props}
            ev_columns = _view(spark, events, "_events_file", {**typed, ts_field: T.DATETIME}, ids=(lead_field,))
            check_event_columns(events, ev_columns, program, (lead_field, type_field, ts_field))
            if stats is not None:
                stats["no_lead"] = no_lead_rows(lambda q: [tuple(r) for r in spark.sql(q).collect()], "spark", events,
                                                lead_field, folder.name)
        else:
            lead_field, type_field, ts_field = "lead_id", "type", "ts"
            schema = ", ".join(f"`{c}` STRING" for c in ["lead_id", "type", "ts", *props]) + ", `_row` BIGINT"
            spark.createDataFrame([], schema).createOrReplaceTempView("_events_file")
        at = _lined(spark, events, folder.name) if events is not None and program.plan.events else None
        query = S.to_sql(program, "spark", leads="_leads_file", events="_events_file" if at is None else
                         "_events_lined", id_field=id_field, lead_field=lead_field, type_field=type_field,
                         ts_field=ts_field, row_field="_row", keep=tuple(keep), line_field=None if at is None else
                         "_line", events_at=at or "", bad_values=bad_values)
        if stats is not None:
            stats.update(table_stats(lambda q: [tuple(r) for r in spark.sql(q).collect()], "spark", id_field,
                                     lead_field if events is not None else None))
        iso = moment.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
        native = _native_ids(spark, leads, id_field)
        for out in _rows(spark.sql(query, args={"as_of": iso}), Path(folder.name) / "rows"):
            if native is not None:  # the file's own number, as the Python engine writes it
                out[id_field] = next(native)
            out["error"] = lines.as_python(program, out["error"], events if at is not None else None)
            yield out
    except PySparkException as e:
        raise EngineError(f"spark: {str(e).strip().splitlines()[0]}") from None
    except Py4JJavaError as e:  # what PySpark does not translate (the JVM out of memory, say): Java's own words
        try:
            said = [ln[2:].strip() for ln in str(e).splitlines() if ln.startswith(": ")] or [e.errmsg.strip()]
        except Exception:  # the JVM is gone and cannot say
            said = [e.errmsg.strip()]
        raise EngineError(f"spark failed: {said[0]}") from None
    finally:
        try:  # the run's views go with it (not when the JVM is gone: the error above says why)
            for view in ("_leads_file", "_events_file", "_events_lined"):
                spark.catalog.dropTempView(view)
        except Exception:
            pass
        folder.cleanup()
