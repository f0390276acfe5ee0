MODIFY e ENUM('a','b','c','d') NOT NULL
