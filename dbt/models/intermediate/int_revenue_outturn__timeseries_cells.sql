-- Multi-year CSV cells as service cells: each variable mapped to its RS service (seed
-- rs_timeseries_variables), each row to the legal body it denotes that year (by E-code where
-- the file gives one, else by GSS code, current or former, of a body existing at the year's
-- end, else by the E-code the publisher's own workbooks pair with that ONS code, e.g. the GLA
-- published as E12000007) and that body's E-code for the year.
with

cells as (
    select * from {{ ref('stg_revenue_outturn__timeseries_cells') }}
),

variables as (
    select * from {{ ref('rs_timeseries_variables') }}
),

service_lines as (
    select distinct service_code, service_name, service_order, is_total
    from {{ ref('rs_service_lines') }}
),

bodies as (
    select * from {{ ref('stg_reference__authorities') }}
),

ecodes as (
    select * from {{ ref('stg_reference__authority_ecodes') }}
),

body_codes as (
    select * from {{ ref('int_authorities__gss_codes') }}
),

by_gss as (
    select distinct cells.financial_year, cells.ons_code, bodies.body_id
    from (select distinct financial_year, ons_code from cells where ecode is null) as cells
    inner join body_codes on cells.ons_code = body_codes.gss_code
    inner join bodies
        on body_codes.body_id = bodies.body_id
        and (bodies.start_date is null
            or bodies.start_date <= {{ financial_year_end('cells.financial_year') }})
        and (bodies.end_date is null
            or bodies.end_date >= {{ financial_year_end('cells.financial_year') }})
),

-- The publisher's own pairing of ONS code and E-code in the workbooks (where it is one-to-one).
publisher_pairs as (
    select ons_code, min(ecode) as ecode
    from {{ ref('stg_revenue_outturn__cells') }}
    where ons_code is not null
    group by all
    having count(distinct ecode) = 1
),

year_ecodes as (
    select ecodes.*, years.financial_year
    from ecodes
    cross join (select distinct financial_year from cells) as years
    where (ecodes.first_financial_year is null
            or years.financial_year >= ecodes.first_financial_year)
        and (ecodes.last_financial_year is null
            or years.financial_year <= ecodes.last_financial_year)
),

keyed as (
    select
        cells.*,
        coalesce(
            cells.ecode,
            case when not exists (
                select 1 from by_gss
                where by_gss.financial_year = cells.financial_year
                    and by_gss.ons_code = cells.ons_code
            ) then publisher_pairs.ecode end
        ) as key_ecode
    from cells
    left join publisher_pairs on cells.ecode is null and cells.ons_code = publisher_pairs.ons_code
),

resolved as (
    select
        cells.* exclude (ecode, key_ecode),
        cells.key_ecode as ecode,
        coalesce(by_gss.body_id, by_ecode.body_id) as body_id,
        coalesce(cells.key_ecode, body_ecode.ecode) as resolved_ecode
    from keyed as cells
    left join by_gss
        on cells.key_ecode is null
        and cells.financial_year = by_gss.financial_year
        and cells.ons_code = by_gss.ons_code
    left join year_ecodes as by_ecode
        on cells.key_ecode = by_ecode.ecode
        and cells.financial_year = by_ecode.financial_year
    left join year_ecodes as body_ecode
        on cells.key_ecode is null
        and by_gss.body_id = body_ecode.body_id
        and cells.financial_year = body_ecode.financial_year
    qualify row_number() over (
        partition by cells.financial_year, cells.ons_code, cells.key_ecode, cells.variable
        order by body_ecode.ecode
    ) = 1
),

final as (
    select
        resolved.financial_year,
        'RS' as form,
        resolved.release,
        resolved.body_id,
        resolved.resolved_ecode as ecode,
        resolved.ons_code,
        resolved.authority_name,
        resolved.authority_class,
        variables.service_code,
        service_lines.service_name,
        service_lines.service_order,
        service_lines.is_total,
        resolved.variable as line_label,
        cast(null as integer) as line_number,
        resolved.value_gbp_thousands,
        resolved.value_marker,
        resolved.source_file,
        resolved.source_sha256,
        resolved.source_row,
        resolved.source_column
    from resolved
    inner join variables on resolved.variable = variables.variable
    inner join service_lines on variables.service_code = service_lines.service_code
)

select * from final
