INSERT INTO t (id, s, c) VALUES (5001, 'new', 'xyz');
