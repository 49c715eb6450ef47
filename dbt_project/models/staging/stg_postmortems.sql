with

postmortems as (

    select * from {{ source('review_raw', 'postmortems') }}

),

final as (

    select
        incident_id,
        file_name,
        file_path,
        title,
        cause,
        summary,
        impact,
        root_cause,
        lessons,
        lesson_count,
        action_item_count,
        published_date,
        body,
        file_sha256,
        loaded_at
    from postmortems

)

select * from final
