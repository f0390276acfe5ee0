DROP CONSTRAINT t_review_unique, DROP CONSTRAINT t_v_check
