{{ game_array_pairs('int_game_details__latest', 'developers', 'developer',
    {'id': 'bigint', 'name': 'varchar', 'slug': 'varchar'}) }}
