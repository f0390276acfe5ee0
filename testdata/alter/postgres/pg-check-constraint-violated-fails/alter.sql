ADD CONSTRAINT v_positive CHECK (v > 0)
