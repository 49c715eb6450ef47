{#- The (SLO, service, route, HTTP method) rows an SLO selects among `routes` (int_slo__request_routes
    or a filter of it): the service is the selector's, the route matches its LIKE pattern and no
    excluded-route pattern, and the method is the selector's (any, when the selector has none).
    Used by int_slo__sli_minute for its route map and to find where a new SLO's history starts. -#}
{% macro slo_selected_routes(routes) -%}
    select distinct
        selectors.slo_id,
        routes.service,
        routes.route,
        routes.http_method_key,
        routes.first_request_at,
        routes.first_timed_request_at,
        routes.last_request_at
    from {{ routes }} as routes
    inner join {{ ref('stg_slo_selectors') }} as selectors
        on routes.service = selectors.service
        and {{ cross_db_like('routes.route', 'selectors.route_pattern') }}
        and (selectors.http_method is null or routes.http_method_key = selectors.http_method)
    where not exists (
        select 1
        from {{ ref('stg_slo_excluded_routes') }} as excluded_routes
        where {{ cross_db_like('routes.route', 'excluded_routes.route_pattern') }}
    )
{%- endmacro %}
