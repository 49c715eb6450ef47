{#-
    The one counted deployment each incident is attributed to, by the first rule that finds one:
    1. explicit: caused_by_deployment_id names a counted deployment;
    2. root_cause_sha: the first counted deployment (earliest finished_at) of that commit;
    3. time_window: the latest counted deployment of the incident's service that finished at most
       `attribution_window_hours` before started_at (and not after it).
    An incident matched by several rules or several deployments is attributed once. A link to a
    deployment that is not counted (failed, not production) or unknown falls through to the next
    rule, and is listed in dora_data_quality.
-#}
{%- set window_minutes = var('attribution_window_hours') * 60 %}

with

incidents as (

    select * from {{ ref('stg_incidents') }}

),

deployments as (

    select * from {{ ref('int_dora__deployments') }}

),

counted as (

    select * from deployments where is_counted

),

explicit_candidates as (

    select
        incidents.incident_id,
        counted.deployment_id,
        1 as method_rank,
        'explicit' as attribution_method
    from incidents
    inner join counted on incidents.caused_by_deployment_id = counted.deployment_id

),

sha_ranked as (

    select
        incidents.incident_id,
        counted.deployment_id,
        row_number() over (
            partition by incidents.incident_id
            order by counted.finished_at, counted.deployment_id
        ) as match_rank
    from incidents
    inner join counted on incidents.root_cause_sha = counted.commit_sha

),

sha_candidates as (

    select
        incident_id,
        deployment_id,
        2 as method_rank,
        'root_cause_sha' as attribution_method
    from sha_ranked
    where match_rank = 1

),

window_ranked as (

    select
        incidents.incident_id,
        counted.deployment_id,
        row_number() over (
            partition by incidents.incident_id
            order by counted.finished_at desc, counted.deployment_id desc
        ) as match_rank
    from incidents
    inner join counted
        on incidents.service = counted.service
        and counted.finished_at <= incidents.started_at
        and {{ cross_db_minutes_between('counted.finished_at', 'incidents.started_at') }}
            <= {{ window_minutes }}

),

window_candidates as (

    select
        incident_id,
        deployment_id,
        3 as method_rank,
        'time_window' as attribution_method
    from window_ranked
    where match_rank = 1

),

candidates as (

    select * from explicit_candidates
    union all
    select * from sha_candidates
    union all
    select * from window_candidates

),

ranked as (

    select
        *,
        row_number() over (partition by incident_id order by method_rank) as candidate_rank
    from candidates

),

final as (

    select
        incidents.incident_id,
        ranked.deployment_id,
        ranked.attribution_method,
        case
            when incidents.caused_by_deployment_id is null then null
            when named.is_counted then 'counted'
            when named.deployment_id is not null then 'not_counted'
            else 'unknown'
        end as explicit_cause_status
    from incidents
    left join ranked
        on incidents.incident_id = ranked.incident_id
        and ranked.candidate_rank = 1
    left join deployments as named on incidents.caused_by_deployment_id = named.deployment_id

)

select * from final
