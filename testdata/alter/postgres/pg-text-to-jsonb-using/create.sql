CREATE TABLE t (id int PRIMARY KEY, j text);
INSERT INTO t (id, j) SELECT n, '{"n": ' || n || '}' FROM generate_series(1, 1500) n;
