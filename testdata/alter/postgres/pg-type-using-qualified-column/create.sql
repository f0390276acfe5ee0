CREATE TABLE t (id int PRIMARY KEY, v text, i int NOT NULL);
INSERT INTO t SELECT g, g::text, g % 9 FROM generate_series(1, 2000) g;
