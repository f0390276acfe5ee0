UPDATE t SET v = -1 WHERE id = 10;
