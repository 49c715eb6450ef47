{#- Numbers and aggregates that differ between DuckDB, PostgreSQL and Spark SQL. -#}

{#- An 8-byte float type. dbt.type_float() is a 4-byte REAL on DuckDB and PostgreSQL. -#}
{% macro cross_db_type_double() -%}
    {{ return(adapter.dispatch('cross_db_type_double', 'reliability')()) }}
{%- endmacro %}

{% macro default__cross_db_type_double() -%}double precision{%- endmacro %}

{% macro duckdb__cross_db_type_double() -%}double{%- endmacro %}

{% macro spark__cross_db_type_double() -%}double{%- endmacro %}


{#- x rounded to `digits` decimals, half away from zero, as a double. PostgreSQL has round()
    only for numeric: the double goes through numeric (exact for its shortest decimal form). -#}
{% macro cross_db_round(x, digits) -%}
    {{ return(adapter.dispatch('cross_db_round', 'reliability')(x, digits)) }}
{%- endmacro %}

{% macro default__cross_db_round(x, digits) -%}
    round({{ x }}, {{ digits }})
{%- endmacro %}

{% macro postgres__cross_db_round(x, digits) -%}
    cast(round(cast({{ x }} as numeric), {{ digits }}) as double precision)
{%- endmacro %}


{#- The interpolated percentile (percentile_cont) of expression, an aggregate (not a window
    function: PostgreSQL has no ordered-set window aggregates); nulls are ignored. -#}
{% macro cross_db_percentile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('cross_db_percentile_cont', 'reliability')(expression, fraction)) }}
{%- endmacro %}

{% macro default__cross_db_percentile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__cross_db_percentile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}

{% macro spark__cross_db_percentile_cont(expression, fraction) -%}
    percentile({{ expression }}, {{ fraction }})
{%- endmacro %}


{#- x as text with exactly `digits` decimals, e.g. 100 -> '100.0' on every engine (a plain cast of
    a double gives '100.0' on DuckDB and Spark but '100' on PostgreSQL). Rounds half away from zero. -#}
{% macro cross_db_number_text(x, digits) -%}
    {{ return(adapter.dispatch('cross_db_number_text', 'reliability')(x, digits)) }}
{%- endmacro %}

{% macro default__cross_db_number_text(x, digits) -%}
    cast(round(cast({{ x }} as numeric), {{ digits }}) as {{ dbt.type_string() }})
{%- endmacro %}

{% macro duckdb__cross_db_number_text(x, digits) -%}
    cast(cast(round({{ x }}, {{ digits }}) as decimal(38, {{ digits }})) as varchar)
{%- endmacro %}

{% macro spark__cross_db_number_text(x, digits) -%}
    cast(cast(round({{ x }}, {{ digits }}) as decimal(38, {{ digits }})) as string)
{%- endmacro %}


{#- The non-null values of expression (duplicates kept) as text, in the order of `order_by` (a text
    expression; default: the values), joined with `separator`; null when there are none (an
    aggregate). Text is ordered byte-wise on every engine: PostgreSQL's order uses the C collation
    (a database's default collation may sort otherwise), as DuckDB and Spark compare bytes.
    dbt.listagg ignores the order on Spark. -#}
{% macro cross_db_listagg(expression, separator="', '", order_by=none) -%}
    {{ return(adapter.dispatch('cross_db_listagg', 'reliability')(expression, separator, order_by or expression)) }}
{%- endmacro %}

{% macro default__cross_db_listagg(expression, separator, order_by) -%}
    string_agg(cast({{ expression }} as {{ dbt.type_string() }}), {{ separator }} order by {{ order_by }})
{%- endmacro %}

{% macro postgres__cross_db_listagg(expression, separator, order_by) -%}
    string_agg(cast({{ expression }} as {{ dbt.type_string() }}), {{ separator }} order by ({{ order_by }}) collate "C")
{%- endmacro %}

{% macro spark__cross_db_listagg(expression, separator, order_by) -%}
    case when count({{ expression }}) > 0 then array_join(transform(array_sort(collect_list(
        case when {{ expression }} is not null
            then struct({{ order_by }} as sort_key, cast({{ expression }} as string) as item) end
    )), entry -> entry.item), {{ separator }}) end
{%- endmacro %}
