{{ game_array_pairs('int_games__latest', 'platforms', 'platform', {
    'platform_id': 'bigint', 'platform_name': 'varchar', 'platform_slug': 'varchar',
    'released_at': 'date'}) }}
