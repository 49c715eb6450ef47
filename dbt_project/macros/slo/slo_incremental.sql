{#- For the pre_hook of an incremental SLO model (`delete from {{ this }} where ...`): the row was
    computed with a definition that is no longer current, because its SLO was removed or one of
    `columns` differs from int_slo__definitions. Such an SLO is then recomputed whole. -#}
{% macro slo_definition_changed(columns) -%}
    not exists (select 1 from {{ ref('int_slo__definitions') }} as d where d.slo_id = {{ this }}.slo_id
    {%- for column in columns %} and d.{{ column }} is not distinct from {{ this }}.{{ column }}{% endfor %})
{%- endmacro %}
