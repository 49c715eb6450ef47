{#- A row's key columns, led by its id: `columns` (of `relation` when given) joined by ':' as
    text, as `id_alias`, then each column under its own name. Use in a select list. -#}
{% macro row_key(columns, id_alias, relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- if not loop.first %}{% do parts.append("':'") %}{% endif -%}
        {%- do parts.append('cast(' ~ prefix ~ column ~ ' as ' ~ dbt.type_string() ~ ')') -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }} as {{ id_alias }}
    {%- for column in columns %},
        {{ prefix }}{{ column }}
    {%- endfor %}
{%- endmacro %}
