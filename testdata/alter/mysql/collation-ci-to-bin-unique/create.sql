CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(40) COLLATE utf8mb4_general_ci, UNIQUE KEY us (s)) DEFAULT CHARSET=utf8mb4;
INSERT INTO t (id, s)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n, CONCAT('Name', n) FROM s;
