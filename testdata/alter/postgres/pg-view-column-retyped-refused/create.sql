CREATE TABLE t (id int PRIMARY KEY, v int);
INSERT INTO t (id, v) SELECT n, n FROM generate_series(1, 100) n;
CREATE VIEW tv AS SELECT id, v FROM t;
