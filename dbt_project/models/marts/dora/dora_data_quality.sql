{#-
    What the DORA metrics left out, or took with a caveat, and why: one row per item and reason.
    excluded_from names the metrics the item is missing from (null: only a caveat).
-#}
with

changes as (

    select * from {{ ref('fct_changes') }}

),

deployments as (

    select * from {{ ref('fct_deployments') }}

),

incidents as (

    select * from {{ ref('fct_incidents') }}

),

change_issues as (

    select
        'change' as item_type,
        change_id as item_id,
        service,
        'non_positive_lead_time' as reason,
        'deployment ' || deployment_id || ' finished '
            || {{ cross_db_number_text('-lead_time_minutes', 1) }}
            || ' minutes before or at the first commit' as detail,
        'change lead time' as excluded_from,
        deployed_at as occurred_at
    from changes
    where is_deployed and not has_valid_lead_time

    union all

    select
        'change' as item_type,
        change_id as item_id,
        service,
        undeployed_reason as reason,
        case undeployed_reason
            when 'never_deployed'
                then 'no counted deployment of the service finished at or after the merge'
            else 'merged more than {{ var("dora_first_deployment_lookback_days", 14) }} days'
                || ' before the first counted deployment of the service'
        end as detail,
        'change lead time' as excluded_from,
        anchor_at as occurred_at
    from changes
    where undeployed_reason is not null

    union all

    {{ uncounted_deployment_issues(
        'changes', 'change', 'change_id', 'anchor_at', 'explicit_deployment_not_counted',
        'explicit_deployment_status',
        "'deployment_id names a deployment that is '",
        "': the deployment was found by time instead'"
    ) }}

),

incident_issues as (

    select
        'incident' as item_type,
        incident_id as item_id,
        service,
        'unattributed' as reason,
        'no explicit link, root-cause commit or counted deployment of the service in the'
            || ' attribution window' as detail,
        'change fail rate, failed deployment recovery time' as excluded_from,
        started_at as occurred_at
    from incidents
    where caused_by_deployment_id is null

    union all

    select
        'incident' as item_type,
        incident_id as item_id,
        service,
        'open' as reason,
        'not resolved yet: reported as open, never as a zero-minute restore' as detail,
        'time to restore, failed deployment recovery time' as excluded_from,
        started_at as occurred_at
    from incidents
    where is_open

    union all

    select
        'incident' as item_type,
        incident_id as item_id,
        service,
        'negative_time_to_restore' as reason,
        'resolved_at is before started_at' as detail,
        'time to restore' as excluded_from,
        started_at as occurred_at
    from incidents
    where time_to_restore_minutes < 0

    union all

    select
        'incident' as item_type,
        incident_id as item_id,
        service,
        'negative_recovery_time' as reason,
        'resolved_at is before the attributed deployment ' || caused_by_deployment_id
            || ' finished' as detail,
        'failed deployment recovery time' as excluded_from,
        started_at as occurred_at
    from incidents
    where recovery_from_deployment_minutes < 0

    union all

    {{ uncounted_deployment_issues(
        'incidents', 'incident', 'incident_id', 'started_at', 'explicit_cause_not_counted',
        'reported_cause_status',
        "'caused_by_deployment_id ' || reported_cause_deployment_id || ' is '",
        "': the next attribution rule was used'"
    ) }}

),

deployment_issues as (

    select
        'deployment' as item_type,
        deployment_id as item_id,
        service,
        'unknown_service' as reason,
        'service is not in the config file'
            || case
                when team is null then ': no team, so it is in no team''s rows'
                else ''
            end as detail,
        case when team is null then 'team scope' end as excluded_from,
        finished_at as occurred_at
    from deployments
    where not is_known_service

),

unioned as (

    select * from change_issues
    union all
    select * from incident_issues
    union all
    select * from deployment_issues

),

final as (

    select
        {{ dbt.concat(['item_type', "':'", 'item_id', "':'", 'reason']) }} as data_quality_id,
        item_type,
        item_id,
        service,
        reason,
        detail,
        excluded_from,
        occurred_at
    from unioned

)

select * from final
