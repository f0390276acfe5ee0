COMMENT 'orders, one row per checkout'
