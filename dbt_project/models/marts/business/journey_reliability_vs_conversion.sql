{#-
    Per journey and ISO week: the journey's success rate (availability SLI) next to its conversion
    rate and revenue, and an ESTIMATE of how they move together over the trailing `chart_weeks`
    weeks (default 12, the week and the ones before it): the least-squares slopes of weekly revenue
    and of weekly conversion rate (in points) on weekly success rate (in points), and Pearson's
    correlation. Needs at least 3 weeks with both values and some spread in success rate, else
    null. A correlation over a few weeks, not a causal effect: the review labels it an estimate.
-#}
with

kpis as (

    select * from {{ ref('journey_kpis_weekly') }}
    where scope = 'journey'

),

settings as (

    select * from {{ ref('stg_review_settings') }}

),

points as (

    select
        journey,
        week_start,
        availability_sli * 100 as success_points,
        conversion_rate * 100 as conversion_points,
        revenue
    from kpis
    where availability_sli is not null and conversion_rate is not null

),

fit_windows as (

    select
        kpis.journey,
        kpis.week_start,
        points.week_start as point_week_start,
        points.success_points,
        points.conversion_points,
        points.revenue
    from kpis
    cross join settings
    inner join points
        on kpis.journey = points.journey
        and points.week_start <= kpis.week_start
        and points.week_start > cast(
            {{ dbt.dateadd('day', '-7 * settings.chart_weeks', 'kpis.week_start') }} as date
        )

),

means as (

    select
        journey,
        week_start,
        count(*) as fit_weeks,
        min(point_week_start) as fit_first_week_start,
        avg(success_points) as mean_success_points,
        avg(conversion_points) as mean_conversion_points,
        avg(revenue) as mean_revenue
    from fit_windows
    group by journey, week_start

),

moments as (

    select
        fit_windows.journey,
        fit_windows.week_start,
        sum(
            (fit_windows.success_points - means.mean_success_points)
            * (fit_windows.success_points - means.mean_success_points)
        ) as sxx,
        sum(
            (fit_windows.success_points - means.mean_success_points)
            * (fit_windows.revenue - means.mean_revenue)
        ) as sxy_revenue,
        sum(
            (fit_windows.success_points - means.mean_success_points)
            * (fit_windows.conversion_points - means.mean_conversion_points)
        ) as sxy_conversion,
        sum(
            (fit_windows.revenue - means.mean_revenue)
            * (fit_windows.revenue - means.mean_revenue)
        ) as syy_revenue
    from fit_windows
    inner join means
        {{ join_on('fit_windows', 'means', ['journey', 'week_start']) }}
    group by fit_windows.journey, fit_windows.week_start

),

final as (

    select
        {{ dbt.concat(['kpis.journey', "':'", 'cast(kpis.week_start as ' ~ dbt.type_string() ~ ')']) }}
            as journey_week_id,
        kpis.journey,
        kpis.week_start,
        kpis.availability_sli,
        kpis.conversion_rate,
        kpis.revenue,
        kpis.currency,
        cast(coalesce(means.fit_weeks, 0) as {{ dbt.type_bigint() }}) as fit_weeks,
        means.fit_first_week_start,
        case
            when means.fit_weeks >= 3 and moments.sxx > 1e-9
                then moments.sxy_revenue / moments.sxx
        end as revenue_per_success_point_estimate,
        case
            when means.fit_weeks >= 3 and moments.sxx > 1e-9
                then moments.sxy_conversion / moments.sxx
        end as conversion_points_per_success_point_estimate,
        case
            when means.fit_weeks >= 3 and moments.sxx > 1e-9 and moments.syy_revenue > 1e-9
                then moments.sxy_revenue / sqrt(moments.sxx * moments.syy_revenue)
        end as revenue_correlation_estimate
    from kpis
    left join means
        {{ join_on('kpis', 'means', ['journey', 'week_start']) }}
    left join moments
        {{ join_on('kpis', 'moments', ['journey', 'week_start']) }}

)

select * from final
