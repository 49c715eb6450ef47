{#- Time helpers for the SLO models, built on macros/cross_db/time.sql. -#}

{#- Rows `series_column` = start, start + step, ... <= stop, one per value, for each row of
    `relation` (a CTE name); `step` is 'minute', 'hour' or 'day'. start and stop are cast to
    timestamps, so the series is of timestamps on every engine (a date series is a date array on
    Spark and a timestamptz series on PostgreSQL). -#}
{% macro slo_series(relation, start, stop, step, series_column, carry_columns) -%}
    select
        {% for c in carry_columns %}{{ c }}, {% endfor %}
        {{ cross_db_series('cast(' ~ start ~ ' as ' ~ dbt.type_timestamp() ~ ')',
                           'cast(' ~ stop ~ ' as ' ~ dbt.type_timestamp() ~ ')', step) }} as {{ series_column }}
    from {{ relation }}
{%- endmacro %}

{#- The start of the slice of `slice_minutes` (a divisor of 60) containing minute `ts`. -#}
{% macro slo_slice_start(ts, slice_minutes) -%}
    {{ dbt.dateadd(
        'minute',
        'cast(floor(' ~ dbt.datediff(dbt.date_trunc('hour', ts), ts, 'minute') ~ ' / '
            ~ slice_minutes ~ ') * ' ~ slice_minutes ~ ' as integer)',
        dbt.date_trunc('hour', ts)
    ) }}
{%- endmacro %}
