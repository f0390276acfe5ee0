INSERT INTO t (id, a, hidden) VALUES (100001, 1, 42);
