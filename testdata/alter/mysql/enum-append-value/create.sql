CREATE TABLE t (id INT PRIMARY KEY, e ENUM('a','b','c') NOT NULL);
INSERT INTO t (id, e)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n, ELT(1 + n % 3, 'a', 'b', 'c') FROM s;
