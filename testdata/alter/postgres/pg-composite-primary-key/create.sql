CREATE TABLE t (k1 int, k2 text, v int, PRIMARY KEY (k1, k2));
INSERT INTO t (k1, k2, v) SELECT n % 40, 'k' || n, n FROM generate_series(1, 1500) n;
