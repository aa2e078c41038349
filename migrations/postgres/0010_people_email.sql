-- PostgreSQL (mirrors ../0010_people_email.sql).
ALTER TABLE people ADD COLUMN email TEXT COLLATE "C";

CREATE UNIQUE INDEX people_email ON people (lower(email)) WHERE email IS NOT NULL;
