{#-
  mart_report_genres and mart_report_platforms against distinct counts taken the direct way,
  on the latest report day and the day one period before it: the games seen in the period per
  genre and per parent platform. Returns the figures that disagree.
-#}
with

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

expected as (

    select
        seen.report_date,
        'genre' as figure,
        cast(game_genres.genre_id as {{ dbt.type_string() }}) as figure_key,
        count(*) as games

    from seen
    inner join {{ ref('fct_game_genres') }} as game_genres
        on seen.game_id = game_genres.game_id
    group by seen.report_date, game_genres.genre_id

    union all

    select
        seen.report_date,
        'parent_platform' as figure,
        cast(game_platforms.parent_platform_id as {{ dbt.type_string() }}) as figure_key,
        count(*) as games

    from seen
    inner join {{ ref('fct_game_parent_platforms') }} as game_platforms
        on seen.game_id = game_platforms.game_id
    group by seen.report_date, game_platforms.parent_platform_id

),

actual as (

    select
        checked_days.report_date,
        'genre' as figure,
        cast(genres.genre_id as {{ dbt.type_string() }}) as figure_key,
        genres.games

    from {{ ref('mart_report_genres') }} as genres
    inner join checked_days on genres.report_date = checked_days.report_date

    union all

    select
        checked_days.report_date,
        'parent_platform' as figure,
        cast(platforms.parent_platform_id as {{ dbt.type_string() }}) as figure_key,
        platforms.games

    from {{ ref('mart_report_platforms') }} as platforms
    inner join checked_days on platforms.report_date = checked_days.report_date

),

final as (

    {{ disagreeing_figures('expected', 'actual') }}

)

select * from final
