-- For every loaded edition and line: the published England row beside the sum of authority
-- rows, and why any difference exists. Differences are reported, never hidden.
--
-- A gap is the publisher's imputation only when (a) authority cells of that line carry a
-- no-return marker in that file and (b) the gap is plausible for those authorities: within
-- reach of their own previous-year values on the line, or of their previous-year share of
-- England's net current expenditure applied to this line's England value, or at most a set
-- fraction of the line's England value (dbt vars imputation_*). Any other gap is
-- 'unexplained' (the dbt test assert_rs_authorities_reconcile_to_england fails on it), unless
-- it is a publisher inconsistency listed in seeds/known_reconciliation_breaks.csv.
-- Sums are taken in fixed point (decimal) so that the result does not depend on the order
-- DuckDB's threads add the cells in.
{% set tolerance = var('reconciliation_tolerance_gbp_thousands') %}
{% set prior_years = var('imputation_prior_years') %}
{% set own_factor = var('imputation_own_history_factor') %}
{% set share_factor = var('imputation_share_factor') %}
{% set max_share = var('imputation_max_share_of_england') %}
with

cells as (
    select * from {{ ref('stg_revenue_outturn__cells') }}
),

england as (
    select * from {{ ref('stg_revenue_outturn__published_totals') }}
    where total_scope = 'england'
),

markers as (
    select * from {{ ref('value_markers') }}
),

known_breaks as (
    select * from {{ ref('known_reconciliation_breaks') }}
),

editions as (
    select * from {{ ref('int_revenue_outturn__editions_ranked') }}
),

current_cells as (
    select
        cells.*,
        left(cells.financial_year, 4)::integer as year_start
    from cells
    inner join editions
        on cells.financial_year = editions.financial_year
        and cells.form = editions.form
        and cells.release = editions.release
    where editions.is_current_edition
),

edition_cells as (
    select
        cells.*,
        left(cells.financial_year, 4)::integer as year_start,
        coalesce(markers.is_missing_return, false) as is_missing_return
    from cells
    left join markers on cells.value_marker = markers.value_marker
),

sums as (
    select
        financial_year,
        form,
        release,
        line_label,
        line_occurrence,
        column_code,
        sum(value_gbp_thousands::decimal(38, 6))::double as authority_sum_gbp_thousands,
        count(value_gbp_thousands) as authorities_with_value,
        count(*) filter (where is_missing_return) as authorities_missing_return
    from edition_cells
    group by all
),

-- Each published England cell beside the sum of its authorities, and whether the two differ
-- beyond the tolerance (a gap): the one place a line is judged to reconcile or not.
differences as (
    select
        england.*,
        sums.authority_sum_gbp_thousands,
        coalesce(sums.authorities_with_value, 0) as authorities_with_value,
        coalesce(sums.authorities_missing_return, 0) as authorities_missing_return,
        (
            coalesce(england.value_gbp_thousands, 0)::decimal(38, 6)
            - coalesce(sums.authority_sum_gbp_thousands, 0)::decimal(38, 6)
        )::double as difference_gbp_thousands,
        abs(difference_gbp_thousands) > {{ tolerance }} as has_gap
    from england
    left join sums on {{ same_published_cell('england', 'sums') }}
),

-- The lines with an England value and a gap: the only lines whose authorities' previous year
-- is looked at for where a gap comes from.
gap_lines as (
    select financial_year, form, release, line_label, line_occurrence, column_code
    from differences
    where value_gbp_thousands is not null and has_gap
),

-- The cells whose previous-year value is needed: every non-returning authority's (what the
-- publisher imputes) and every cell of a line with a gap (which authority moved most). On a
-- line that reconciles nothing is to be explained (at England scale, looking up every cell's
-- previous year spilled gigabytes to disk and took a minute).
needs_previous as (
    select
        edition_cells.*,
        gap_lines.financial_year is not null as on_gap_line
    from edition_cells
    left join gap_lines on {{ same_published_cell('edition_cells', 'gap_lines') }}
    where edition_cells.is_missing_return or gap_lines.financial_year is not null
),

-- Each current edition's value of those authorities' lines (label key and column) in a year:
-- the first occurrence of the line with a value.
prior_values as (
    select
        current_cells.ecode,
        current_cells.form,
        current_cells.line_label_key,
        current_cells.column_code,
        current_cells.year_start,
        any_value(current_cells.financial_year) as financial_year,
        arg_min(current_cells.value_gbp_thousands, current_cells.line_occurrence)
            as value_gbp_thousands
    from current_cells
    inner join (
        select distinct ecode, form, line_label_key, column_code from needs_previous
    ) as wanted
        on current_cells.ecode = wanted.ecode
        and current_cells.form = wanted.form
        and current_cells.line_label_key = wanted.line_label_key
        and current_cells.column_code is not distinct from wanted.column_code
    where current_cells.value_gbp_thousands is not null
    group by all
),

-- Each of those cells with the authority's value on the same line (matched by label key and
-- column) in the nearest earlier year with a current edition, at most
-- `imputation_prior_years` back.
previous as (
    select
        this.financial_year,
        this.form,
        this.release,
        this.line_label,
        this.line_occurrence,
        this.column_code,
        this.ecode,
        this.authority_name,
        this.value_gbp_thousands,
        this.is_missing_return,
        this.on_gap_line,
        coalesce(
            {%- for back in range(1, prior_years + 1) %}
            prior_{{ back }}.value_gbp_thousands{{ "," if not loop.last }}
            {%- endfor %}
        ) as previous_gbp_thousands,
        coalesce(
            {%- for back in range(1, prior_years + 1) %}
            prior_{{ back }}.financial_year{{ "," if not loop.last }}
            {%- endfor %}
        ) as previous_financial_year
    from needs_previous as this
    {%- for back in range(1, prior_years + 1) %}
    left join prior_values as prior_{{ back }}
        on this.ecode = prior_{{ back }}.ecode
        and this.form = prior_{{ back }}.form
        and this.line_label_key = prior_{{ back }}.line_label_key
        and this.column_code is not distinct from prior_{{ back }}.column_code
        and prior_{{ back }}.year_start = this.year_start - {{ back }}
    {%- endfor %}
),

-- Each authority's share of the England net current expenditure of its previous year: the
-- weight of the non-returning authorities, however unevenly sized they are.
previous_weight as (
    select
        this.financial_year,
        this.form,
        this.release,
        this.ecode,
        abs(prior.value_gbp_thousands)
        / nullif(sum(abs(prior.value_gbp_thousands)) over (
            partition by this.financial_year, this.form, this.release
        ), 0) as nce_share
    from (
        select distinct financial_year, form, release, ecode, year_start from edition_cells
    ) as this
    inner join current_cells as prior
        on this.ecode = prior.ecode
        and this.form = prior.form
        and prior.line_label_key = 'net current expenditure'
        and prior.column_code is null
        and prior.line_occurrence = 1
        and prior.year_start between this.year_start - {{ prior_years }} and this.year_start - 1
        and prior.value_gbp_thousands is not null
    qualify row_number() over (
        partition by this.financial_year, this.form, this.release, this.ecode
        order by prior.year_start desc
    ) = 1
),

authority_counts as (
    select financial_year, form, release, count(distinct ecode) as authorities
    from edition_cells
    group by all
),

missing as (
    select
        previous.financial_year,
        previous.form,
        previous.release,
        previous.line_label,
        previous.line_occurrence,
        previous.column_code,
        sum(previous.previous_gbp_thousands::decimal(38, 6))::double
            as missing_previous_gbp_thousands,
        sum(abs(previous.previous_gbp_thousands)::decimal(38, 6))::double
            as missing_previous_abs_gbp_thousands,
        -- no previous NCE (a new authority): an average authority's share
        sum(coalesce(previous_weight.nce_share, 1.0 / authority_counts.authorities))
            as missing_share
    from previous
    inner join authority_counts
        on previous.financial_year = authority_counts.financial_year
        and previous.form = authority_counts.form
        and previous.release = authority_counts.release
    left join previous_weight
        on previous.financial_year = previous_weight.financial_year
        and previous.form = previous_weight.form
        and previous.release = previous_weight.release
        and previous.ecode = previous_weight.ecode
    where previous.is_missing_return
    group by all
),

-- The returning authorities whose value moved most from their own previous year: where to
-- look first when a gap is not explained.
moved as (
    select
        financial_year,
        form,
        release,
        line_label,
        line_occurrence,
        column_code,
        string_agg(
            ecode || ' ' || authority_name || ': ' || previous_financial_year || ' '
            || round(previous_gbp_thousands, 3)::varchar || ' -> '
            || round(value_gbp_thousands, 3)::varchar,
            '; '
            order by abs(value_gbp_thousands - previous_gbp_thousands) desc, ecode
        ) filter (where move_rank <= 3) as largest_moves
    from (
        select
            *,
            row_number() over (
                partition by
                    financial_year, form, release, line_label, line_occurrence, column_code
                order by abs(value_gbp_thousands - previous_gbp_thousands) desc, ecode
            ) as move_rank
        from previous
        where on_gap_line
            and value_gbp_thousands is not null and previous_gbp_thousands is not null
    )
    group by all
),

joined as (
    select
        england.financial_year,
        england.form,
        england.release,
        editions.is_current_edition,
        england.line_label,
        england.line_occurrence,
        england.line_number,
        england.line_label_key,
        england.column_code,
        england.value_gbp_thousands as england_published_gbp_thousands,
        england.value_marker as england_value_marker,
        england.authority_sum_gbp_thousands,
        england.difference_gbp_thousands,
        england.has_gap,
        england.authorities_with_value,
        england.authorities_missing_return,
        missing.missing_previous_gbp_thousands,
        round(greatest(
            {{ tolerance }},
            {{ own_factor }} * coalesce(missing.missing_previous_abs_gbp_thousands, 0),
            {{ share_factor }} * coalesce(missing.missing_share, 0)
            * abs(coalesce(england.value_gbp_thousands, 0)),
            {{ max_share }} * abs(coalesce(england.value_gbp_thousands, 0))
        ), 3) as imputation_bound_gbp_thousands,
        moved.largest_moves,
        england.source_file,
        england.source_sha256,
        england.source_row as england_source_row,
        england.source_column
    from differences as england
    inner join editions
        on england.financial_year = editions.financial_year
        and england.form = editions.form
        and england.release = editions.release
    left join missing on {{ same_published_cell('england', 'missing') }}
    left join moved on {{ same_published_cell('england', 'moved') }}
),

classified as (
    select
        joined.*,
        abs(joined.difference_gbp_thousands - coalesce(joined.missing_previous_gbp_thousands, 0))
        <= joined.imputation_bound_gbp_thousands as is_plausible_imputation,
        known_breaks.line_label is not null
        and abs(joined.difference_gbp_thousands - known_breaks.difference_gbp_thousands)
        <= {{ tolerance }} as is_known_break,
        known_breaks.explanation as known_explanation
    from joined
    left join known_breaks
        on joined.financial_year = known_breaks.financial_year
        and joined.release = known_breaks.release
        and joined.line_label = known_breaks.line_label
        and joined.line_occurrence = known_breaks.line_occurrence
),

final as (
    select
        * exclude (has_gap, is_plausible_imputation, is_known_break, known_explanation),
        case
            when england_published_gbp_thousands is null then 'england_not_published'
            when not has_gap then 'reconciled'
            when authorities_missing_return > 0 and is_plausible_imputation
                then 'publisher_imputation'
            when is_known_break then 'known_publisher_break'
            else 'unexplained'
        end as reconciliation_status,
        case
            when england_published_gbp_thousands is null
                then 'the England row holds no value (' || coalesce(england_value_marker, 'blank')
                || '): nothing to reconcile'
            when not has_gap then null
            when authorities_missing_return > 0 and is_plausible_imputation
                then authorities_missing_return::varchar
                || ' authorities made no return; the England row includes the publisher''s '
                || 'imputation for them'
            when is_known_break then known_explanation
            when authorities_missing_return > 0
                then 'the gap ' || round(difference_gbp_thousands, 3)::varchar
                || ' is not plausible as imputation for the ' || authorities_missing_return::varchar
                || ' authorities that made no return (their previous year: '
                || coalesce(round(missing_previous_gbp_thousands, 3)::varchar, 'none')
                || ', bound ' || imputation_bound_gbp_thousands::varchar
                || '); largest moves from their own previous year: '
                || coalesce(largest_moves, 'none')
            else 'every authority made a return, yet the England row differs by '
                || round(difference_gbp_thousands, 3)::varchar
                || '; largest moves from their own previous year: '
                || coalesce(largest_moves, 'none')
        end as explanation
    from classified
)

select * from final
order by financial_year, form, release, england_source_row, column_code
