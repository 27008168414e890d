{{ config(meta={"dagster": {"ref": {"name": "int_efficiency__returns"}}}) }}
-- Every efficiency row, loaded or derived from the headline figures, keeps the rules of
-- raw.efficiency_returns: a gain or a target; a gain type exactly when there is a gain;
-- cashable within the total; a body for a council and none for England; a statement of its
-- regime; a baseline with its basis and priority; a derived row says how.
with

returns as (
    select * from {{ ref('int_efficiency__returns') }}
),

checked as (
    select
        record_id,
        source_file,
        source_row,
        case
            when gain_total_gbp is null and target_gbp is null
                then 'a row carries neither a gain nor a target'
            when (gain_type is null) != (gain_total_gbp is null)
                then 'gain_type is set without a gain, or a gain has no gain_type'
            when gain_total_gbp >= 0 and gain_cashable_gbp > gain_total_gbp + 0.5
                then 'cashable gain exceeds the total gain'
            when (scope = 'england') != (body_id is null)
                then 'an England row has a body_id, or an authority row has none'
            when not (
                (regime = 'SR04 AES'
                    and statement in ('forward look', 'mid-year update', 'backward look', 'target'))
                or (regime = 'CSR07 NI 179'
                    and statement in ('NI 179 forecast', 'NI 179 outturn', 'target'))
            ) then 'statement does not belong to the regime'
            when (baseline_gbp is null) != (baseline_basis is null)
                or (baseline_gbp is null) != (baseline_priority is null)
                then 'baseline_gbp, baseline_basis and baseline_priority are not given together'
            when baseline_gbp <= 0 then 'a baseline must be positive'
            when is_derived and derivation is null then 'a derived row needs a derivation'
        end as failure
    from returns
)

select * from checked where failure is not null
