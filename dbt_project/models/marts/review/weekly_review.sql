{#-
    The weekly review: one row per ISO week (Monday, UTC) and scope (all, each service, each
    journey) with the five DORA metrics and bands, SLO budget status, incidents (by severity,
    impact minutes, business impact estimate, postmortems, patterns) and business KPIs, the change
    of each review metric against the previous week (<metric>_change), and corrective_actions:
    the metrics that got worse two weeks in a row, by name (details: weekly_corrective_actions).
-#}
{%- set metrics = review_metrics() %}

with

weekly as (

    select * from {{ ref('weekly_review_scopes') }}

),

changes as (

    select * from {{ ref('weekly_review_metric_changes') }}

),

changes_wide as (

    select
        scope,
        scope_name,
        week_start,
        {%- for metric in metrics %}
        max(case when metric = '{{ metric.name }}' then change_vs_previous_week end)
            as {{ metric.name }}_change,
        {%- endfor %}
        sum(case when is_worse_two_weeks_in_a_row then 1 else 0 end) as corrective_action_count
    from changes
    group by scope, scope_name, week_start

),

corrective as (

    select
        scope,
        scope_name,
        week_start,
        {{ cross_db_listagg('metric_label', "', '") }} as corrective_actions
    from changes
    where is_worse_two_weeks_in_a_row
    group by scope, scope_name, week_start

),

final as (

    select
        {{ row_key(['scope', 'scope_name', 'week_start'], 'weekly_review_id', 'weekly') }},
        cast({{ dbt.dateadd('day', 6, 'weekly.week_start') }} as date) as week_end_date,
        cast(weekly.deployments as {{ dbt.type_bigint() }}) as deployments,
        cast(weekly.deploy_days as {{ dbt.type_bigint() }}) as deploy_days,
        cast(weekly.deployment_frequency_per_day as {{ cross_db_type_double() }}) as deployment_frequency_per_day,
        weekly.deployment_frequency_band,
        cast(weekly.lead_time_median_minutes as {{ cross_db_type_double() }}) as lead_time_median_minutes,
        weekly.lead_time_band,
        cast(weekly.change_fail_rate as {{ cross_db_type_double() }}) as change_fail_rate,
        weekly.change_fail_rate_band,
        cast(weekly.failed_deployment_recovery_median_minutes as {{ cross_db_type_double() }})
            as failed_deployment_recovery_median_minutes,
        weekly.failed_deployment_recovery_band,
        cast(weekly.rework_rate as {{ cross_db_type_double() }}) as rework_rate,
        cast(weekly.time_to_restore_median_minutes as {{ cross_db_type_double() }})
            as time_to_restore_median_minutes,
        cast(weekly.slo_count as {{ dbt.type_bigint() }}) as slo_count,
        cast(weekly.slos_meeting_target as {{ dbt.type_bigint() }}) as slos_meeting_target,
        weekly.slo_decision,
        cast(weekly.slo_worst_remaining_budget_fraction as {{ cross_db_type_double() }})
            as slo_worst_remaining_budget_fraction,
        cast(weekly.incidents as {{ dbt.type_bigint() }}) as incidents,
        cast(weekly.sev1_incidents as {{ dbt.type_bigint() }}) as sev1_incidents,
        cast(weekly.sev2_incidents as {{ dbt.type_bigint() }}) as sev2_incidents,
        cast(weekly.sev3_incidents as {{ dbt.type_bigint() }}) as sev3_incidents,
        cast(weekly.sev4_incidents as {{ dbt.type_bigint() }}) as sev4_incidents,
        weekly.incidents_by_severity,
        cast(weekly.open_incidents as {{ dbt.type_bigint() }}) as open_incidents,
        cast(weekly.impact_minutes as {{ cross_db_type_double() }}) as impact_minutes,
        cast(weekly.lost_conversions_estimate as {{ cross_db_type_double() }}) as lost_conversions_estimate,
        cast(weekly.revenue_at_risk_estimate as {{ cross_db_type_double() }}) as revenue_at_risk_estimate,
        cast(weekly.postmortems_done as {{ dbt.type_bigint() }}) as postmortems_done,
        cast(weekly.postmortems_missing as {{ dbt.type_bigint() }}) as postmortems_missing,
        cast(weekly.pattern_incidents as {{ dbt.type_bigint() }}) as pattern_incidents,
        cast(weekly.conversions_started as {{ dbt.type_bigint() }}) as conversions_started,
        cast(weekly.conversions_completed as {{ dbt.type_bigint() }}) as conversions_completed,
        cast(weekly.conversion_rate as {{ cross_db_type_double() }}) as conversion_rate,
        cast(weekly.revenue as {{ cross_db_type_double() }}) as revenue,
        cast(weekly.average_order_value as {{ cross_db_type_double() }}) as average_order_value,
        weekly.currency,
        cast(weekly.returning_user_rate as {{ cross_db_type_double() }}) as returning_user_rate,
        cast(weekly.availability_sli as {{ cross_db_type_double() }}) as availability_sli,
        cast(weekly.latency_sli as {{ cross_db_type_double() }}) as latency_sli,
        {%- for metric in metrics %}
        cast(changes_wide.{{ metric.name }}_change as {{ cross_db_type_double() }}) as {{ metric.name }}_change,
        {%- endfor %}
        cast(coalesce(changes_wide.corrective_action_count, 0) as {{ dbt.type_bigint() }})
            as corrective_action_count,
        corrective.corrective_actions
    from weekly
    {%- for aggregate in ['changes_wide', 'corrective'] %}
    left join {{ aggregate }}
        {{ scope_join('weekly', aggregate) }}
    {%- endfor %}

)

select * from final
