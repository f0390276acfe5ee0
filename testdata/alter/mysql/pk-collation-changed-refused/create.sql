CREATE TABLE t (code VARCHAR(20) COLLATE utf8mb4_bin PRIMARY KEY, i INT NOT NULL) DEFAULT CHARSET=utf8mb4;
INSERT INTO t (code, i)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 2000)
SELECT CONCAT(IF(n % 2 = 0, 'a', 'A'), n DIV 2), n % 13 FROM s;
