{{ entity_dimension('stg_rawg__genres', 'bridge_game_genres', 'genre', ['image_background']) }}
