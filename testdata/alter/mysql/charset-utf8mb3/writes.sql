INSERT INTO t VALUES (100001, 'bmp only Ж new', 'bmp only Ж');
UPDATE t SET s = 'bmp only Ж upd' WHERE id = 5;
