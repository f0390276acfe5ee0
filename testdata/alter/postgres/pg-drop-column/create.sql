CREATE TABLE t (id int PRIMARY KEY, a int, b text, c date);
INSERT INTO t (id, a, b, c) SELECT n, n, 'b' || n, date '2020-01-01' + n FROM generate_series(1, 1500) n;
