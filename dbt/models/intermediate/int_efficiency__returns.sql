-- Every efficiency figure and target, one row each: the returns loaded in the AES or NI 179
-- contracts (raw.efficiency_returns) and the rows the published headline figures give
-- (int_efficiency__headline_returns). Self-reported, unaudited.
with

contract_returns as (
    select * from {{ ref('stg_efficiency__returns') }}
),

headline_returns as (
    select * from {{ ref('int_efficiency__headline_returns') }}
),

unioned as (
    select * from contract_returns
    union all by name
    select * from headline_returns
),

final as (
    select
        *,
        -- an area is a council's legal body, or England
        coalesce(body_id, 'ENGLAND') as area_id
    from unioned
)

select * from final
