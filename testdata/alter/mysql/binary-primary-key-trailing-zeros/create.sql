CREATE TABLE t (id VARBINARY(16) PRIMARY KEY, v INT);
INSERT INTO t (id, v)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT UNHEX(CONCAT(LPAD(HEX(n), 4, '0'), IF(n % 2 = 0, '00', ''))), n FROM s;
