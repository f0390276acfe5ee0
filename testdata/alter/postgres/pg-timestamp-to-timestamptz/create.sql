CREATE TABLE t (id int PRIMARY KEY, ts timestamp(3));
INSERT INTO t (id, ts) SELECT n, timestamp '2024-01-01' + n * interval '1 hour 1.5 seconds' FROM generate_series(1, 1500) n;
