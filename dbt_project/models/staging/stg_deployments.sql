with

source as (

    select * from {{ source('raw', 'deployments') }}

),

services as (

    select * from {{ source('raw', 'config_services') }}

),

production_environments as (

    -- the config's production_environments, as data (never pasted into the SQL)
    select environment from {{ source('raw', 'config_production_environments') }}

),

latest as (

    select
        *,
        row_number() over (
            partition by deployment_id order by _loaded_at desc, _source_record desc
        ) as version_rank
    from source

),

final as (

    select
        latest.deployment_id,
        latest.service,
        coalesce(latest.team, services.team) as team,
        latest.environment,
        latest.status,
        coalesce(latest.deployment_type, 'normal') as deployment_type,
        latest.started_at,
        latest.finished_at,
        cast(latest.finished_at as date) as finished_date,
        latest.commit_sha,
        latest.fixes_incident_id,
        latest.environment in (select environment from production_environments) as is_production,
        latest.status = 'success' as is_successful,
        services.service is not null as is_known_service
    from latest
    left join services on latest.service = services.service
    where latest.version_rank = 1

)

select * from final
