CREATE TABLE t (id int PRIMARY KEY, v text);
INSERT INTO t (id, v) SELECT n, 'v' || n FROM generate_series(1, 1500) n;
