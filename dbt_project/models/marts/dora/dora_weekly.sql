{#-
    The five DORA metrics per ISO week (Monday, UTC) for every service, every team and everything
    (scope 'service' | 'team' | 'all'), for every week from the first to the last week with a
    deployment or an incident; weeks without deployments are zeros, not gaps.
    Placement in weeks: deployments by finished_at; lead times by the finished_at of the deployment
    that shipped the change; incidents (count, restore and recovery times) by started_at.
    Trailing 4-week values cover the week and the three before it (fewer at the start of the data:
    trailing_weeks says how many); bands (dora_band, seed dora_performance_bands, var
    dora_report_year) are given for the week's value and for the trailing 4-week value.
-#}
{%- set banded_metrics = [
    'deployment_frequency', 'change_lead_time', 'change_fail_rate',
    'failed_deployment_recovery_time'
] %}
{%- set band_ranks = 4 %}

with

deployments as (

    select * from {{ ref('fct_deployments') }}

),

changes as (

    select * from {{ ref('fct_changes') }}

),

incidents as (

    select * from {{ ref('fct_incidents') }}

),

services as (

    select * from {{ ref('stg_services') }}

),

bands as (

    select * from {{ ref('dora_performance_bands') }}

),

{# ---- the spine: every (scope, scope_name) x every week from the first to the last data week ---- #}

data_weeks as (

    select week_start from deployments
    union all
    select started_week_start as week_start from incidents

),

week_bounds as (

    select
        min(week_start) as first_week_start,
        max(week_start) as last_week_start
    from data_weeks

),

weeks as (

    {{ calendar_spine('week_bounds', 'first_week_start', 'last_week_start', 7, 5300, 'week_start') }}

),

scope_names as (

    select 'service' as scope, service as scope_name from services
    union
    select 'service' as scope, service as scope_name from deployments
    union
    select 'service' as scope, service as scope_name from incidents
    union
    select 'service' as scope, service as scope_name from changes where is_deployed
    union
    select 'team' as scope, team as scope_name from services
    union
    select 'team' as scope, team as scope_name from deployments where team is not null
    union
    select 'team' as scope, team as scope_name from incidents where team is not null
    union
    select 'team' as scope, team as scope_name from changes where team is not null
    union
    select 'all' as scope, 'all' as scope_name from week_bounds

),

spine as (

    {{ scope_spine('scope_names', ['scope', 'scope_name'], 'weeks', 'week_start', extra=[
        'cast(' ~ dbt.dateadd('day', -21, 'weeks.week_start') ~ ' as date) as window_start'
    ]) }}

),

{# ---- facts, one row per scope they belong to ---- #}

scoped_deployments as (

    {{ scope_fan_out('deployments', service_team_all_scopes('deployments'), [
        'deployments.week_start',
        'deployments.finished_date',
        'deployments.is_change_failure',
        'deployments.is_rework',
    ], where='deployments.is_counted') }}

),

scoped_changes as (

    {{ scope_fan_out('changes', service_team_all_scopes('changes'), [
        'changes.deployed_week_start as week_start',
        'changes.lead_time_minutes',
    ], where='changes.has_valid_lead_time') }}

),

scoped_incidents as (

    {{ scope_fan_out('incidents', service_team_all_scopes('incidents'), [
        'incidents.started_week_start as week_start',
        'incidents.is_open',
        'case when incidents.time_to_restore_minutes >= 0'
            ~ ' then incidents.time_to_restore_minutes end as time_to_restore_minutes',
        'case when incidents.recovery_from_deployment_minutes >= 0'
            ~ ' then incidents.recovery_from_deployment_minutes end as recovery_minutes',
    ]) }}

),

{# ---- weekly aggregates ---- #}

deployment_weeks as (

    select
        scope,
        scope_name,
        week_start,
        count(*) as deployments,
        count(distinct finished_date) as deploy_days,
        sum(case when is_change_failure then 1 else 0 end) as failed_deployments,
        sum(case when is_rework then 1 else 0 end) as rework_deployments
    from scoped_deployments
    group by scope, scope_name, week_start

),

change_weeks as (

    select
        scope,
        scope_name,
        week_start,
        count(*) as lead_time_changes,
        {{ cross_db_percentile_cont('lead_time_minutes', 0.5) }} as lead_time_median_minutes,
        {{ cross_db_percentile_cont('lead_time_minutes', 0.9) }} as lead_time_p90_minutes
    from scoped_changes
    group by scope, scope_name, week_start

),

incident_weeks as (

    select
        scope,
        scope_name,
        week_start,
        count(*) as incidents,
        sum(case when is_open then 1 else 0 end) as open_incidents,
        count(recovery_minutes) as recovered_failures,
        {{ cross_db_percentile_cont('recovery_minutes', 0.5) }}
            as failed_deployment_recovery_median_minutes,
        {{ cross_db_percentile_cont('recovery_minutes', 0.9) }}
            as failed_deployment_recovery_p90_minutes,
        {{ cross_db_percentile_cont('time_to_restore_minutes', 0.5) }}
            as time_to_restore_median_minutes,
        {{ cross_db_percentile_cont('time_to_restore_minutes', 0.9) }}
            as time_to_restore_p90_minutes
    from scoped_incidents
    group by scope, scope_name, week_start

),

{# ---- trailing four weeks: medians recomputed from the rows, never medians of medians ---- #}

{%- for cte, facts, minutes, median in [
    ('change_trailing', 'scoped_changes', 'lead_time_minutes', 'lead_time_median_minutes_4w'),
    ('incident_trailing', 'scoped_incidents', 'recovery_minutes',
        'failed_deployment_recovery_median_minutes_4w'),
] %}

{{ cte }} as (

    select
        spine.scope,
        spine.scope_name,
        spine.week_start,
        {{ cross_db_percentile_cont(facts ~ '.' ~ minutes, 0.5) }} as {{ median }}
    from spine
    inner join {{ facts }}
        {{ join_on('spine', facts, ['scope', 'scope_name']) }}
        and {{ facts }}.week_start >= spine.window_start
        and {{ facts }}.week_start <= spine.week_start
    group by spine.scope, spine.scope_name, spine.week_start

),
{%- endfor %}

weekly as (

    select
        spine.scope,
        spine.scope_name,
        spine.week_start,
        {{- zero_filled('deployment_weeks', [
            'deployments', 'deploy_days', 'failed_deployments', 'rework_deployments'
        ]) }},
        {{- zero_filled('change_weeks', ['lead_time_changes']) }},
        change_weeks.lead_time_median_minutes,
        change_weeks.lead_time_p90_minutes,
        {{- zero_filled('incident_weeks', ['incidents', 'open_incidents', 'recovered_failures']) }},
        incident_weeks.failed_deployment_recovery_median_minutes,
        incident_weeks.failed_deployment_recovery_p90_minutes,
        incident_weeks.time_to_restore_median_minutes,
        incident_weeks.time_to_restore_p90_minutes,
        change_trailing.lead_time_median_minutes_4w,
        incident_trailing.failed_deployment_recovery_median_minutes_4w
    from spine
    {%- for aggregate in [
        'deployment_weeks', 'change_weeks', 'incident_weeks', 'change_trailing', 'incident_trailing'
    ] %}
    left join {{ aggregate }}
        {{ scope_join('spine', aggregate) }}
    {%- endfor %}

),

trailing_sums as (

    {%- set trailing_window %}
        over (
            partition by scope, scope_name order by week_start
            rows between 3 preceding and current row
        )
    {%- endset %}

    select
        *,
        count(*) {{ trailing_window }} as trailing_weeks,
        sum(deployments) {{ trailing_window }} as deployments_4w,
        sum(deploy_days) {{ trailing_window }} as deploy_days_4w,
        sum(failed_deployments) {{ trailing_window }} as failed_deployments_4w,
        sum(rework_deployments) {{ trailing_window }} as rework_deployments_4w
    from weekly

),

metrics as (

    select
        *,
        cast(deployments as {{ cross_db_type_double() }}) / 7 as deployment_frequency_per_day,
        cast(deploy_days as {{ cross_db_type_double() }}) as deploy_days_per_week,
        cast(failed_deployments as {{ cross_db_type_double() }}) / nullif(deployments, 0)
            as change_fail_rate,
        cast(rework_deployments as {{ cross_db_type_double() }}) / nullif(deployments, 0)
            as rework_rate,
        cast(deployments_4w as {{ cross_db_type_double() }}) / (7 * trailing_weeks)
            as deployment_frequency_per_day_4w,
        cast(deploy_days_4w as {{ cross_db_type_double() }}) / trailing_weeks
            as deploy_days_per_week_4w,
        cast(failed_deployments_4w as {{ cross_db_type_double() }}) / nullif(deployments_4w, 0)
            as change_fail_rate_4w,
        cast(rework_deployments_4w as {{ cross_db_type_double() }}) / nullif(deployments_4w, 0)
            as rework_rate_4w
    from trailing_sums

),

thresholds as (

    select
        {%- for metric in banded_metrics %}
        {%- set metric_loop = loop %}
        {%- for rank in range(1, band_ranks + 1) %}
        max(case when metric = '{{ metric }}' and band_rank = {{ rank }} then band end)
            as {{ metric }}_{{ rank }}_band,
        max(case when metric = '{{ metric }}' and band_rank = {{ rank }} then comparison end)
            as {{ metric }}_{{ rank }}_comparison,
        max(case when metric = '{{ metric }}' and band_rank = {{ rank }} then threshold end)
            as {{ metric }}_{{ rank }}_threshold{{ "," if not (metric_loop.last and loop.last) }}
        {%- endfor %}
        {%- endfor %}
    from bands
    where report_year = {{ var('dora_report_year') }}

),

final as (

    select
        {{ row_key(['scope', 'scope_name', 'week_start'], 'dora_weekly_id', 'metrics') }},
        {{ typed_columns('metrics', [
            ('deployments', 'bigint'), ('deploy_days', 'bigint'),
            ('deployment_frequency_per_day', 'double'), ('lead_time_changes', 'bigint'),
            ('lead_time_median_minutes', 'double'), ('lead_time_p90_minutes', 'double'),
            ('failed_deployments', 'bigint'), ('change_fail_rate', 'double'),
            ('recovered_failures', 'bigint'),
            ('failed_deployment_recovery_median_minutes', 'double'),
            ('failed_deployment_recovery_p90_minutes', 'double'),
            ('time_to_restore_median_minutes', 'double'), ('time_to_restore_p90_minutes', 'double'),
            ('rework_deployments', 'bigint'), ('rework_rate', 'double'), ('incidents', 'bigint'),
            ('open_incidents', 'bigint'), ('trailing_weeks', 'bigint'),
            ('deployments_4w', 'bigint'), ('deploy_days_4w', 'bigint'),
            ('deployment_frequency_per_day_4w', 'double'), ('deploy_days_per_week_4w', 'double'),
            ('lead_time_median_minutes_4w', 'double'), ('failed_deployments_4w', 'bigint'),
            ('change_fail_rate_4w', 'double'),
            ('failed_deployment_recovery_median_minutes_4w', 'double'),
            ('rework_deployments_4w', 'bigint'), ('rework_rate_4w', 'double')
        ]) }},
        {{ dora_band('deployment_frequency', 'metrics.deploy_days_per_week') }}
            as deployment_frequency_band,
        {{ dora_band('change_lead_time', 'metrics.lead_time_median_minutes') }}
            as lead_time_band,
        {{ dora_band('change_fail_rate', 'metrics.change_fail_rate') }}
            as change_fail_rate_band,
        {{ dora_band(
            'failed_deployment_recovery_time', 'metrics.failed_deployment_recovery_median_minutes'
        ) }} as failed_deployment_recovery_band,
        {{ dora_band('deployment_frequency', 'metrics.deploy_days_per_week_4w') }}
            as deployment_frequency_band_4w,
        {{ dora_band('change_lead_time', 'metrics.lead_time_median_minutes_4w') }}
            as lead_time_band_4w,
        {{ dora_band('change_fail_rate', 'metrics.change_fail_rate_4w') }}
            as change_fail_rate_band_4w,
        {{ dora_band(
            'failed_deployment_recovery_time',
            'metrics.failed_deployment_recovery_median_minutes_4w'
        ) }} as failed_deployment_recovery_band_4w,
        cast({{ var('dora_report_year') }} as {{ dbt.type_int() }}) as band_report_year
    from metrics
    cross join thresholds

)

select * from final
