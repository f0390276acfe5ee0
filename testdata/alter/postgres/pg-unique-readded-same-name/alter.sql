DROP CONSTRAINT t_review_unique, ADD CONSTRAINT t_review_unique UNIQUE (v, i)
