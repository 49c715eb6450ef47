{#-
    One row per user, journey (scope journey; scope all: any journey) and ISO week (Monday, UTC)
    in which the user had a conversion event, with met_failure: one of the user's events that
    week fell inside an incident of the journey (the incident names the journey, or names none
    and hits the journey's service) between its start and its resolution (open: until now).
    Events without a user key are not counted.
-#}
with

events as (

    select * from {{ ref('int_business__journey_events') }}

),

journeys as (

    select * from {{ ref('stg_journeys') }}

),

incidents as (

    select * from {{ ref('stg_incidents') }}

),

journey_scope_events as (

    select
        events.event_id,
        events.journey,
        events.occurred_at,
        journeys.service
    from events
    left join journeys on events.journey = journeys.journey
    where events.scope = 'journey'
        and events.user_key_hash is not null

),

failed_events as (

    select distinct journey_scope_events.event_id
    from journey_scope_events
    inner join incidents
        on (
            incidents.journey = journey_scope_events.journey
            or (incidents.journey is null and incidents.service = journey_scope_events.service)
        )
        and journey_scope_events.occurred_at >= incidents.started_at
        and (
            incidents.resolved_at is null
            or journey_scope_events.occurred_at < incidents.resolved_at
        )

),

flagged as (

    select
        events.scope,
        events.journey,
        events.week_start,
        events.user_key_hash,
        case when failed_events.event_id is not null then 1 else 0 end as is_failed_event
    from events
    left join failed_events on events.event_id = failed_events.event_id
    where events.user_key_hash is not null

),

user_weeks as (

    select
        scope,
        journey,
        week_start,
        user_key_hash,
        count(*) as events,
        max(is_failed_event) as met_failure_flag
    from flagged
    group by scope, journey, week_start, user_key_hash

),

final as (

    select
        {{ row_key(['scope', 'journey', 'week_start', 'user_key_hash'], 'user_week_id') }},
        cast(events as {{ dbt.type_bigint() }}) as events,
        met_failure_flag = 1 as met_failure
    from user_weeks

)

select * from final
