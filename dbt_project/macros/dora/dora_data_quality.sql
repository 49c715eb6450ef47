{#- The text of a dora_data_quality detail for an explicit deployment reference that was not
    used: `prefix`, then why the referenced deployment (its status in `status_column`: unknown or
    not_counted, from int_dora__change_deployments or int_dora__incident_attribution) was not
    counted, then `suffix`. -#}
{% macro uncounted_deployment_detail(prefix, status_column, suffix) -%}
    {{ prefix }}
            || case {{ status_column }}
                when 'unknown' then 'not in the deployments data'
                else 'failed or not in production'
            end
            || {{ suffix }}
{%- endmacro %}
