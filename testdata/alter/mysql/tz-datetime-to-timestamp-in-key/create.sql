CREATE TABLE t (id INT, dt DATETIME, v INT, PRIMARY KEY (id, dt));
INSERT INTO t (id, dt, v)
WITH RECURSIVE d(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM d WHERE n < 49),
  s(n) AS (SELECT a.n * 50 + b.n + 1 FROM d a, d b WHERE a.n * 50 + b.n < 1200)
SELECT n % 10, TIMESTAMPADD(HOUR, n, '2023-03-01 00:00:00'), n FROM s;
