{#-
    Per incident: the earlier incidents of the last `pattern_weeks` weeks (default 8, before its
    start) on the same service, and those with the same cause (the `cause` of both postmortems).
    An incident with at least one such earlier incident is part of a pattern.
-#}
with

incidents as (

    select * from {{ ref('stg_incidents') }}

),

postmortems as (

    select * from {{ ref('stg_postmortems') }}

),

settings as (

    select * from {{ ref('stg_review_settings') }}

),

with_cause as (

    select
        incidents.incident_id,
        incidents.service,
        incidents.started_at,
        postmortems.cause
    from incidents
    left join postmortems on incidents.incident_id = postmortems.incident_id

),

earlier as (

    select
        current_incident.incident_id,
        earlier_incident.incident_id as earlier_incident_id,
        earlier_incident.service = current_incident.service as is_same_service,
        coalesce(earlier_incident.cause = current_incident.cause, false) as is_same_cause
    from with_cause as current_incident
    cross join settings
    inner join with_cause as earlier_incident
        on earlier_incident.started_at < current_incident.started_at
        and earlier_incident.started_at >= {{ cross_db_timestamp_add(
            'day', '-7 * settings.pattern_weeks', 'current_incident.started_at'
        ) }}
        and (
            earlier_incident.service = current_incident.service
            or earlier_incident.cause = current_incident.cause
        )

),

aggregated as (

    select
        incident_id,
        sum(case when is_same_service then 1 else 0 end) as same_service_incidents,
        sum(case when is_same_cause then 1 else 0 end) as same_cause_incidents,
        {{ cross_db_listagg('earlier_incident_id', "', '") }}
            as related_incident_ids
    from earlier
    group by incident_id

),

final as (

    select
        with_cause.incident_id,
        with_cause.cause,
        cast(coalesce(aggregated.same_service_incidents, 0) as {{ dbt.type_bigint() }})
            as same_service_incidents,
        cast(coalesce(aggregated.same_cause_incidents, 0) as {{ dbt.type_bigint() }})
            as same_cause_incidents,
        aggregated.related_incident_ids,
        aggregated.incident_id is not null as is_pattern
    from with_cause
    left join aggregated on with_cause.incident_id = aggregated.incident_id

)

select * from final
