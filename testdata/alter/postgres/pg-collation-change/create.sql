CREATE TABLE t (id int PRIMARY KEY, s text);
INSERT INTO t (id, s) SELECT n, 'Name ' || n FROM generate_series(1, 1500) n;
