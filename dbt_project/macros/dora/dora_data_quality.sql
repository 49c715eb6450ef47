{#- The dora_data_quality rows of an explicit deployment reference that was not used: the rows
    of `relation` (`item_type`, id `id_column`, time `occurred_at`) whose reference status
    `status_column` is unknown (not in the deployments data) or not_counted (failed or not in
    production), with `reason` and a detail of `prefix`, why, then `suffix` (SQL text
    expressions). Nothing is excluded: the reference is ignored, the next rule is used. -#}
{% macro uncounted_deployment_issues(
    relation, item_type, id_column, occurred_at, reason, status_column, prefix, suffix
) -%}
    select
        '{{ item_type }}' as item_type,
        {{ id_column }} as item_id,
        service,
        '{{ reason }}' as reason,
        {{ prefix }}
            || case {{ status_column }}
                when 'unknown' then 'not in the deployments data'
                else 'failed or not in production'
            end
            || {{ suffix }} as detail,
        cast(null as {{ dbt.type_string() }}) as excluded_from,
        {{ occurred_at }} as occurred_at
    from {{ relation }}
    where {{ status_column }} in ('not_counted', 'unknown')
{%- endmacro %}
