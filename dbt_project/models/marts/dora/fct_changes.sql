{#- One row per change: the counted deployment that shipped it, its lead time and stages. -#}
with

changes as (

    select * from {{ ref('stg_changes') }}

),

change_deployments as (

    select * from {{ ref('int_dora__change_deployments') }}

),

deployments as (

    select * from {{ ref('int_dora__deployments') }}

),

joined as (

    select
        changes.change_id,
        changes.service,
        deployments.team,
        changes.commit_sha,
        changes.first_committed_at,
        changes.opened_at,
        changes.merged_at,
        change_deployments.anchor_at,
        change_deployments.deployment_id,
        change_deployments.deployment_method,
        change_deployments.explicit_deployment_status,
        change_deployments.undeployed_reason,
        deployments.finished_at as deployed_at,
        deployments.week_start as deployed_week_start,
        {{ cross_db_minutes_between('changes.first_committed_at', 'deployments.finished_at') }}
            as lead_time_minutes,
        {{ cross_db_minutes_between('changes.first_committed_at', 'changes.opened_at') }}
            as coding_minutes,
        {{ cross_db_minutes_between('changes.opened_at', 'changes.merged_at') }} as review_minutes,
        {{ cross_db_minutes_between('changes.merged_at', 'deployments.finished_at') }}
            as deploy_minutes
    from changes
    inner join change_deployments on changes.change_id = change_deployments.change_id
    left join deployments on change_deployments.deployment_id = deployments.deployment_id

),

final as (

    select
        change_id,
        service,
        team,
        commit_sha,
        first_committed_at,
        opened_at,
        merged_at,
        anchor_at,
        deployment_id,
        deployment_method,
        explicit_deployment_status,
        undeployed_reason,
        deployed_at,
        deployed_week_start,
        cast(lead_time_minutes as {{ cross_db_type_double() }}) as lead_time_minutes,
        cast(coding_minutes as {{ cross_db_type_double() }}) as coding_minutes,
        cast(review_minutes as {{ cross_db_type_double() }}) as review_minutes,
        cast(deploy_minutes as {{ cross_db_type_double() }}) as deploy_minutes,
        deployment_id is not null as is_deployed,
        coalesce(lead_time_minutes > 0, false) as has_valid_lead_time
    from joined

)

select * from final
