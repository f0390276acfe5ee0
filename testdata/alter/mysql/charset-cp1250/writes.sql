INSERT INTO t VALUES (100001, 'Żółć gęślą new', 'Żółć gęślą');
UPDATE t SET s = 'Żółć gęślą upd' WHERE id = 5;
