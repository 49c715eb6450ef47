{#-
    Time arithmetic that differs between DuckDB, PostgreSQL and Spark SQL, behind adapter.dispatch.
    Every timestamp here is a naive UTC timestamp (DuckDB TIMESTAMP, PostgreSQL timestamp without
    time zone, Spark TIMESTAMP with spark.sql.session.timeZone = UTC). Results keep that type.
    default__ is PostgreSQL-flavoured ANSI SQL.
-#}

{#- ts plus `amount` (a number or a column, may be fractional or negative) of `unit`:
    'second', 'minute', 'hour', 'day' or 'week'. Exact to the microsecond; no calendar months
    (use dbt.dateadd for those). -#}
{% macro cross_db_timestamp_add(unit, amount, ts) -%}
    {%- set seconds = {'second': 1, 'minute': 60, 'hour': 3600, 'day': 86400, 'week': 604800} -%}
    {%- if unit not in seconds -%}
        {{ exceptions.raise_compiler_error("cross_db_timestamp_add: unit must be one of " ~ seconds.keys() | list ~ ", got " ~ unit) }}
    {%- endif -%}
    {{ return(adapter.dispatch('cross_db_timestamp_add', 'reliability')(seconds[unit], amount, ts)) }}
{%- endmacro %}

{% macro default__cross_db_timestamp_add(unit_seconds, amount, ts) -%}
    ({{ ts }} + round(cast(({{ amount }}) as numeric) * {{ unit_seconds * 1000000 }}) * interval '1 microsecond')
{%- endmacro %}

{% macro duckdb__cross_db_timestamp_add(unit_seconds, amount, ts) -%}
    ({{ ts }} + to_microseconds(cast(round(({{ amount }}) * {{ unit_seconds * 1000000 }}) as bigint)))
{%- endmacro %}

{% macro spark__cross_db_timestamp_add(unit_seconds, amount, ts) -%}
    timestamp_micros(unix_micros({{ ts }}) + cast(round(({{ amount }}) * {{ unit_seconds * 1000000 }}) as bigint))
{%- endmacro %}


{#- The ISO week (Monday 00:00 UTC) of a timestamp or date, as a date. -#}
{% macro cross_db_week_start(ts) -%}
    {{ return(adapter.dispatch('cross_db_week_start', 'reliability')(ts)) }}
{%- endmacro %}

{% macro default__cross_db_week_start(ts) -%}
    cast({{ dbt.date_trunc('week', ts) }} as date)
{%- endmacro %}

{% macro spark__cross_db_week_start(ts) -%}
    cast(date_trunc('week', cast({{ ts }} as timestamp)) as date)
{%- endmacro %}


{#- A naive UTC timestamp as naive local time of IANA zone `tz` (a quoted literal or a column),
    and back. DuckDB uses its ICU extension (bundled with the Python package). `ts` is
    parenthesized: AT TIME ZONE binds tighter than +, and PostgreSQL's dbt.dateadd is a sum. -#}
{% macro cross_db_utc_to_local(ts, tz) -%}
    {{ return(adapter.dispatch('cross_db_utc_to_local', 'reliability')(ts, tz)) }}
{%- endmacro %}

{% macro default__cross_db_utc_to_local(ts, tz) -%}
    cast((({{ ts }}) at time zone 'UTC') at time zone {{ tz }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro spark__cross_db_utc_to_local(ts, tz) -%}
    from_utc_timestamp({{ ts }}, {{ tz }})
{%- endmacro %}

{% macro cross_db_local_to_utc(ts, tz) -%}
    {{ return(adapter.dispatch('cross_db_local_to_utc', 'reliability')(ts, tz)) }}
{%- endmacro %}

{% macro default__cross_db_local_to_utc(ts, tz) -%}
    cast((({{ ts }}) at time zone {{ tz }}) at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{% macro spark__cross_db_local_to_utc(ts, tz) -%}
    to_utc_timestamp({{ ts }}, {{ tz }})
{%- endmacro %}


{#- A select-list expression that turns each row into one row per value start, start + 1 step,
    ... <= stop (step: 'minute', 'hour', 'day' or 'week'). Use it alone in a select list:
        select service, {{ cross_db_series('day_start', 'day_end', 'minute') }} as minute_at
        from days
-#}
{% macro cross_db_series(start, stop, step) -%}
    {{ return(adapter.dispatch('cross_db_series', 'reliability')(start, stop, step)) }}
{%- endmacro %}

{% macro default__cross_db_series(start, stop, step) -%}
    generate_series({{ start }}, {{ stop }}, interval '1 {{ step }}')
{%- endmacro %}

{% macro duckdb__cross_db_series(start, stop, step) -%}
    unnest(generate_series({{ start }}, {{ stop }}, interval 1 {{ step }}))
{%- endmacro %}

{% macro spark__cross_db_series(start, stop, step) -%}
    explode(sequence({{ start }}, {{ stop }}, interval 1 {{ step }}))
{%- endmacro %}


{#- Minutes from start_at to end_at as a double (fractional, negative when end_at is earlier;
    null if either is null). -#}
{% macro cross_db_minutes_between(start_at, end_at) -%}
    {{ return(adapter.dispatch('cross_db_minutes_between', 'reliability')(start_at, end_at)) }}
{%- endmacro %}

{% macro default__cross_db_minutes_between(start_at, end_at) -%}
    (extract(epoch from ({{ end_at }} - {{ start_at }})) / 60.0)
{%- endmacro %}

{% macro duckdb__cross_db_minutes_between(start_at, end_at) -%}
    ((epoch({{ end_at }}) - epoch({{ start_at }})) / 60.0)
{%- endmacro %}

{% macro spark__cross_db_minutes_between(start_at, end_at) -%}
    ((unix_micros({{ end_at }}) - unix_micros({{ start_at }})) / 60000000.0)
{%- endmacro %}
