{#- The `columns` of `relation` under their own names, each cast to its type: a column is a
    name (taken as it is) or a (name, type) pair, type one of bigint, int, double, string (the
    dbt and cross_db type macros). For the typed select list of a mart's final CTE. -#}
{% macro typed_columns(relation, columns) -%}
    {%- set types = {
        'bigint': dbt.type_bigint(),
        'int': dbt.type_int(),
        'double': cross_db_type_double(),
        'string': dbt.type_string(),
    } -%}
    {%- for column in columns %}
        {%- if column is string %}
        {{ relation }}.{{ column }}
        {%- else %}
        cast({{ relation }}.{{ column[0] }} as {{ types[column[1]] }}) as {{ column[0] }}
        {%- endif %}{{ ',' if not loop.last }}
    {%- endfor %}
{%- endmacro %}
