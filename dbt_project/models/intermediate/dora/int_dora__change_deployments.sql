{#-
    The counted deployment that shipped each change, and how it was found.
    1. explicit: the change's deployment_id, when it names a counted deployment;
    2. time: else the first counted deployment of the change's service finishing at or after the
       change's anchor (merged_at, else first_committed_at). The previous counted deployment of the
       service finished before the anchor, so a deployment only takes changes merged since the
       one before it. A service's first counted deployment only takes changes whose anchor is at
       most `dora_first_deployment_lookback_days` (default 14) days before it: older changes most
       likely shipped before the data starts, and would inflate its lead time.
    Non-counted deployments (failed, or not production) never ship a change.
-#}
{%- set lookback_minutes = var('dora_first_deployment_lookback_days', 14) * 1440 %}

with

changes as (

    select * from {{ ref('stg_changes') }}

),

deployments as (

    select * from {{ ref('int_dora__deployments') }}

),

counted as (

    select * from deployments where is_counted

),

service_bounds as (

    select
        service,
        max(finished_at) as last_counted_finished_at
    from counted
    group by service

),

anchored as (

    select
        change_id,
        service,
        deployment_id as explicit_deployment_id,
        coalesce(merged_at, first_committed_at) as anchor_at
    from changes

),

explicit_matches as (

    select
        anchored.change_id,
        counted.deployment_id
    from anchored
    inner join counted on anchored.explicit_deployment_id = counted.deployment_id

),

time_matches as (

    select
        anchored.change_id,
        counted.deployment_id
    from anchored
    inner join counted
        on anchored.service = counted.service
        and counted.finished_at >= anchored.anchor_at
        and (
            counted.previous_counted_finished_at < anchored.anchor_at
            or (
                counted.previous_counted_finished_at is null
                and {{ cross_db_minutes_between('anchored.anchor_at', 'counted.finished_at') }}
                    <= {{ lookback_minutes }}
            )
        )

),

final as (

    select
        anchored.change_id,
        anchored.anchor_at,
        coalesce(explicit_matches.deployment_id, time_matches.deployment_id) as deployment_id,
        case
            when explicit_matches.deployment_id is not null then 'explicit'
            when time_matches.deployment_id is not null then 'time'
        end as deployment_method,
        case
            when anchored.explicit_deployment_id is null then null
            when explicit_matches.deployment_id is not null then 'counted'
            when named.deployment_id is not null then 'not_counted'
            else 'unknown'
        end as explicit_deployment_status,
        case
            when explicit_matches.deployment_id is not null
                or time_matches.deployment_id is not null then null
            when service_bounds.last_counted_finished_at is null
                or service_bounds.last_counted_finished_at < anchored.anchor_at
                then 'never_deployed'
            else 'outside_first_deployment_lookback'
        end as undeployed_reason
    from anchored
    left join explicit_matches on anchored.change_id = explicit_matches.change_id
    left join time_matches on anchored.change_id = time_matches.change_id
    left join deployments as named on anchored.explicit_deployment_id = named.deployment_id
    left join service_bounds on anchored.service = service_bounds.service

)

select * from final
