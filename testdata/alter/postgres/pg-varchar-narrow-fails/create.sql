CREATE TABLE t (id int PRIMARY KEY, s varchar(40));
INSERT INTO t (id, s) SELECT n, repeat('x', 1 + n % 30) FROM generate_series(1, 1500) n;
