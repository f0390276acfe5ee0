CHANGE `from` `order` VARCHAR(30), ADD COLUMN `日本` INT, ADD INDEX `idx select` (`näme ünïcode`)
