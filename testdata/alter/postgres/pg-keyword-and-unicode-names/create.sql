CREATE TABLE t ("select" int PRIMARY KEY, "from" text, "näme" int, "Mixed Case" int);
INSERT INTO t ("select", "from", "näme", "Mixed Case") SELECT n, 'f' || n, n, n FROM generate_series(1, 1500) n;
