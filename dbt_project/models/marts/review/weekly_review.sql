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
        {{ typed_columns('weekly', [
            ('deployments', 'bigint'), ('deploy_days', 'bigint'),
            ('deployment_frequency_per_day', 'double'), 'deployment_frequency_band',
            ('lead_time_median_minutes', 'double'), 'lead_time_band',
            ('change_fail_rate', 'double'), 'change_fail_rate_band',
            ('failed_deployment_recovery_median_minutes', 'double'),
            'failed_deployment_recovery_band', ('rework_rate', 'double'),
            ('time_to_restore_median_minutes', 'double'), ('slo_count', 'bigint'),
            ('slos_meeting_target', 'bigint'), 'slo_decision',
            ('slo_worst_remaining_budget_fraction', 'double'), ('incidents', 'bigint'),
            ('sev1_incidents', 'bigint'), ('sev2_incidents', 'bigint'),
            ('sev3_incidents', 'bigint'), ('sev4_incidents', 'bigint'), 'incidents_by_severity',
            ('open_incidents', 'bigint'), ('impact_minutes', 'double'),
            ('lost_conversions_estimate', 'double'), ('revenue_at_risk_estimate', 'double'),
            ('postmortems_done', 'bigint'), ('postmortems_missing', 'bigint'),
            ('pattern_incidents', 'bigint'), ('conversions_started', 'bigint'),
            ('conversions_completed', 'bigint'), ('conversion_rate', 'double'),
            ('revenue', 'double'), ('average_order_value', 'double'), 'currency',
            ('returning_user_rate', 'double'), ('availability_sli', 'double'),
            ('latency_sli', 'double')
        ]) }},
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
