CREATE TABLE t (id int PRIMARY KEY, v int);
INSERT INTO t (id, v) SELECT n, n FROM generate_series(1, 100) n;
CREATE TABLE c (id int PRIMARY KEY, t_id int REFERENCES t (id));
