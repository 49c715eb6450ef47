with

source as (

    select * from {{ source('raw', 'incidents') }}

),

latest as (

    select
        *,
        row_number() over (
            partition by incident_id order by _loaded_at desc, _source_record desc
        ) as version_rank
    from source

),

final as (

    select
        incident_id,
        service,
        started_at,
        detected_at,
        resolved_at,
        resolved_at is null as is_open,
        severity,
        title,
        journey,
        caused_by_deployment_id,
        root_cause_sha,
        postmortem_url
    from latest
    where version_rank = 1

)

select * from final
