{#- Text matching that differs between DuckDB, PostgreSQL and Spark SQL. -#}

{#- `value` LIKE `pattern` with a backslash escaping '%', '_' and '\' in the pattern, as it does
    by default on PostgreSQL and Spark; DuckDB's LIKE has no escape character unless told. -#}
{% macro cross_db_like(value, pattern) -%}
    {{ return(adapter.dispatch('cross_db_like', 'reliability')(value, pattern)) }}
{%- endmacro %}

{% macro default__cross_db_like(value, pattern) -%}
    ({{ value }} like {{ pattern }})
{%- endmacro %}

{% macro duckdb__cross_db_like(value, pattern) -%}
    ({{ value }} like {{ pattern }} escape '\')
{%- endmacro %}
