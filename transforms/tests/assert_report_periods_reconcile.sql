{#-
  mart_report_periods against distinct counts taken the direct way, on the latest report day
  and the day one period before it: the games seen and released in the period. Returns the
  figures that disagree.
-#}
with

periods as (

    select * from {{ ref('mart_report_periods') }}

),

checked_days as (

    {{ reconciled_report_days() }}

),

seen as (

    select distinct
        checked_days.report_date,
        snapshots.game_id

    from checked_days
    inner join {{ ref('fct_game_daily_snapshots') }} as snapshots
        on snapshots.dt between checked_days.period_start and checked_days.report_date

),

released as (

    select
        game_id,
        released_on

    from {{ ref('dim_games') }}
    where is_released

),

expected as (

    select
        seen.report_date,
        'games_seen' as figure,
        '' as figure_key,
        count(*) as games

    from seen
    group by seen.report_date

    union all

    select
        checked_days.report_date,
        'games_released' as figure,
        '' as figure_key,
        count(*) as games

    from checked_days
    inner join released
        on released.released_on between checked_days.period_start and checked_days.report_date
    group by checked_days.report_date

),

actual as (

    select
        checked_days.report_date,
        'games_seen' as figure,
        '' as figure_key,
        periods.games_seen as games

    from periods
    inner join checked_days on periods.report_date = checked_days.report_date

    union all

    select
        checked_days.report_date,
        'games_released' as figure,
        '' as figure_key,
        periods.games_released as games

    from periods
    inner join checked_days on periods.report_date = checked_days.report_date

),

final as (

    {{ disagreeing_figures('expected', 'actual') }}

)

select * from final
