CREATE TABLE t (id int PRIMARY KEY, a smallint, b int);
INSERT INTO t (id, a, b) SELECT n, n % 30000, n * 1000 FROM generate_series(1, 1500) n;
