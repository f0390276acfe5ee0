CREATE TABLE t (id INT PRIMARY KEY, s VARCHAR(64) NOT NULL, k VARCHAR(40), KEY ik (k)) DEFAULT CHARSET=utf8mb4;
INSERT INTO t (id, s, k)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n, CONCAT('繁體中文 ', n), CONCAT('繁體中文', n % 50) FROM s;
