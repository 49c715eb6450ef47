{#- One row per incident: timings, the deployment it is attributed to and how, recovery time. -#}
with

incidents as (

    select * from {{ ref('stg_incidents') }}

),

attribution as (

    select * from {{ ref('int_dora__incident_attribution') }}

),

deployments as (

    select * from {{ ref('int_dora__deployments') }}

),

services as (

    select * from {{ ref('stg_services') }}

),

joined as (

    select
        incidents.incident_id,
        incidents.service,
        coalesce(services.team, deployments.team) as team,
        incidents.severity,
        incidents.title,
        incidents.journey,
        incidents.started_at,
        incidents.detected_at,
        incidents.resolved_at,
        coalesce(incidents.is_open, incidents.resolved_at is null) as is_open,
        {{ cross_db_week_start('incidents.started_at') }} as started_week_start,
        {{ cross_db_minutes_between('incidents.started_at', 'incidents.detected_at') }}
            as time_to_detect_minutes,
        {{ cross_db_minutes_between('incidents.started_at', 'incidents.resolved_at') }}
            as time_to_restore_minutes,
        attribution.deployment_id as caused_by_deployment_id,
        attribution.attribution_method,
        deployments.finished_at as caused_by_deployment_finished_at,
        {{ cross_db_minutes_between('deployments.finished_at', 'incidents.resolved_at') }}
            as recovery_from_deployment_minutes,
        incidents.caused_by_deployment_id as reported_cause_deployment_id,
        attribution.explicit_cause_status as reported_cause_status,
        incidents.root_cause_sha,
        incidents.postmortem_url
    from incidents
    inner join attribution on incidents.incident_id = attribution.incident_id
    left join deployments on attribution.deployment_id = deployments.deployment_id
    left join services on incidents.service = services.service

),

final as (

    select
        incident_id,
        service,
        team,
        severity,
        title,
        journey,
        started_at,
        detected_at,
        resolved_at,
        is_open,
        started_week_start,
        cast(time_to_detect_minutes as {{ cross_db_type_double() }}) as time_to_detect_minutes,
        cast(time_to_restore_minutes as {{ cross_db_type_double() }}) as time_to_restore_minutes,
        caused_by_deployment_id,
        attribution_method,
        caused_by_deployment_finished_at,
        cast(recovery_from_deployment_minutes as {{ cross_db_type_double() }})
            as recovery_from_deployment_minutes,
        reported_cause_deployment_id,
        reported_cause_status,
        root_cause_sha,
        postmortem_url
    from joined

)

select * from final
