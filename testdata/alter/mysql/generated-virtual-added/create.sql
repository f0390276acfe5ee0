CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT);
INSERT INTO t (id, a, b)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n, n, n * 2 FROM s;
