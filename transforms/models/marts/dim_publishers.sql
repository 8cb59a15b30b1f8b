{{ entity_dimension('stg_rawg__publishers', 'bridge_game_publishers', 'publisher') }}
