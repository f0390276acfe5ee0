INSERT INTO t VALUES (100001, '한국어 텍스트 new', '한국어 텍스트');
UPDATE t SET s = '한국어 텍스트 upd' WHERE id = 5;
