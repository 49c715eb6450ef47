with

postmortem_action_items as (

    select * from {{ source('review_raw', 'postmortem_action_items') }}

),

final as (

    select
        action_item_id,
        incident_id,
        item_number,
        title,
        owner,
        priority,
        due_date,
        status
    from postmortem_action_items

)

select * from final
