CREATE TABLE t (id int PRIMARY KEY, f real);
INSERT INTO t (id, f) SELECT n, n / 3.0 FROM generate_series(1, 1500) n;
