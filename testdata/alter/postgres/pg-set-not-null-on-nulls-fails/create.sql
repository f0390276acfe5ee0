CREATE TABLE t (id int PRIMARY KEY, a int);
INSERT INTO t (id, a) SELECT n, CASE WHEN n % 10 = 0 THEN NULL ELSE n END FROM generate_series(1, 1500) n;
