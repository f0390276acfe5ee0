ADD COLUMN "日本" int, ALTER COLUMN "näme" TYPE bigint
