CREATE TABLE t (id int PRIMARY KEY, a int);
INSERT INTO t (id, a) SELECT n, n FROM generate_series(1, 1500) n;
