CREATE TABLE t (id int PRIMARY KEY, v int, w text);
INSERT INTO t (id, v, w) SELECT n, n * 2, 'w' || (n % 10) FROM generate_series(1, 1500) n;
