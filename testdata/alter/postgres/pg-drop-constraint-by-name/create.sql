CREATE TABLE t (id int PRIMARY KEY, review int NOT NULL, v text, CONSTRAINT t_review_unique UNIQUE (review), CONSTRAINT t_v_check CHECK (v <> ''));
INSERT INTO t SELECT g, g, 'v' || g FROM generate_series(1, 2000) g;
