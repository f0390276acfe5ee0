CREATE TABLE t (id INT PRIMARY KEY, j JSON);
INSERT INTO t (id, j)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n, JSON_OBJECT('n', n, 'a', JSON_ARRAY(n, 'x')) FROM s;
