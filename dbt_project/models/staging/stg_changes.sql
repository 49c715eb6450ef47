with

source as (

    select * from {{ source('raw', 'changes') }}

),

latest as (

    select
        *,
        row_number() over (
            partition by change_id order by _loaded_at desc, _source_record desc
        ) as version_rank
    from source

),

final as (

    select
        change_id,
        service,
        first_committed_at,
        opened_at,
        merged_at,
        commit_sha,
        deployment_id
    from latest
    where version_rank = 1

)

select * from final
