{#- One row per postmortem action item, with its incident's service, severity and week. -#}
with

action_items as (

    select * from {{ ref('stg_postmortem_action_items') }}

),

incidents as (

    select * from {{ ref('stg_incidents') }}

),

final as (

    select
        action_items.action_item_id,
        action_items.incident_id,
        action_items.item_number,
        action_items.title,
        action_items.owner,
        action_items.priority,
        action_items.due_date,
        action_items.status,
        action_items.status <> 'done' as is_open,
        incidents.service,
        incidents.severity,
        cast({{ dbt.date_trunc('week', 'incidents.started_at') }} as date) as incident_week_start,
        incidents.incident_id is not null as has_known_incident
    from action_items
    left join incidents on action_items.incident_id = incidents.incident_id

)

select * from final
