CREATE TABLE t (id INT PRIMARY KEY, d DATE);
INSERT INTO t (id, d)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n, IF(n % 2 = 0, '2020-00-15', '2020-05-00') FROM s;
