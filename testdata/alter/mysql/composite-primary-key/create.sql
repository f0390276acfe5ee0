CREATE TABLE t (k1 INT, k2 VARCHAR(20), v INT, PRIMARY KEY (k1, k2));
INSERT INTO t (k1, k2, v)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n % 30, CONCAT('k', n), n FROM s;
