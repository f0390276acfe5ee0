CREATE TABLE t (id int PRIMARY KEY, a bigint);
INSERT INTO t (id, a) SELECT n, n * 100000 FROM generate_series(1, 1500) n;
