{#- A view: request logs are large, and the loader already de-duplicated them by request_id. -#}
with

source as (

    select * from {{ source('raw', 'requests') }}

),

final as (

    select
        {{ adapter.quote("timestamp") }} as requested_at,
        service,
        route,
        upper(method) as http_method,
        status as status_code,
        latency_ms,
        request_id,
        user_key as user_key_hash
    from source

)

select * from final
