{#- Time helpers for the SLO models, behind adapter.dispatch where the SQL differs. -#}

{#- A naive UTC timestamp as naive local time in time zone `tz` (a column or a quoted literal). -#}
{% macro slo_utc_to_local(ts, tz) -%}
    {{ return(adapter.dispatch('slo_utc_to_local', 'reliability')(ts, tz)) }}
{%- endmacro %}

{% macro default__slo_utc_to_local(ts, tz) -%}
    cast(({{ ts }} at time zone 'UTC') at time zone {{ tz }} as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- A naive local timestamp in time zone `tz` as naive UTC. -#}
{% macro slo_local_to_utc(ts, tz) -%}
    {{ return(adapter.dispatch('slo_local_to_utc', 'reliability')(ts, tz)) }}
{%- endmacro %}

{% macro default__slo_local_to_utc(ts, tz) -%}
    cast(({{ ts }} at time zone {{ tz }}) at time zone 'UTC' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- Rows `series_column` = start, start + step, ... <= stop, one per value, for each row of
    `relation` (a CTE name); `step` is 'minute', 'hour' or 'day'. -#}
{% macro slo_series(relation, start, stop, step, series_column, carry_columns) -%}
    {{ return(adapter.dispatch('slo_series', 'reliability')(relation, start, stop, step, series_column, carry_columns)) }}
{%- endmacro %}

{% macro default__slo_series(relation, start, stop, step, series_column, carry_columns) -%}
    select
        {% for c in carry_columns %}{{ c }}, {% endfor %}
        generate_series({{ start }}, {{ stop }}, interval '1 {{ step }}') as {{ series_column }}
    from {{ relation }}
{%- endmacro %}

{% macro duckdb__slo_series(relation, start, stop, step, series_column, carry_columns) -%}
    select
        {% for c in carry_columns %}{{ c }}, {% endfor %}
        unnest(generate_series({{ start }}, {{ stop }}, interval 1 {{ step }})) as {{ series_column }}
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
