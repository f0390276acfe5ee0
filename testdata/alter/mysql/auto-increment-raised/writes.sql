INSERT INTO t (v, s) VALUES (1, 'before the swap');
