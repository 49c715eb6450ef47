{#-
    Per incident and affected journey: conversions and revenue during the incident against a
    baseline of the same hours in each of the previous `baseline_weeks` weeks (default 4), and the
    estimated lost conversions and revenue at risk. An ESTIMATE, method in the column docs:
    expected = mean over the baseline weeks of the same clock window shifted back 7, 14, 21, 28
    days (only weeks whose window lies after the first conversion event); lost = expected - actual,
    floored at 0. Affected journeys: the incident's journey, else every journey of its service.
    An open incident is measured up to the latest conversion event. Incidents with no affected
    journey have one row with journey null and no estimate.
-#}
with

incidents as (

    select * from {{ ref('stg_incidents') }}

),

journeys as (

    select * from {{ ref('stg_journeys') }}

),

events as (

    select * from {{ ref('int_business__journey_events') }}
    where scope = 'journey'

),

settings as (

    select * from {{ ref('stg_review_settings') }}

),

data_bounds as (

    select
        min(occurred_at) as data_start_at,
        max(occurred_at) as data_end_at
    from events

),

affected as (

    select
        incident_id,
        journey,
        'incident' as journey_source
    from incidents
    where journey is not null

    union all

    select
        incidents.incident_id,
        journeys.journey,
        'service' as journey_source
    from incidents
    inner join journeys on incidents.service = journeys.service
    where incidents.journey is null

),

windows as (

    select
        incidents.incident_id,
        incidents.service,
        incidents.severity,
        incidents.title,
        incidents.started_at,
        incidents.resolved_at,
        incidents.is_open,
        case
            when incidents.resolved_at is not null then incidents.resolved_at
            when data_bounds.data_end_at > incidents.started_at then data_bounds.data_end_at
            else incidents.started_at
        end as ended_at,
        affected.journey,
        coalesce(affected.journey_source, 'none') as journey_source,
        data_bounds.data_start_at
    from incidents
    cross join data_bounds
    left join affected on incidents.incident_id = affected.incident_id

),

week_offsets as (

    select
        week_numbers.generated_number as weeks_back
    from ({{ dbt.generate_series(52) }}) as week_numbers
    cross join settings
    where week_numbers.generated_number <= settings.baseline_weeks

),

baseline_windows as (

    select
        windows.incident_id,
        windows.journey,
        week_offsets.weeks_back,
        {{ cross_db_timestamp_add('day', '-7 * week_offsets.weeks_back', 'windows.started_at') }}
            as window_start_at,
        {{ cross_db_timestamp_add('day', '-7 * week_offsets.weeks_back', 'windows.ended_at') }}
            as window_end_at
    from windows
    cross join week_offsets
    where windows.journey is not null

),

usable_baseline_windows as (

    select baseline_windows.*
    from baseline_windows
    cross join data_bounds
    where baseline_windows.window_start_at >= data_bounds.data_start_at

),

baseline_weeks as (

    select
        usable_baseline_windows.incident_id,
        usable_baseline_windows.journey,
        usable_baseline_windows.weeks_back,
        sum(case when events.step_kind = 'started' then 1 else 0 end) as conversions_started,
        sum(case when events.step_kind = 'completed' then 1 else 0 end) as conversions_completed,
        coalesce(sum(events.revenue), 0) as revenue
    from usable_baseline_windows
    left join events
        on usable_baseline_windows.journey = events.journey
        and events.occurred_at >= usable_baseline_windows.window_start_at
        and events.occurred_at < usable_baseline_windows.window_end_at
    group by
        usable_baseline_windows.incident_id,
        usable_baseline_windows.journey,
        usable_baseline_windows.weeks_back

),

baseline as (

    select
        incident_id,
        journey,
        count(*) as baseline_weeks,
        avg(cast(conversions_started as {{ cross_db_type_double() }})) as baseline_conversions_started,
        avg(cast(conversions_completed as {{ cross_db_type_double() }})) as baseline_conversions_completed,
        avg(cast(revenue as {{ cross_db_type_double() }})) as baseline_revenue
    from baseline_weeks
    group by incident_id, journey

),

during as (

    select
        windows.incident_id,
        windows.journey,
        sum(case when events.step_kind = 'started' then 1 else 0 end) as conversions_started,
        sum(case when events.step_kind = 'completed' then 1 else 0 end) as conversions_completed,
        coalesce(sum(events.revenue), 0) as revenue,
        case when count(distinct events.currency) > 1 then 'mixed' else max(events.currency) end
            as currency
    from windows
    left join events
        on windows.journey = events.journey
        and events.occurred_at >= windows.started_at
        and events.occurred_at < windows.ended_at
    where windows.journey is not null
    group by windows.incident_id, windows.journey

),

joined as (

    select
        windows.*,
        cast({{ dbt.datediff('windows.started_at', 'windows.ended_at', 'second') }}
            as {{ cross_db_type_double() }}) / 60 as impact_minutes,
        during.conversions_started,
        during.conversions_completed,
        during.revenue,
        during.currency,
        coalesce(baseline.baseline_weeks, 0) as baseline_weeks,
        baseline.baseline_conversions_started,
        baseline.baseline_conversions_completed,
        baseline.baseline_revenue
    from windows
    left join during
        {{ join_on('windows', 'during', ['incident_id', 'journey']) }}
    left join baseline
        {{ join_on('windows', 'baseline', ['incident_id', 'journey']) }}

),

final as (

    select
        {{ dbt.concat(['incident_id', "':'", "coalesce(journey, '(none)')"]) }}
            as incident_journey_id,
        incident_id,
        journey,
        journey_source,
        service,
        severity,
        title,
        started_at,
        ended_at,
        is_open,
        cast({{ dbt.date_trunc('week', 'started_at') }} as date) as week_start,
        cast(impact_minutes as {{ cross_db_type_double() }}) as impact_minutes,
        cast(conversions_started as {{ dbt.type_bigint() }}) as conversions_started,
        cast(conversions_completed as {{ dbt.type_bigint() }}) as conversions_completed,
        cast(conversions_completed as {{ cross_db_type_double() }}) / nullif(conversions_started, 0)
            as conversion_rate,
        cast(revenue as {{ cross_db_type_double() }}) as revenue,
        currency,
        cast(baseline_weeks as {{ dbt.type_bigint() }}) as baseline_weeks,
        baseline_conversions_started,
        baseline_conversions_completed,
        baseline_conversions_completed / nullif(baseline_conversions_started, 0)
            as baseline_conversion_rate,
        baseline_revenue,
        case
            when baseline_weeks = 0 then null
            when baseline_conversions_completed > conversions_completed
                then baseline_conversions_completed - conversions_completed
            else 0
        end as lost_conversions_estimate,
        case
            when baseline_weeks = 0 then null
            when baseline_revenue > revenue then baseline_revenue - revenue
            else 0
        end as revenue_at_risk_estimate,
        baseline_weeks > 0 as has_estimate
    from joined

)

select * from final
