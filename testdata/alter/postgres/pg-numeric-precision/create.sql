CREATE TABLE t (id int PRIMARY KEY, d numeric(10,2), e numeric);
INSERT INTO t (id, d, e) SELECT n, n * 1.25, n / 7.0 FROM generate_series(1, 1500) n;
