CREATE TABLE t (id INT PRIMARY KEY, g POINT);
INSERT INTO t (id, g)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n, POINT(n % 90, n / 3) FROM s;
