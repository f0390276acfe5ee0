CREATE TABLE t (id int PRIMARY KEY, ts timestamp(6));
INSERT INTO t (id, ts) SELECT n, timestamp '2024-01-01' + n * interval '1.234567 seconds' FROM generate_series(1, 1500) n;
