INSERT INTO t (v, s) VALUES (2, 'takes 2001');
