CREATE TABLE t (id int PRIMARY KEY, a int, b text);
INSERT INTO t (id, a, b) SELECT n, n % 10, 'b' || n FROM generate_series(1, 1500) n;
