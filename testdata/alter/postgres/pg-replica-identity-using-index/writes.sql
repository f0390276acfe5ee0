UPDATE t SET v = 'w' || id WHERE id % 50 = 0;
INSERT INTO t VALUES (5001, 10001, 'new');
