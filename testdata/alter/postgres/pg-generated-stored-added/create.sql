CREATE TABLE t (id int PRIMARY KEY, a int, b int);
INSERT INTO t (id, a, b) SELECT n, n, n * 2 FROM generate_series(1, 1500) n;
