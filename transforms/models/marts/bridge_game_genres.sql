{{ game_array_pairs('int_games__latest', 'genres', 'genre',
    {'id': 'bigint', 'name': 'varchar', 'slug': 'varchar'}) }}
