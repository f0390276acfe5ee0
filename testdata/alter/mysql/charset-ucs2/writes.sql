INSERT INTO t VALUES (100001, 'Straße ÅÄÖ new', 'Straße ÅÄÖ');
UPDATE t SET s = 'Straße ÅÄÖ upd' WHERE id = 5;
