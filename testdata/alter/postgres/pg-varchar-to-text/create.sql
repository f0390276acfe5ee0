CREATE TABLE t (id int PRIMARY KEY, s varchar(20));
INSERT INTO t (id, s) SELECT n, 'name ' || n FROM generate_series(1, 1500) n;
