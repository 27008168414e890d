-- Efficiency figures and targets of England and of named councils read from the published
-- headline figures, in the columns of raw.efficiency_returns (self-reported, unaudited):
-- - a record whose topic is in seed efficiency_headline_topics, of England or a council;
-- - a total and its 'of which cashable' record (same topic, scope, authority and period) make
--   one row; an AES form row's measure reads '<workstream> - <column group>';
-- - a record whose measure says 'target' or 'requirement' is a target; a percentage in its
--   measure implies the baseline (priority 2);
-- - the figures a record's note states (seed headline_note_return_figures) complete its row or
--   add rows, each labelled with the text read;
-- - a published cumulative target implies the baseline under the rule of seed
--   efficiency_targets (priority 3), except a CSR07 target of a year with the Budget 2009 extra
--   1% (whether it is in the target is not known).
with

figures as (
    select * from {{ ref('stg_efficiency__headline_figures') }}
),

topics as (
    select * from {{ ref('efficiency_headline_topics') }}
),

note_figures as (
    select * from {{ ref('headline_note_return_figures') }}
),

rules as (
    select * from {{ ref('efficiency_targets') }}
),

records as (
    select
        figures.*,
        topics.regime,
        topics.statement as topic_statement,
        topics.gain_type as topic_gain_type,
        topics.interpretation as topic_interpretation,
        case
            when lower(figures.scope) in ('english councils', 'england', 'england local government')
                then 'england'
            else 'authority'
        end as return_scope,
        lower(figures.measure) as measure_folded,
        topics.topic = 'aes backward look row' as is_form_row,
        -- an efficiency figure is in GBP: any other unit leaves its row without an amount,
        -- which the tests refuse
        case when figures.unit_normalised = 'GBP' then figures.value_normalised end as amount_gbp
    from figures
    inner join topics on lower(figures.topic) = topics.topic
    where lower(figures.scope)
        in ('english councils', 'england', 'england local government', 'council')
),

cashable_pairs as (
    select
        totals.record_id as total_record_id,
        cashable.record_id as cashable_record_id,
        cashable.amount_gbp as cashable_gbp
    from records as totals
    inner join records as cashable
        on totals.topic = cashable.topic
        and totals.scope = cashable.scope
        and totals.authority_as_published is not distinct from cashable.authority_as_published
        and totals.period_as_published = cashable.period_as_published
    where cashable.measure_folded like '%cashable%'
        and not cashable.is_form_row
        and totals.measure_folded not like '%cashable%'
),

classified as (
    select
        records.*,
        cashable_pairs.cashable_record_id,
        cashable_pairs.cashable_gbp,
        records.topic_statement = 'target'
        or records.measure_folded like '%requirement%'
        or records.measure_folded like '%target%' as is_target,
        try_cast(
            nullif(regexp_extract(records.measure, '(\d+(?:\.\d+)?)%', 1), '') as double
        ) as stated_pct,
        case when records.is_form_row and strpos(records.measure, ' - ') > 0
            then trim(split_part(records.measure, ' - ', 1)) end as form_workstream,
        case when records.is_form_row and strpos(records.measure, ' - ') > 0
            then lower(substr(records.measure, strpos(records.measure, ' - ') + 3))
        end as form_column_group
    from records
    left join cashable_pairs on records.record_id = cashable_pairs.total_record_id
    where records.record_id not in (select cashable_record_id from cashable_pairs)
),

record_rows as (
    select
        coalesce(record_id || '+' || cashable_record_id, record_id) as row_id,
        record_id,
        regime,
        case when is_target then 'target' else topic_statement end as statement,
        financial_year,
        return_scope as scope,
        coalesce(authority_as_published, scope) as authority_as_published,
        body_id,
        case when is_form_row then form_workstream else 'All workstreams' end as workstream,
        case
            when not is_form_row then 'total'
            when lower(form_workstream) in (
                'corporate services', 'procurement', 'productive time', 'transactional services'
            ) then 'cross-cutting'
            else 'service area'
        end as workstream_type,
        case when not is_target then
            case
                when not is_form_row then topic_gain_type
                when form_column_group like '%ongoing gains sustained%' then 'sustained'
                when form_column_group like '%further gains%' then 'further'
                when form_column_group like '%expected to be ongoing%' then 'further_ongoing'
                when form_column_group like '%cumulative gains%' then 'cumulative'
            end
        end as gain_type,
        case when not is_target then amount_gbp end as gain_total_gbp,
        case when not is_target then cashable_gbp end as gain_cashable_gbp,
        case when is_target then amount_gbp end as target_gbp,
        case when is_target
            then measure_folded like '%cumulative%' or lower(period_as_published) like 'by %'
        end as target_is_cumulative,
        case when is_target then measure end as target_basis,
        case when is_target then amount_gbp * 100 / stated_pct end as baseline_gbp,
        case when is_target and stated_pct is not null
            then 'derived: the published target ' || format('{:,.0f}', amount_gbp)
            || ' divided by the ' || format('{:g}', stated_pct) || '% the source states ('
            || measure || ')'
        end as baseline_basis,
        case when is_target and stated_pct is not null then 2 end as baseline_priority,
        is_approximate,
        case when not is_target then topic_interpretation end as interpretation
    from classified
),

notes as (
    select
        note_figures.*,
        'read from the record''s note: ' || case
            when quote like '%''%' and quote not like '%"%' then '"' || quote || '"'
            else '''' || quote || ''''
        end as quoted
    from note_figures
),

-- Note figures that complete the record's own row: its cashable part, the percentage of the
-- baseline its gain is, a cashable target, a target of the row's own year.
on_row_notes as (
    select
        record_rows.row_id,
        max(case when notes.kind = 'cashable' then notes.value end) as cashable_gbp,
        max(case when notes.kind = 'pct_of_baseline' then notes.value end) as pct_of_baseline,
        max(case when notes.kind = 'target_cashable' then notes.value end) as target_cashable_gbp,
        max(case when notes.kind = 'target' then notes.value end) as target_gbp,
        bool_or(case when notes.kind = 'target' then notes.is_cumulative end)
            as target_is_cumulative,
        max(case when notes.kind = 'target' then notes.basis end) as target_basis,
        string_agg(
            case notes.kind
                when 'cashable' then 'of which cashable ' || notes.quoted
                when 'target_cashable' then 'cashable target ' || notes.quoted
                when 'target' then 'target ' || notes.quoted
            end,
            '; ' order by notes.kind
        ) as derivation
    from record_rows
    inner join notes on record_rows.record_id = notes.record_id
    where notes.kind in ('cashable', 'pct_of_baseline', 'target_cashable')
        or (
            notes.kind = 'target'
            and coalesce(notes.financial_year, record_rows.financial_year)
            = record_rows.financial_year
            and record_rows.gain_type is not null
        )
    group by all
),

completed as (
    select
        record_rows.row_id,
        record_rows.regime,
        record_rows.statement,
        record_rows.financial_year,
        record_rows.scope,
        record_rows.authority_as_published,
        record_rows.body_id,
        record_rows.workstream,
        record_rows.workstream_type,
        record_rows.gain_type,
        record_rows.gain_total_gbp,
        coalesce(on_row_notes.cashable_gbp, record_rows.gain_cashable_gbp) as gain_cashable_gbp,
        coalesce(on_row_notes.target_gbp, record_rows.target_gbp) as target_gbp,
        on_row_notes.target_cashable_gbp,
        case when on_row_notes.target_gbp is not null then on_row_notes.target_is_cumulative
            else record_rows.target_is_cumulative end as target_is_cumulative,
        case when on_row_notes.target_gbp is not null then on_row_notes.target_basis
            else record_rows.target_basis end as target_basis,
        case when on_row_notes.pct_of_baseline is not null
            then record_rows.gain_total_gbp * 100 / on_row_notes.pct_of_baseline
            else record_rows.baseline_gbp end as baseline_gbp,
        case when on_row_notes.pct_of_baseline is not null
            then 'derived: the published gain ' || format('{:,.0f}', record_rows.gain_total_gbp)
            || ' divided by the ' || format('{:g}', on_row_notes.pct_of_baseline)
            || '% of the baseline the source states'
            else record_rows.baseline_basis end as baseline_basis,
        case when on_row_notes.pct_of_baseline is not null then 2
            else record_rows.baseline_priority end as baseline_priority,
        record_rows.is_approximate,
        on_row_notes.derivation is not null as is_derived,
        on_row_notes.derivation,
        record_rows.interpretation,
        record_rows.record_id as source_record_id
    from record_rows
    left join on_row_notes on record_rows.row_id = on_row_notes.row_id
),

-- Note figures that are rows of their own: a target of another year, a gain expected to be
-- ongoing beside a further-gains row, a gain of another statement or year.
note_rows as (
    select
        record_rows.record_id || case notes.kind
            when 'target' then '/note:target '
                || coalesce(notes.financial_year, record_rows.financial_year)
            when 'ongoing' then '/note:ongoing'
            when 'gain' then '/note:' || notes.statement || ' '
                || coalesce(notes.financial_year, record_rows.financial_year)
        end as row_id,
        record_rows.regime,
        case notes.kind
            when 'target' then 'target'
            when 'ongoing' then record_rows.statement
            else notes.statement
        end as statement,
        coalesce(notes.financial_year, record_rows.financial_year) as financial_year,
        record_rows.scope,
        record_rows.authority_as_published,
        record_rows.body_id,
        case when notes.kind = 'ongoing' then record_rows.workstream else 'All workstreams' end
            as workstream,
        case when notes.kind = 'ongoing' then record_rows.workstream_type else 'total' end
            as workstream_type,
        case notes.kind
            when 'ongoing' then 'further_ongoing'
            when 'gain' then notes.gain_type
        end as gain_type,
        case when notes.kind != 'target' then notes.value end as gain_total_gbp,
        cast(null as double) as gain_cashable_gbp,
        case when notes.kind = 'target' then notes.value end as target_gbp,
        cast(null as double) as target_cashable_gbp,
        case when notes.kind = 'target' then notes.is_cumulative end as target_is_cumulative,
        case when notes.kind = 'target' then notes.basis end as target_basis,
        cast(null as double) as baseline_gbp,
        cast(null as varchar) as baseline_basis,
        cast(null as integer) as baseline_priority,
        false as is_approximate,
        true as is_derived,
        notes.quoted as derivation,
        case when notes.kind = 'gain' then notes.basis end as interpretation,
        record_rows.record_id as source_record_id
    from record_rows
    inner join notes on record_rows.record_id = notes.record_id
    where notes.kind in ('ongoing', 'gain')
        or (
            notes.kind = 'target'
            and not (
                coalesce(notes.financial_year, record_rows.financial_year)
                = record_rows.financial_year
                and record_rows.gain_type is not null
            )
        )
),

all_rows as (
    select * from completed
    union all
    select * from note_rows
),

final as (
    select
        all_rows.row_id as record_id,
        all_rows.regime,
        all_rows.statement,
        all_rows.financial_year,
        all_rows.scope,
        all_rows.authority_as_published,
        cast(null as varchar) as authority_code_as_published,
        all_rows.body_id,
        all_rows.workstream,
        all_rows.workstream_type,
        all_rows.gain_type,
        all_rows.gain_total_gbp,
        all_rows.gain_cashable_gbp,
        coalesce(all_rows.gain_type = 'cumulative', false) as is_cumulative,
        all_rows.target_gbp,
        all_rows.target_cashable_gbp,
        all_rows.target_is_cumulative,
        all_rows.target_basis,
        coalesce(all_rows.baseline_gbp, all_rows.target_gbp * 100 / rule_pct.pct)
            as baseline_gbp,
        coalesce(
            all_rows.baseline_basis,
            'derived: the published cumulative target ' || format('{:,.0f}', all_rows.target_gbp)
            || ' divided by the ' || all_rows.regime || ' rule''s ' || format('{:g}', rule_pct.pct)
            || '% for ' || all_rows.financial_year
        ) as baseline_basis,
        coalesce(all_rows.baseline_priority, case when rule_pct.pct is not null then 3 end)
            as baseline_priority,
        cast(null as varchar) as quality_crosscheck,
        all_rows.is_approximate,
        all_rows.is_derived,
        all_rows.derivation,
        all_rows.interpretation,
        figures.source_url,
        figures.source_type,
        figures.source_note,
        figures.source_file,
        figures.source_row
    from all_rows
    inner join figures on all_rows.source_record_id = figures.record_id
    -- the rule's percentage, where a published cumulative target implies the baseline
    left join (
        select regime, financial_year, cumulative_target_pct as pct
        from rules
        where extra_target_pct = 0 and cumulative_target_pct > 0
    ) as rule_pct
        on all_rows.regime = rule_pct.regime
        and all_rows.financial_year = rule_pct.financial_year
        and all_rows.baseline_gbp is null
        and all_rows.target_is_cumulative
)

select * from final
