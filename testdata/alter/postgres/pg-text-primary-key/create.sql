CREATE TABLE t (id text PRIMARY KEY, v int);
INSERT INTO t (id, v) SELECT 'key-' || n, n FROM generate_series(1, 1500) n;
