CREATE TABLE t (id serial PRIMARY KEY, v int);
INSERT INTO t (v) SELECT n FROM generate_series(1, 1500) n;
