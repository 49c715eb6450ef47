{#-
    Per SLO per minute: valid and good events. Incremental: a run recomputes from the start of
    the last day already present (that day may have been partial) and appends new days; an SLO
    that is new, or whose selection / threshold changed (definition_hash), is computed over the
    whole history, and rows of changed or removed SLOs are deleted first (pre_hook).

    Performance: request routes are matched against the SLO selectors once per distinct
    (service, route, method), then the requests are joined to that small map on equality.
-#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['slo_id', 'minute_at'],
        on_schema_change='fail',
        pre_hook="{% if is_incremental() %}delete from {{ this }} where not exists (select 1 from {{ ref('int_slo__definitions') }} as d where d.slo_id = {{ this }}.slo_id and d.definition_hash = {{ this }}.definition_hash){% endif %}"
    )
}}

{%- set recompute_from = none -%}
{%- if execute and is_incremental() -%}
    {%- set start_query -%}
        select min(coalesce(done.last_day_at, cast('1900-01-01' as {{ dbt.type_timestamp() }})))
        from {{ ref('int_slo__definitions') }} as d
        left join (
            select
                slo_id,
                definition_hash,
                {{ dbt.date_trunc('day', 'max(minute_at)') }} as last_day_at
            from {{ this }}
            group by slo_id, definition_hash
        ) as done
            on d.slo_id = done.slo_id
            and d.definition_hash = done.definition_hash
    {%- endset -%}
    {%- set recompute_from = run_query(start_query).columns[0].values()[0] -%}
{%- endif %}

with

requests as (

    select * from {{ ref('stg_requests') }}
    {%- if recompute_from is not none %}
    where requested_at >= cast('{{ recompute_from }}' as {{ dbt.type_timestamp() }})
    {%- endif %}

),

definitions as (

    select * from {{ ref('int_slo__definitions') }}

),

selectors as (

    select * from {{ source('slo_config', 'slo_selectors') }}

),

excluded_routes as (

    select * from {{ source('slo_config', 'slo_excluded_routes') }}

),

status_rules as (

    select * from {{ source('slo_config', 'slo_status_rules') }}

),

request_routes as (

    select distinct
        service,
        route,
        coalesce(http_method, '') as http_method_key
    from requests

),

slo_routes as (

    select distinct
        selectors.slo_id,
        request_routes.service,
        request_routes.route,
        request_routes.http_method_key
    from request_routes
    inner join selectors
        on request_routes.service = selectors.service
        and request_routes.route like selectors.route_pattern
        and (selectors.http_method is null or request_routes.http_method_key = selectors.http_method)
    where not exists (
        select 1
        from excluded_routes
        where request_routes.route like excluded_routes.route_pattern
    )

),

route_map as (

    select
        slo_routes.*,
        definitions.latency_threshold_ms,
        coalesce(definitions.latency_op, 'lte') = 'lt' as is_strict_threshold
    from slo_routes
    inner join definitions on slo_routes.slo_id = definitions.slo_id

),

counted as (

    select
        route_map.slo_id,
        {{ dbt.date_trunc('minute', 'requests.requested_at') }} as minute_at,
        requests.status_code,
        count(*) as request_count,
        count(requests.latency_ms) as timed_count,
        sum(
            case
                when route_map.is_strict_threshold and requests.latency_ms < route_map.latency_threshold_ms then 1
                when not route_map.is_strict_threshold and requests.latency_ms <= route_map.latency_threshold_ms then 1
                else 0
            end
        ) as fast_count
    from requests
    inner join route_map
        on requests.service = route_map.service
        and requests.route = route_map.route
        and coalesce(requests.http_method, '') = route_map.http_method_key
    group by 1, 2, 3

),

classified as (

    select
        counted.slo_id,
        counted.minute_at,
        definitions.definition_hash,
        case
            when coalesce(status_rules.is_excluded, false) then 0
            when definitions.sli_type = 'latency' then counted.timed_count
            else counted.request_count
        end as valid_events,
        case
            when coalesce(status_rules.is_excluded, false) then 0
            when definitions.sli_type = 'latency' then counted.fast_count
            when coalesce(status_rules.is_bad, false) then 0
            else counted.request_count
        end as good_events
    from counted
    inner join definitions on counted.slo_id = definitions.slo_id
    left join status_rules on counted.status_code = status_rules.status_code

),

final as (

    select
        slo_id || '|' || cast(minute_at as {{ dbt.type_string() }}) as sli_minute_id,
        slo_id,
        minute_at,
        cast(minute_at as date) as minute_date,
        cast(sum(valid_events) as {{ dbt.type_bigint() }}) as valid_events,
        cast(sum(good_events) as {{ dbt.type_bigint() }}) as good_events,
        cast(sum(valid_events) - sum(good_events) as {{ dbt.type_bigint() }}) as bad_events,
        definition_hash
    from classified
    group by slo_id, minute_at, definition_hash
    having sum(valid_events) > 0

)

select * from final
