{#-
    Per journey (and for all journeys: scope 'all') and UTC day: conversions started and completed,
    conversion rate, revenue, average order value, unique users, and the journey's availability
    and latency SLIs over the same day. Every day from the first to the last day with conversions
    or journey requests is present (zeros, not gaps). Returning users are weekly only
    (journey_kpis_weekly).
-#}
with

{{ journey_kpi_inputs() }}

{{ journey_kpi_spine('requests_daily', 'day_date', 1, 7400) }}

conversions_daily as (

    select
        scope,
        journey,
        day_date,
        {{ journey_conversion_aggregates() }},
        count(distinct user_key_hash) as unique_users
    from events
    group by scope, journey, day_date

),

joined as (

    select
        spine.scope,
        spine.journey,
        spine.day_date,
        {{ journey_conversion_totals('conversions_daily') }},
        coalesce(conversions_daily.unique_users, 0) as unique_users,
        {{ journey_request_totals('requests_daily') }}
    from spine
    cross join settings
    {%- for aggregate in ['conversions_daily', 'requests_daily'] %}
    left join {{ aggregate }}
        {{ join_on('spine', aggregate, ['scope', 'journey', 'day_date']) }}
    {%- endfor %}

),

final as (

    select
        {{ row_key(['scope', 'journey', 'day_date'], 'journey_day_id') }},
        {{ journey_conversion_kpis() }},
        cast(unique_users as {{ dbt.type_bigint() }}) as unique_users,
        {{ journey_request_kpis() }}
    from joined

)

select * from final
