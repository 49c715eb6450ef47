{#-
    Engine-specific SQL used by the DORA models, behind adapter.dispatch so the models themselves
    stay portable. default__ is ANSI-ish SQL; duckdb__, postgres__ and spark__ use each engine's
    native form. Weeks are ISO weeks: Monday 00:00 UTC.
-#}

{#- A double-precision floating point type (dbt.type_float() is a 4-byte REAL in DuckDB). -#}
{% macro dora_type_double() -%}
    {{ return(adapter.dispatch('dora_type_double')()) }}
{%- endmacro %}

{% macro default__dora_type_double() -%}
    {{ return('double precision') }}
{%- endmacro %}

{% macro duckdb__dora_type_double() -%}
    {{ return('double') }}
{%- endmacro %}

{% macro spark__dora_type_double() -%}
    {{ return('double') }}
{%- endmacro %}


{#- Minutes from start_at to end_at (fractional, negative when end_at is earlier); null if either is null. -#}
{% macro dora_minutes_between(start_at, end_at) -%}
    {{ return(adapter.dispatch('dora_minutes_between')(start_at, end_at)) }}
{%- endmacro %}

{% macro default__dora_minutes_between(start_at, end_at) -%}
    cast({{ dbt.datediff(start_at, end_at, 'second') }} as {{ dora_type_double() }}) / 60.0
{%- endmacro %}

{% macro duckdb__dora_minutes_between(start_at, end_at) -%}
    ((epoch({{ end_at }}) - epoch({{ start_at }})) / 60.0)
{%- endmacro %}

{% macro postgres__dora_minutes_between(start_at, end_at) -%}
    (extract(epoch from ({{ end_at }} - {{ start_at }})) / 60.0)
{%- endmacro %}

{% macro spark__dora_minutes_between(start_at, end_at) -%}
    ((unix_micros({{ end_at }}) - unix_micros({{ start_at }})) / 60000000.0)
{%- endmacro %}


{#- Interpolated percentile (percentile_cont) of expression, an aggregate; nulls are ignored. -#}
{% macro dora_percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('dora_percentile_cont')(expression, fraction)) }}
{%- endmacro %}

{% macro default__dora_percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__dora_percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__dora_percentile_cont(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}


{#- The ISO week (Monday) of a timestamp or date, as a date. -#}
{% macro dora_week_start(expression) -%}
    {{ return(adapter.dispatch('dora_week_start')(expression)) }}
{%- endmacro %}

{% macro default__dora_week_start(expression) -%}
    cast({{ dbt.date_trunc('week', expression) }} as date)
{%- endmacro %}

{% macro duckdb__dora_week_start(expression) -%}
    cast(date_trunc('week', {{ expression }}) as date)
{%- endmacro %}

{% macro bigquery__dora_week_start(expression) -%}
    date_trunc(cast({{ expression }} as date), isoweek)
{%- endmacro %}
