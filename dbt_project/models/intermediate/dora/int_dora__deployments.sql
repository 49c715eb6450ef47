{#-
    Every deployment, flagged: counted (successful and production), rework, and its place in the
    sequence of its service's counted deployments (used to assign changes by time and to find what
    an un-linked rollback rolled back).
-#}
with

deployments as (

    select * from {{ ref('stg_deployments') }}

),

flagged as (

    select
        deployment_id,
        service,
        team,
        environment,
        status,
        deployment_type,
        started_at,
        finished_at,
        finished_date,
        {{ cross_db_week_start('finished_at') }} as week_start,
        commit_sha,
        fixes_incident_id,
        coalesce(is_production, false) as is_production,
        coalesce(is_successful, false) as is_successful,
        coalesce(is_known_service, false) as is_known_service,
        coalesce(is_successful and is_production, false) as is_counted
    from deployments

),

counted_sequence as (

    select
        deployment_id,
        lag(deployment_id) over (
            partition by service order by finished_at, deployment_id
        ) as previous_counted_deployment_id,
        lag(finished_at) over (
            partition by service order by finished_at, deployment_id
        ) as previous_counted_finished_at
    from flagged
    where is_counted

),

final as (

    select
        flagged.deployment_id,
        flagged.service,
        flagged.team,
        flagged.environment,
        flagged.status,
        flagged.deployment_type,
        flagged.started_at,
        flagged.finished_at,
        flagged.finished_date,
        flagged.week_start,
        flagged.commit_sha,
        flagged.fixes_incident_id,
        flagged.is_production,
        flagged.is_successful,
        flagged.is_known_service,
        flagged.is_counted,
        flagged.is_counted
            and (
                flagged.deployment_type in ('hotfix', 'rollback')
                or flagged.fixes_incident_id is not null
            ) as is_rework,
        counted_sequence.previous_counted_deployment_id,
        counted_sequence.previous_counted_finished_at,
        flagged.is_counted
            and counted_sequence.previous_counted_deployment_id is null as is_first_counted
    from flagged
    left join counted_sequence on flagged.deployment_id = counted_sequence.deployment_id

)

select * from final
