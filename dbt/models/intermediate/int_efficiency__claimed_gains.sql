-- Efficiency gains claimed, one row per regime x area (a council's body_id, or 'ENGLAND') x
-- financial year: cumulative, forecast, in-year, sustained and planned gains with their
-- cashable parts, each taken from the statement's total row or else summed from its workstream
-- rows (then flagged partial). Self-reported, unaudited.
with

returns as (
    select * from {{ ref('int_efficiency__returns') }}
),

-- One value per regime x area x year x statement x kind of gain: the statement's total row, or
-- the sum of its workstream rows (then flagged partial).
gain_cells as (
    select
        regime,
        area_id,
        financial_year,
        statement,
        gain_type,
        max(case when workstream_type = 'total' then gain_total_gbp end) as total_row_gbp,
        max(case when workstream_type = 'total' then gain_cashable_gbp end)
            as total_row_cashable_gbp,
        sum(case when workstream_type != 'total' then gain_total_gbp end) as workstreams_gbp,
        sum(case when workstream_type != 'total' then gain_cashable_gbp end)
            as workstreams_cashable_gbp,
        count(case when workstream_type != 'total' and gain_cashable_gbp is null then 1 end)
            as workstreams_without_cashable,
        string_agg(
            distinct case when workstream_type != 'total' then workstream end, '|'
        ) as workstreams,
        bool_or(is_approximate) as is_approximate
    from returns
    where gain_type is not null
    group by all
),

gain_values as (
    select
        *,
        coalesce(total_row_gbp, workstreams_gbp) as gain_gbp,
        case
            when total_row_gbp is not null then total_row_cashable_gbp
            when workstreams_without_cashable = 0 then workstreams_cashable_gbp
        end as cashable_gbp,
        total_row_gbp is null as is_partial
    from gain_cells
),

final as (
    select
        regime,
        area_id,
        financial_year,
        max(case when statement in ('backward look', 'NI 179 outturn')
            and gain_type = 'cumulative' then gain_gbp end) as cumulative_gain_gbp,
        max(case when statement in ('backward look', 'NI 179 outturn')
            and gain_type = 'cumulative' then cashable_gbp end) as cumulative_cashable_gbp,
        max(case when statement in ('backward look', 'NI 179 outturn')
            and gain_type = 'cumulative' then statement end) as cumulative_gain_statement,
        max(case when statement in ('NI 179 forecast', 'forward look', 'mid-year update')
            and gain_type = 'cumulative' then gain_gbp end) as forecast_gain_gbp,
        coalesce(
            max(case when statement = 'backward look' and gain_type = 'further' then gain_gbp end),
            max(case when statement = 'backward look'
                and gain_type = 'reported_for_year' then gain_gbp end)
        ) as in_year_gain_gbp,
        coalesce(
            max(case when statement = 'backward look'
                and gain_type = 'further' then cashable_gbp end),
            max(case when statement = 'backward look'
                and gain_type = 'reported_for_year' then cashable_gbp end)
        ) as in_year_cashable_gbp,
        case
            when max(case when statement = 'backward look'
                and gain_type = 'further' then gain_gbp end) is not null
                then 'further gains achieved in the year (backward look)'
            when max(case when statement = 'backward look'
                and gain_type = 'reported_for_year' then gain_gbp end) is not null
                then 'total reported for the year (backward look; may include gains sustained '
                || 'from earlier years)'
        end as in_year_gain_basis,
        max(case when statement = 'backward look'
            and gain_type = 'further_ongoing' then gain_gbp end) as in_year_ongoing_gbp,
        max(case when statement = 'backward look'
            and gain_type = 'sustained' then gain_gbp end) as sustained_gain_gbp,
        max(case when statement in ('forward look', 'mid-year update')
            and gain_type = 'further' then gain_gbp end) as planned_in_year_gain_gbp,
        bool_or(statement in ('forward look', 'mid-year update')
            and gain_type = 'further' and is_approximate) as is_planned_gain_approximate,
        bool_or(is_partial) as is_partial,
        string_agg(distinct workstreams, '|') as workstreams
    from gain_values
    group by all
)

select * from final
