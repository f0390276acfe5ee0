CREATE TABLE t (id int PRIMARY KEY, i int NOT NULL, v text, CONSTRAINT t_v_uq UNIQUE (v));
INSERT INTO t SELECT g, g % 7, g::text FROM generate_series(1, 2000) g;
