{#-
    Per SLO per minute: valid and good events. Incremental: a run recomputes from the start of
    the last day already present (that day may have been partial) and appends new days; an SLO
    that is new, or whose selection / threshold changed (definition_hash), is computed from the
    first day any request it selects was seen (for a latency SLO, any such request with a
    latency), and rows of changed or removed SLOs are deleted first (pre_hook). An SLO without
    minutes that selects no request at all does not move the start: nothing in the history
    counts for it.

    Performance: the requests are read once and aggregated before any fan-out to SLOs.
    - Route patterns (LIKE) are matched on the distinct routes only (int_slo__request_routes);
      the selected (service, route, method) triples form a small map.
    - Each triple maps to one row per distinct latency cut (threshold, lt/lte) of its latency
      SLOs, or to one row without a cut; triples with the same SLOs and cut share a cut_key.
      A request joins that map on equality (one row per request unless several latency SLOs
      with different thresholds select it) and is counted per (minute, cut_key, status).
    - Only then are the counts assigned to the SLOs of each cut_key (availability SLOs on the
      first cut of their triple, latency SLOs on their own cut) and classified by status.
-#}
{{
    config(
        materialized=cross_db_delete_insert_materialization(),
        incremental_strategy='delete+insert',
        unique_key=['slo_id', 'minute_at'],
        on_schema_change='fail',
        pre_hook="{% if is_incremental() %}delete from {{ this }} where {{ slo_definition_changed(['definition_hash']) }}{% endif %}"
    )
}}

{%- set recompute_from = none -%}
{%- if execute and is_incremental() -%}
    {%- set start_query -%}
        {#- Per SLO: the last day already computed with its current definition, else the first
            day with a request it would count; an SLO with neither has nothing to compute. -#}
        select coalesce(
            min(coalesce(
                done.last_day_at,
                case when d.sli_type = 'latency' then fresh.first_timed_day_at else fresh.first_day_at end
            )),
            (select {{ dbt.date_trunc('day', 'max(minute_at)') }} from {{ this }}),
            cast('1900-01-01' as {{ dbt.type_timestamp() }})
        )
        from {{ ref('int_slo__definitions') }} as d
        left join (
            select
                slo_id,
                definition_hash,
                {{ dbt.date_trunc('day', 'max(minute_at)') }} as last_day_at
            from {{ this }}
            group by slo_id, definition_hash
        ) as done
            {{ join_on('d', 'done', ['slo_id', 'definition_hash']) }}
        left join (
            select
                slo_id,
                {{ dbt.date_trunc('day', 'min(first_request_at)') }} as first_day_at,
                {{ dbt.date_trunc('day', 'min(first_timed_request_at)') }} as first_timed_day_at
            from ({{ slo_selected_routes(ref('int_slo__request_routes')) }}) as selected
            group by slo_id
        ) as fresh
            on d.slo_id = fresh.slo_id
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

request_routes as (

    select * from {{ ref('int_slo__request_routes') }}
    {%- if recompute_from is not none %}
    where last_request_at >= cast('{{ recompute_from }}' as {{ dbt.type_timestamp() }})
    {%- endif %}

),

definitions as (

    select * from {{ ref('int_slo__definitions') }}

),

status_rules as (

    select * from {{ ref('stg_slo_status_rules') }}

),

slo_routes as (

    {{ slo_selected_routes('request_routes') }}

),

slo_cuts as (

    select
        slo_id,
        sli_type,
        definition_hash,
        case when sli_type = 'latency' then latency_threshold_ms end as cut_ms,
        sli_type = 'latency' and coalesce(latency_op, 'lte') = 'lt' as is_strict_cut
    from definitions

),

route_slos as (

    select
        slo_routes.service,
        slo_routes.route,
        slo_routes.http_method_key,
        slo_cuts.slo_id,
        slo_cuts.sli_type,
        slo_cuts.cut_ms,
        slo_cuts.is_strict_cut
    from slo_routes
    inner join slo_cuts on slo_routes.slo_id = slo_cuts.slo_id

),

route_cuts as (

    select distinct
        service,
        route,
        http_method_key,
        cut_ms,
        is_strict_cut
    from route_slos
    where sli_type = 'latency'

    union all

    select distinct
        service,
        route,
        http_method_key,
        cast(null as {{ cross_db_type_double() }}) as cut_ms,
        false as is_strict_cut
    from route_slos
    where not exists (
        select 1
        from route_slos as latency_slos
        where latency_slos.sli_type = 'latency'
            and latency_slos.service = route_slos.service
            and latency_slos.route = route_slos.route
            and latency_slos.http_method_key = route_slos.http_method_key
    )

),

ranked_cuts as (

    select
        *,
        row_number() over (
            partition by service, route, http_method_key order by cut_ms, is_strict_cut
        ) as cut_number
    from route_cuts

),

cut_slos as (

    select
        ranked_cuts.service,
        ranked_cuts.route,
        ranked_cuts.http_method_key,
        ranked_cuts.cut_ms,
        ranked_cuts.is_strict_cut,
        route_slos.slo_id
    from ranked_cuts
    inner join route_slos
        {{ join_on('ranked_cuts', 'route_slos', ['service', 'route', 'http_method_key']) }}
        and (
            (route_slos.sli_type = 'latency'
                and ranked_cuts.cut_ms is not distinct from route_slos.cut_ms
                and ranked_cuts.is_strict_cut = route_slos.is_strict_cut)
            or (route_slos.sli_type <> 'latency' and ranked_cuts.cut_number = 1)
        )

),

cut_sets as (

    select
        service,
        route,
        http_method_key,
        cut_ms,
        is_strict_cut,
        {#- length-prefixed ids: distinct sets give distinct strings whatever the ids contain;
            ordered on every engine (dbt.listagg ignores the order on Spark), so equal sets
            give equal strings -#}
        {{ cross_db_listagg(
            'cast(' ~ dbt.length('slo_id') ~ ' as ' ~ dbt.type_string() ~ ") || ':' || slo_id",
            "','", 'slo_id') }} as slo_set
    from cut_slos
    group by service, route, http_method_key, cut_ms, is_strict_cut

),

route_map as (

    select
        *,
        dense_rank() over (order by slo_set, cut_ms, is_strict_cut) as cut_key
    from cut_sets

),

cut_key_slos as (

    select distinct
        route_map.cut_key,
        cut_slos.slo_id
    from route_map
    inner join cut_slos
        {{ join_on('route_map', 'cut_slos', ['service', 'route', 'http_method_key']) }}
        and route_map.cut_ms is not distinct from cut_slos.cut_ms
        and route_map.is_strict_cut = cut_slos.is_strict_cut

),

counted as (

    select
        {{ dbt.date_trunc('minute', 'requests.requested_at') }} as minute_at,
        route_map.cut_key,
        requests.status_code,
        count(*) as request_count,
        count(requests.latency_ms) as timed_count,
        sum(
            case
                when route_map.is_strict_cut and requests.latency_ms < route_map.cut_ms then 1
                when not route_map.is_strict_cut and requests.latency_ms <= route_map.cut_ms then 1
                else 0
            end
        ) as fast_count
    from requests
    inner join route_map
        {{ join_on('requests', 'route_map', ['route', 'service']) }}
        and coalesce(requests.http_method, '') = route_map.http_method_key
    group by 1, 2, 3

),

classified as (

    select
        cut_key_slos.slo_id,
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
    inner join cut_key_slos on counted.cut_key = cut_key_slos.cut_key
    inner join definitions on cut_key_slos.slo_id = definitions.slo_id
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
