{#- The join condition of `left` and `right` on equal `columns`: each a column name (the same on
    both sides) or a (left column, right column) pair. -#}
{% macro join_on(left, right, columns) -%}
    {%- for column in columns -%}
        {%- if column is string -%}
            {%- set left_column, right_column = column, column -%}
        {%- else -%}
            {%- set left_column, right_column = column[0], column[1] -%}
        {%- endif %}
        {{ 'on' if loop.first else 'and' }} {{ left }}.{{ left_column }} = {{ right }}.{{ right_column }}
    {%- endfor %}
{%- endmacro %}
