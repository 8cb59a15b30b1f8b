{{ entity_dimension('stg_rawg__developers', 'bridge_game_developers', 'developer') }}
