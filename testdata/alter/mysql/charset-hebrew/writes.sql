INSERT INTO t VALUES (100001, 'שלום עולם new', 'שלום עולם');
UPDATE t SET s = 'שלום עולם upd' WHERE id = 5;
