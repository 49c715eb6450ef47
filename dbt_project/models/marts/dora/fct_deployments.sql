{#-
    One row per deployment (all of them; is_counted marks successful production ones), with the
    changes it shipped, the incidents attributed to it, and whether it is a change failure or rework.
    A counted deployment is a change failure when an incident is attributed to it, or when it was
    rolled back: a later counted `rollback` deployment of the same service without
    fixes_incident_id rolls back the counted deployment just before it. (A hotfix/rollback whose
    fixes_incident_id names an incident attributed to a deployment marks that deployment through the
    incident's attribution.) Failures are counted per deployment, never per change or incident.
-#}
with

deployments as (

    select * from {{ ref('int_dora__deployments') }}

),

changes as (

    select * from {{ ref('fct_changes') }}

),

incidents as (

    select * from {{ ref('fct_incidents') }}

),

change_summary as (

    select
        deployment_id,
        count(*) as change_count,
        sum(case when has_valid_lead_time then 1 else 0 end) as valid_lead_time_change_count,
        {{ cross_db_percentile_cont(
            'case when has_valid_lead_time then lead_time_minutes end', 0.5
        ) }} as lead_time_median_minutes
    from changes
    where deployment_id is not null
    group by deployment_id

),

incident_summary as (

    select
        caused_by_deployment_id as deployment_id,
        count(*) as incident_count,
        {{ cross_db_listagg('incident_id', "', '") }} as incident_ids
    from incidents
    where caused_by_deployment_id is not null
    group by caused_by_deployment_id

),

rollbacks as (

    select
        previous_counted_deployment_id as deployment_id,
        min(deployment_id) as rolled_back_by_deployment_id
    from deployments
    where
        is_counted
        and deployment_type = 'rollback'
        and fixes_incident_id is null
        and previous_counted_deployment_id is not null
    group by previous_counted_deployment_id

),

final as (

    select
        deployments.deployment_id,
        deployments.service,
        deployments.team,
        deployments.environment,
        deployments.status,
        deployments.deployment_type,
        deployments.commit_sha,
        deployments.fixes_incident_id,
        deployments.started_at,
        deployments.finished_at,
        deployments.finished_date,
        deployments.week_start,
        deployments.is_production,
        deployments.is_successful,
        deployments.is_known_service,
        deployments.is_counted,
        deployments.previous_counted_deployment_id,
        cast(coalesce(change_summary.change_count, 0) as {{ dbt.type_bigint() }}) as change_count,
        cast(coalesce(change_summary.valid_lead_time_change_count, 0) as {{ dbt.type_bigint() }})
            as valid_lead_time_change_count,
        cast(change_summary.lead_time_median_minutes as {{ cross_db_type_double() }})
            as lead_time_median_minutes,
        cast(coalesce(incident_summary.incident_count, 0) as {{ dbt.type_bigint() }})
            as incident_count,
        incident_summary.incident_ids,
        rollbacks.rolled_back_by_deployment_id,
        rollbacks.deployment_id is not null as is_rolled_back,
        deployments.is_counted
            and (incident_summary.deployment_id is not null or rollbacks.deployment_id is not null)
            as is_change_failure,
        deployments.is_rework
    from deployments
    left join change_summary on deployments.deployment_id = change_summary.deployment_id
    left join incident_summary on deployments.deployment_id = incident_summary.deployment_id
    left join rollbacks on deployments.deployment_id = rollbacks.deployment_id

)

select * from final
