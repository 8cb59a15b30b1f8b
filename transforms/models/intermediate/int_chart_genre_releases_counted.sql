{#-
  Each chart month's released games up to the report day per genre: a game counts once in
  each of its genres.
-#}
with

chart_months as (

    select * from {{ ref('int_chart_months_spanned') }}

),

released as (

    select * from {{ ref('int_chart_releases_filtered') }}

),

game_genres as (

    select
        game_id,
        genre_id
    from {{ ref('fct_game_genres') }}

),

genre_release_days as (

    select
        released.released_on,
        released.release_month,
        game_genres.genre_id,
        count(*) as releases

    from released
    inner join game_genres on released.game_id = game_genres.game_id
    group by released.released_on, released.release_month, game_genres.genre_id

),

final as (

    select
        chart_months.report_date,
        chart_months.release_month,
        genre_release_days.genre_id,
        sum(genre_release_days.releases) as releases

    from chart_months
    inner join genre_release_days
        on chart_months.release_month = genre_release_days.release_month
            and chart_months.report_date >= genre_release_days.released_on
    group by chart_months.report_date, chart_months.release_month, genre_release_days.genre_id

)

select * from final
